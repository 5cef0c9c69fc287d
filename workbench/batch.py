"""Batch runs of a papermill template: one executed notebook per persona (or any parameter value).

``run_batch`` checks the template and the parameters *before* anything runs (papermill itself
only warns about unknown parameters), then executes one notebook per value on any
:class:`concurrent.futures.Executor` — a local process pool by default, or a
``dask.distributed`` client — and records every run in ``<out_dir>/manifest.json``.

One run failing (an exception in a cell, a dead kernel, a cell timeout) never stops the others.
A run's status comes from the exception papermill raises, not from the output notebook: a dead
kernel or a timeout leaves a notebook with no error banner, so the runner adds one.

Kernel start-up is most of a short run's cost, so in its own process pool each worker starts
the kernel for its next run while the current one executes. Kernels are launched with this
interpreter (``python3`` kernel spec; jupyter_client swaps ``python`` for ``sys.executable``),
so a ``PATH`` without the virtual environment's ``bin`` works.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import csv
import hashlib
import json
import multiprocessing
import multiprocessing.util
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench.atomic import write_text_atomic
from workbench.errors import ConfigError
from workbench.project import Project
from workbench.schema import PERSONA

KERNEL_NAME = "python3"
MANIFEST_FILE = "manifest.json"
OK, FAILED, PENDING = "ok", "failed", "pending"
PARAMETERS_TAG = "parameters"
#: Kernel-side start-up warnings (plain-TCP notice) are noise for a researcher.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)
_DISTRIBUTIONS = {
    "workbench": "journey-workbench",
    "papermill": "papermill",
    "pandas": "pandas",
    "altair": "altair",
    "scikit-learn": "scikit-learn",
    "nltk": "nltk",
}


class BatchError(ConfigError):
    """A batch cannot start: bad template, unknown parameter, no values to run."""


@dataclass(frozen=True)
class RunResult:
    """The outcome of one executed notebook.

    ``failed_cell`` is the 1-based cell number in the executed notebook (which includes the
    cell papermill injects after the ``parameters`` cell).
    """

    value: Any
    status: str
    notebook: Path | None
    duration_s: float
    parameters: dict[str, Any]
    reason: str | None = None
    error_type: str | None = None
    failed_cell: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    def as_dict(self, root: Path | None = None) -> dict[str, Any]:
        """JSON-ready record; the notebook path is relative to ``root`` when inside it."""
        return {
            "value": self.value,
            "status": self.status,
            "reason": self.reason,
            "error_type": self.error_type,
            "failed_cell": self.failed_cell,
            "notebook": _relative(self.notebook, root) if self.notebook else None,
            "duration_s": round(self.duration_s, 3),
            "parameters": self.parameters,
        }


@dataclass(frozen=True)
class BatchResult:
    """Every run of a batch, where the notebooks went and the manifest describing them."""

    runs: list[RunResult]
    out_dir: Path
    manifest_path: Path
    per: str = PERSONA
    failed: list[RunResult] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "failed", [r for r in self.runs if not r.ok])

    @property
    def ok(self) -> bool:
        """True when every run succeeded (the CLI exits non-zero otherwise)."""
        return not self.failed


def template_parameters(template: Path) -> dict[str, dict[str, Any]]:
    """The parameters a template declares, after checking it has one ``parameters`` cell.

    Returns papermill's ``inspect_notebook`` mapping: name → ``{name, inferred_type_name,
    default, help}``. Raises :class:`BatchError` naming the template and what was expected.
    """
    import nbformat
    import papermill

    template = Path(template)
    if not template.is_file():
        raise BatchError(f"{template}: template not found (expected a .ipynb notebook)")
    try:
        nb = nbformat.read(template, as_version=4)
    except Exception as exc:
        raise BatchError(f"{template}: not a readable notebook ({exc})") from exc
    tagged = [i + 1 for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        where = f" (cells {', '.join(map(str, tagged))})" if tagged else ""
        raise BatchError(
            f"{template}: found {len(tagged)} cells tagged {PARAMETERS_TAG!r}{where} "
            "(expected exactly one)"
        )
    try:
        return papermill.inspect_notebook(str(template))
    except Exception as exc:
        raise BatchError(f"{template}: cannot read its parameters ({exc})") from exc


def project_values(project: Project, per: str = PERSONA) -> list[str]:
    """The values of ``per`` found in the project, sorted: personas from the segments table,
    else from ``data/raw/participants.csv``."""
    segments = project.processed_file("segments.parquet")
    found: set[str] = set()
    if segments.is_file():
        import pandas as pd

        try:
            column = pd.read_parquet(segments, columns=[per])[per]
        except (KeyError, ValueError, OSError):
            column = None
        if column is not None:
            found = {str(v) for v in column.dropna() if str(v).strip()}
    if not found and project.participants_path.is_file():
        with open(project.participants_path, encoding="utf-8-sig", newline="") as stream:
            found = {
                row[per].strip() for row in csv.DictReader(stream) if (row.get(per) or "").strip()
            }
    if not found:
        raise BatchError(
            f"{project.root}: no values of {per!r} found in {segments} or "
            f"{project.participants_path} (expected a {per!r} column, or pass the values)"
        )
    return sorted(found)


def slug(value: Any) -> str:
    """File-name-safe form of a parameter value.

    Examples
    --------
    >>> slug("Remote Worker / UK"), slug(""), slug(3)
    ('remote-worker-uk', 'run', '3')
    """
    text = re.sub(r"[^0-9a-z]+", "-", str(value).casefold()).strip("-")
    return text[:60] or "run"


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------- worker side (picklable)


def warm_worker() -> None:
    """Import papermill and the kernel machinery once per worker process."""
    import jupyter_client  # noqa: F401
    import nbclient  # noqa: F401
    import papermill  # noqa: F401


# A worker starts the kernel of its next run while the current one runs (kernel start-up is
# most of a short run's overhead). Spares are per (kernel, cwd, thread): an asyncio kernel
# manager belongs to its thread's event loop. They are shut down when the worker exits.
_SPARES: dict[tuple[str, str, int], Any] = {}
_SPARES_LOCK = threading.Lock()
ENGINE_NAME = "workbench"


def _start_kernel(kernel: str, cwd: str) -> Any:
    """Start a kernel that talks over unix sockets in a directory of its own.

    With TCP, jupyter_client picks "free" ports by binding and releasing them, so kernels
    started at the same moment by two workers can be handed the same port; CI saw a run fail
    with ``ZMQError: Address already in use``. Socket files in a private directory cannot clash.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    sockets = tempfile.mkdtemp(prefix="workbench-kernel-")
    km = AsyncKernelManager(kernel_name=kernel, transport="ipc", ip=str(Path(sockets, "k")))
    km._workbench_sockets = sockets  # removed with the kernel
    run_sync(km.start_kernel)(cwd=cwd, extra_arguments=list(KERNEL_ARGUMENTS))
    return km


def _stop_kernel(km: Any) -> None:
    from jupyter_core.utils import run_sync

    if km.has_kernel:
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
    sockets = getattr(km, "_workbench_sockets", None)
    if sockets:
        shutil.rmtree(sockets, ignore_errors=True)


def _stop_spares() -> None:
    with _SPARES_LOCK:
        spares = list(_SPARES.values())
        _SPARES.clear()
    for km in spares:
        _stop_kernel(km)


def _kernel_for(kernel: str, cwd: str, prestart: bool) -> Any:
    """A started kernel for this run (the spare if alive); start the next run's spare."""
    from jupyter_core.utils import run_sync

    key = (kernel, cwd, threading.get_ident())
    with _SPARES_LOCK:
        km = _SPARES.pop(key, None)
    if km is not None and not run_sync(km.is_alive)():
        _stop_kernel(km)
        km = None
    km = km or _start_kernel(kernel, cwd)
    if prestart:
        spare = _start_kernel(kernel, cwd)
        with _SPARES_LOCK:
            if not _SPARES:
                atexit.register(_stop_spares)
                multiprocessing.util.Finalize(None, _stop_spares, exitpriority=10)
            _SPARES[key] = spare
    return km


def _register_engine() -> None:
    """A papermill engine that runs on a given, already started kernel and then shuts it down
    (papermill's own engine leaves a kernel it did not start running)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class PrestartedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            kwargs.pop("input_path", None)
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs.pop("km"),
                kernel_name=kernel_name,
                timeout=kwargs.pop("execution_timeout", None),
                startup_timeout=kwargs.pop("start_timeout", 60),
                **kwargs,
            )
            return client.execute(cleanup_kc=True)

    papermill_engines.register(ENGINE_NAME, PrestartedKernelEngine)  # idempotent


def _failed_cell(notebook: Path) -> int | None:
    """1-based number of the last cell papermill started (the one running when it failed)."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:
        return None
    started = [
        i + 1 for i, c in enumerate(nb.cells) if c.metadata.get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def _add_banner(notebook: Path, reason: str, cell: int | None) -> None:
    """Put a visible failure note at the top of an output notebook and flag it failed."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    if cell is not None and cell <= len(nb.cells):
        nb.cells[cell - 1].metadata.setdefault("papermill", {})["status"] = "failed"
    nb.metadata.setdefault("papermill", {})["exception"] = True
    banner = nbformat.v4.new_markdown_cell(
        f'<span style="color:red; font-size:2em">This run failed: {_escape(reason)}</span>'
    )
    banner.metadata["tags"] = ["workbench-failure"]
    nb.cells.insert(0, banner)
    write_text_atomic(nbformat.writes(nb), notebook)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _describe(exc: BaseException, notebook: Path, timeout: float | None) -> dict[str, Any]:
    """Status fields of a failed run, from the exception papermill raised."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    cell = _failed_cell(notebook) if notebook.is_file() else None
    if isinstance(exc, PapermillExecutionError):
        cell = exc.cell_index + 1
        evalue = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        return {
            "error_type": exc.ename,
            "reason": f"{exc.ename}: {evalue} (cell {cell})"
            if evalue
            else f"{exc.ename} (cell {cell})",
            "failed_cell": cell,
        }
    if isinstance(exc, CellTimeoutError):
        limit = f"the {timeout:g} s" if timeout else "the"
        reason = f"cell {cell} ran longer than {limit} timeout"
    elif isinstance(exc, DeadKernelError):
        reason = f"the kernel died while running cell {cell} (os._exit, a crash or out of memory)"
    else:
        first = (str(exc).strip().splitlines() or [""])[0]
        reason = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    if notebook.is_file():
        # the notebook is evidence only; the manifest records the failure either way
        with contextlib.suppress(Exception):
            _add_banner(notebook, reason, cell)
    return {"error_type": type(exc).__name__, "reason": reason, "failed_cell": cell}


def execute_run(spec: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook; never raises for a failing notebook. Top-level so it pickles.

    ``spec`` holds ``template``, ``output``, ``parameters``, ``cwd``, ``timeout``, ``kernel``.
    """
    import papermill

    output = Path(spec["output"])
    started = time.perf_counter()
    record: dict[str, Any] = {"status": OK, "reason": None, "error_type": None}
    record["failed_cell"] = None
    km = None
    try:
        _register_engine()
        km = _kernel_for(spec["kernel"], spec["cwd"], spec.get("prestart", False))
        papermill.execute_notebook(
            spec["template"],
            str(output),
            parameters=spec["parameters"],
            kernel_name=spec["kernel"],
            progress_bar=False,
            log_output=False,
            execution_timeout=spec["timeout"],
            shutdown_kernel="immediate",
            engine_name=ENGINE_NAME,
            km=km,
        )
    except Exception as exc:
        record.update(status=FAILED, **_describe(exc, output, spec["timeout"]))
    finally:
        if km is not None:  # shuts the kernel down if papermill failed before it took it
            _stop_kernel(km)
    record["duration_s"] = time.perf_counter() - started
    record["notebook_exists"] = output.is_file()
    return record


# ---------------------------------------------------------------- driver side


def _as_executor(executor: Any) -> cf.Executor:
    """A ``concurrent.futures`` executor; a dask ``Client`` is adapted by ``get_executor``."""
    if isinstance(executor, cf.Executor):
        return executor
    if hasattr(executor, "get_executor"):
        return executor.get_executor(pure=False)
    raise BatchError(
        f"executor {type(executor).__name__} is neither a concurrent.futures.Executor "
        "nor a dask.distributed Client"
    )


def _default_executor(workers: int) -> cf.ProcessPoolExecutor:
    # fork on Linux: workers inherit the imported papermill (warm at once) and, unlike spawn or
    # forkserver, do not re-import the caller's __main__ (a script without a main guard works)
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=warm_worker,
    )


def _new_run_dir(reports: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        run = reports / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            run.mkdir(parents=True)
            return run
        except FileExistsError:
            continue
    raise BatchError(f"{reports}: cannot create a new run folder for {stamp}")


def _kernel_spec(name: str) -> dict[str, Any]:
    """Where the kernel's spec was found and what it launches (the interpreter that ran)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel as exc:
        raise BatchError(
            f"no Jupyter kernel named {name!r} (expected one installed with ipykernel; "
            f"`{sys.executable} -m ipykernel install --sys-prefix` creates it)"
        ) from exc
    return {"name": name, "resource_dir": spec.resource_dir, "argv": spec.argv}


def _environment(project: Project) -> dict[str, Any]:
    versions = {}
    for name, dist in _DISTRIBUTIONS.items():
        try:
            versions[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[name] = None
    inputs = {
        _relative(p, project.root): _sha256(p) for p in sorted(project.processed.glob("*.parquet"))
    }
    try:
        from workbench.codebook import study_codebook

        codebook_hash = study_codebook(project.root).hash
    except Exception:  # an invalid codebook does not stop a batch; it is recorded as unknown
        codebook_hash = None
    return {
        "python": platform.python_version(),
        "packages": versions,
        "inputs": inputs,
        "codebook_hash": codebook_hash,
    }


def run_batch(
    template: Path,
    *,
    project: Project,
    per: str = PERSONA,
    values: list[Any] | None = None,
    parameters: dict[str, Any] | None = None,
    workers: int = 2,
    executor: cf.Executor | Any | None = None,
    out_dir: Path | None = None,
    timeout: float | None = 600,
    progress: bool = True,
) -> BatchResult:
    """Execute ``template`` once per value of parameter ``per``, in parallel.

    Parameters
    ----------
    template : Path
        A papermill notebook with exactly one cell tagged ``parameters`` that declares ``per``.
    project : Project
        The study; notebooks run with its root as working directory.
    per : str
        The parameter that varies between runs.
    values : list, optional
        Its values; default: the personas found in the project (see :func:`project_values`).
    parameters : dict, optional
        Parameters shared by every run. Names the template does not declare are refused.
    workers : int
        Size of the default local process pool (ignored when ``executor`` is given).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where runs execute; the caller keeps ownership (it is not shut down).
    out_dir : Path, optional
        Default ``<project>/reports/<YYYYmmdd-HHMMSS>/notebooks``.
    timeout : float or None
        Seconds one cell may run before the run fails; None for no limit.
    progress : bool
        Show a progress bar over completed runs.

    Returns
    -------
    BatchResult
        ``.ok`` is False when any run failed; each failure carries its reason.
    """
    from tqdm.auto import tqdm

    template = Path(template).resolve()
    root = Path(project.root).resolve()
    shared = dict(parameters or {})
    declared = template_parameters(template)
    unknown = sorted(set(shared) - set(declared)) + ([per] if per not in declared else [])
    if unknown:
        raise BatchError(
            f"{template}: unknown parameter(s) {', '.join(map(repr, unknown))} "
            f"(the template's parameters cell declares: {', '.join(declared) or 'nothing'})"
        )
    if per in shared:
        raise BatchError(f"parameter {per!r} is what varies between runs; do not also fix it")
    if workers < 1:
        raise BatchError(f"workers must be at least 1 (got {workers})")
    values = list(dict.fromkeys(values)) if values is not None else project_values(project, per)
    if not values:
        raise BatchError(f"no values of {per!r} to run {template.name} for")
    kernel = _kernel_spec(KERNEL_NAME)

    out_dir = Path(out_dir) if out_dir is not None else _new_run_dir(project.reports) / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    runs: list[dict[str, Any]] = []
    for value in values:
        name, n = f"{template.stem}-{slug(value)}", 2
        while name in names:
            name, n = f"{template.stem}-{slug(value)}-{n}", n + 1
        names.add(name)
        runs.append(
            {
                "template": str(template),
                "output": str((out_dir / f"{name}.ipynb").resolve()),
                "parameters": {**shared, per: value},
                "cwd": str(root),
                "timeout": timeout,
                "kernel": KERNEL_NAME,
            }
        )
    # in our own pool, start each worker's next kernel early, except for the last round
    n_workers = min(workers, len(runs))
    for i, spec in enumerate(runs):
        spec["prestart"] = executor is None and i < len(runs) - n_workers

    own = executor is None
    pool = _default_executor(n_workers) if own else _as_executor(executor)
    manifest_path = out_dir / MANIFEST_FILE
    results: list[RunResult | None] = [None] * len(runs)
    head = {
        "template": _relative(template, root),
        "template_sha256": _sha256(template),
        "per": per,
        "parameters": shared,
        "timeout_s": timeout,
        "kernel": kernel,
        "executor": type(executor if executor is not None else pool).__name__,
        "workers": n_workers if own else None,
        "started": _now(),
        **_environment(project),
    }

    def write_manifest(ended: str | None) -> None:
        entries = [
            r.as_dict(root)
            if r
            else {"value": s["parameters"][per], "status": PENDING, "parameters": s["parameters"]}
            for r, s in zip(results, runs, strict=True)
        ]
        body = {**head, "ended": ended, "ok": all(r and r.ok for r in results), "runs": entries}
        write_text_atomic(json.dumps(body, indent=2, default=str) + "\n", manifest_path)

    write_manifest(None)
    try:
        futures = {pool.submit(execute_run, spec): i for i, spec in enumerate(runs)}
        with tqdm(total=len(runs), desc=template.stem, unit="run", disable=not progress) as bar:
            for future in cf.as_completed(futures):
                i = futures[future]
                results[i] = _result(future, runs[i], per)
                bar.update(1)
                bar.set_postfix(failed=sum(1 for r in results if r and not r.ok))
                write_manifest(None)
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    write_manifest(_now())
    return BatchResult([r for r in results if r], out_dir, manifest_path, per)


def _result(future: cf.Future, spec: dict[str, Any], per: str) -> RunResult:
    output = Path(spec["output"])
    try:
        record = future.result()
    except Exception as exc:  # the worker itself died or could not run the task
        return RunResult(
            value=spec["parameters"][per],
            status=FAILED,
            notebook=output if output.is_file() else None,
            duration_s=0.0,
            parameters=spec["parameters"],
            reason=f"the worker running this notebook failed: {type(exc).__name__}: {exc}",
            error_type=type(exc).__name__,
        )
    return RunResult(
        value=spec["parameters"][per],
        status=record["status"],
        notebook=output if record["notebook_exists"] else None,
        duration_s=record["duration_s"],
        parameters=spec["parameters"],
        reason=record["reason"],
        error_type=record["error_type"],
        failed_cell=record["failed_cell"],
    )
