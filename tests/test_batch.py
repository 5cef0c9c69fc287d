"""Batch runs with real papermill and real kernels (one shared batch keeps the file fast)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from workbench.batch import (
    FAILED,
    OK,
    BatchError,
    project_values,
    run_batch,
    slug,
    template_parameters,
)
from workbench.errors import ConfigError
from workbench.project import Project
from workbench.schema import PARTICIPANT_ID, PERSONA

GOOD = ["remote-worker", "budget family", "cautious-switcher"]
BAD = ["bad", "dead", "slow"]
CELLS = [
    'import os, pathlib, time\npathlib.Path(f"ran-{slug}.txt").write_text(os.getcwd())',
    'if persona == "bad":\n    raise ValueError(f"no journey for {persona}")',
    'if persona == "dead":\n    os._exit(1)',
    'if persona == "slow":\n    time.sleep(60)',
    "print(greeting, persona)",
]


def make_template(path: Path, params: str | None = None, n_tagged: int = 1) -> Path:
    nb = new_notebook()
    cells = []
    for _ in range(n_tagged):
        cell = new_code_cell(params or 'persona = "x"\nslug = "x"\ngreeting = "hello"')
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    nb.cells = cells + [new_code_cell(src) for src in CELLS]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def make_project(root: Path, personas: list[str]) -> Project:
    (root / "data" / "raw").mkdir(parents=True)
    with open(root / "data" / "raw" / "participants.csv", "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([PARTICIPANT_ID, PERSONA])
        writer.writerows([f"P{i:02d}", p] for i, p in enumerate(personas))
    return Project(root)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Six runs over two workers: three good personas, an error, a dead kernel, a timeout."""
    root = tmp_path_factory.mktemp("study")
    project = make_project(root, GOOD + BAD)
    project.processed.mkdir(parents=True)
    pd.DataFrame({PERSONA: ["a"]}).to_parquet(project.processed_file("other.parquet"))
    template = make_template(root / "persona-report.ipynb")
    # values come from the project (participants.csv); "slug" is shared by every run
    result = run_batch(
        template,
        project=project,
        parameters={"greeting": "hi"},
        workers=2,
        timeout=3,
        progress=False,
    )
    return project, template, result


def test_good_runs_execute_with_the_parameter_injected(batch):
    project, _, result = batch
    by_value = {r.value: r for r in result.runs}
    assert sorted(by_value) == sorted(GOOD + BAD)
    for value in GOOD:
        run = by_value[value]
        assert run.status == OK and run.reason is None
        assert run.notebook == result.out_dir / f"persona-report-{slug(value)}.ipynb"
        nb = nbformat.read(run.notebook, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        assert f"persona = {value!r}".replace("'", '"') in injected[0].source
        printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        assert printed.strip() == f"hi {value}"
        # the kernel ran in the project root
        assert (project.root / "ran-x.txt").read_text() == str(project.root.resolve())


def test_failures_are_isolated_with_their_reason(batch):
    _, _, result = batch
    assert not result.ok
    failed = {r.value: r for r in result.failed}
    assert sorted(failed) == sorted(BAD)
    bad, dead, slow = failed["bad"], failed["dead"], failed["slow"]
    assert bad.error_type == "ValueError" and "no journey for bad" in bad.reason
    assert dead.error_type == "DeadKernelError" and "kernel died" in dead.reason
    assert slow.error_type == "CellTimeoutError" and "3 s timeout" in slow.reason
    # the failing cell is named: template cell + the injected-parameters cell, 1-based
    assert (bad.failed_cell, dead.failed_cell, slow.failed_cell) == (4, 5, 6)
    for run in (dead, slow):  # papermill leaves no banner for these; the runner adds one
        nb = nbformat.read(run.notebook, as_version=4)
        assert "This run failed" in nb.cells[0].source
        assert nb.cells[run.failed_cell].metadata["papermill"]["status"] == "failed"


def test_manifest_records_runs_and_provenance(batch):
    project, template, result = batch
    assert result.manifest_path == result.out_dir / "manifest.json"
    assert result.out_dir.parent.parent == project.reports
    assert result.out_dir.name == "notebooks"
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["template_sha256"] == hashlib.sha256(template.read_bytes()).hexdigest()
    assert manifest["parameters"] == {"greeting": "hi"}
    assert manifest["ok"] is False and manifest["ended"] >= manifest["started"]
    assert set(manifest["packages"]) >= {"workbench", "papermill", "pandas", "scikit-learn"}
    assert manifest["packages"]["papermill"]
    parquet = project.processed_file("other.parquet")
    assert manifest["inputs"] == {
        "data/processed/other.parquet": hashlib.sha256(parquet.read_bytes()).hexdigest()
    }
    assert manifest["codebook_hash"]
    runs = {r["value"]: r for r in manifest["runs"]}
    assert {v: r["status"] for v, r in runs.items()} == {
        **dict.fromkeys(GOOD, OK),
        **dict.fromkeys(BAD, FAILED),
    }
    assert runs["dead"]["reason"] == next(r.reason for r in result.runs if r.value == "dead")
    assert runs["bad"]["parameters"] == {"greeting": "hi", "persona": "bad"}
    assert (project.root / runs["bad"]["notebook"]).is_file()
    assert all(r["duration_s"] > 0 for r in runs.values())


def test_unknown_parameters_are_rejected_before_running(tmp_path):
    project = make_project(tmp_path / "study", GOOD)
    template = make_template(tmp_path / "t.ipynb")
    with pytest.raises(BatchError, match=r"'colour'.*declares: persona, slug, greeting"):
        run_batch(template, project=project, parameters={"colour": "red"}, progress=False)
    with pytest.raises(ConfigError, match="'segment'"):
        run_batch(template, project=project, per="segment", values=["a"], progress=False)
    assert not project.reports.exists()


@pytest.mark.parametrize("n_tagged", [0, 2])
def test_template_needs_exactly_one_parameters_cell(tmp_path, n_tagged):
    template = make_template(tmp_path / "t.ipynb", n_tagged=n_tagged)
    with pytest.raises(BatchError, match=f"found {n_tagged} cells tagged 'parameters'"):
        template_parameters(template)


def test_personas_come_from_segments_then_participants(tmp_path):
    project = make_project(tmp_path, ["b-persona", "a-persona", "b-persona", ""])
    assert project_values(project) == ["a-persona", "b-persona"]
    project.processed.mkdir(parents=True)
    frame = pd.DataFrame({PERSONA: ["z", None, "y", "z"]})
    frame.to_parquet(project.processed_file("segments.parquet"))
    assert project_values(project) == ["y", "z"]
    with pytest.raises(BatchError, match="no values of 'region'"):
        project_values(project, "region")


def test_runs_on_a_dask_cluster_and_without_venv_on_path(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    project = make_project(tmp_path / "study", GOOD)
    template = make_template(tmp_path / "t.ipynb")
    # the kernel is found and launched with this interpreter even when PATH lacks .venv/bin
    monkeypatch.setenv("PATH", "/nonexistent")
    with (
        distributed.LocalCluster(
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = run_batch(
            template, project=project, values=["A b", "a-b"], executor=client, progress=False
        )
    assert result.ok, [r.reason for r in result.failed]
    assert [r.value for r in result.runs] == ["A b", "a-b"]
    # values with the same slug get distinct notebooks
    assert [r.notebook.name for r in result.runs] == ["t-a-b.ipynb", "t-a-b-2.ipynb"]
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["executor"] == "Client" and manifest["workers"] is None
    for run in result.runs:
        nb = nbformat.read(run.notebook, as_version=4)
        assert "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip() == (
            f"hello {run.value}"
        )


def test_kernels_talk_over_private_unix_sockets(tmp_path):
    """Kernels started at once by two workers cannot be handed the same TCP port (CI saw
    'Address already in use'): each kernel's sockets are files in a directory of its own,
    removed with the kernel."""
    from workbench.batch import _start_kernel, _stop_kernel

    first, second = (_start_kernel("python3", str(tmp_path)) for _ in range(2))
    try:
        for km in (first, second):
            assert km.transport == "ipc"
            assert Path(km.ip).parent.is_dir()
        assert Path(first.ip).parent != Path(second.ip).parent
    finally:
        for km in (first, second):
            _stop_kernel(km)
    assert not Path(first.ip).parent.exists() and not Path(second.ip).parent.exists()
    assert not list(tmp_path.iterdir())  # nothing written in the study folder
