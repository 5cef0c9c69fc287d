"""Benchmark: ``run_batch`` with N workers against the same runs one after another.

Usage::

    .venv/bin/python benchmarks/batch.py [--runs 8] [--workers 2] [--seconds 2] [--work both]

A tiny template does about ``--seconds`` of its own work per run — ``sleep`` (``time.sleep``,
isolates the runner's overhead) or ``cpu`` (a pure-Python loop, competes for the cores with
kernel start-up) — and records how long that work took. For each kind of work the batch runs
once with one worker and once with ``--workers``; printed: wall times, the speed-up, and the
overhead per run above the notebook's own work, both inside a run (run duration − work, i.e.
kernel start, parameter injection, saving) and over the batch (wall × workers / runs − work).
Papermill's import is paid once before timing (the CLI pays it at start-up either way).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from workbench.batch import run_batch, template_parameters
from workbench.project import Project

WORK = """import time
t0 = time.perf_counter()
if work == "sleep":
    time.sleep(seconds)
else:
    n = 0
    while time.perf_counter() - t0 < seconds:
        n += sum(i * i for i in range(10_000))
elapsed = time.perf_counter() - t0
open(f"work-{persona}.txt", "w").write(str(elapsed))
"""


def write_template(path: Path) -> Path:
    nb = new_notebook()
    params = new_code_cell('persona = "x"  # who this run is for\nwork = "sleep"\nseconds = 2.0')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell(WORK), new_code_cell("print(persona, round(elapsed, 3))")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def one_batch(template: Path, root: Path, work: str, seconds: float, runs: int, workers: int):
    project = Project(root)
    values = [f"persona-{i}" for i in range(runs)]
    started = time.perf_counter()
    result = run_batch(
        template,
        project=project,
        values=values,
        parameters={"work": work, "seconds": seconds},
        workers=workers,
        out_dir=root / "reports" / f"{work}-{workers}",
        progress=False,
    )
    wall = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"runs failed: {[r.reason for r in result.failed]}")
    own = [float((root / f"work-{v}.txt").read_text()) for v in values]
    inside = [r.duration_s - w for r, w in zip(result.runs, own, strict=True)]
    manifest = json.loads(result.manifest_path.read_text())
    assert all(r["status"] == "ok" for r in manifest["runs"])
    return wall, statistics.mean(own), statistics.median(inside)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--work", choices=["sleep", "cpu", "both"], default="both")
    args = parser.parse_args(argv)
    kinds = ["sleep", "cpu"] if args.work == "both" else [args.work]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        template = write_template(root / "bench.ipynb")
        template_parameters(template)  # import papermill before timing
        print(f"{args.runs} runs, {args.seconds:g} s of work each; python {sys.version.split()[0]}")
        for work in kinds:
            serial, own1, in1 = one_batch(template, root, work, args.seconds, args.runs, 1)
            par, own2, in2 = one_batch(template, root, work, args.seconds, args.runs, args.workers)
            print(
                f"[{work}] 1 worker: {serial:.1f} s   {args.workers} workers: {par:.1f} s   "
                f"speed-up {serial / par:.2f}x (target >= 1.7)\n"
                f"[{work}] overhead per run inside a run (duration - work): "
                f"1 worker {in1:.2f} s, {args.workers} workers {in2:.2f} s (target <= 1.5)\n"
                f"[{work}] overhead per run over the batch (wall x workers / runs - work): "
                f"1 worker {serial / args.runs - own1:.2f} s, "
                f"{args.workers} workers {par * args.workers / args.runs - own2:.2f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
