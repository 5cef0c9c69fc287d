"""The papermill templates run with a real kernel on a tagged copy of the sample study."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.codebook import builtin_codebook
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.tag.pipeline import tag

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journey_map.ipynb"


@pytest.fixture(scope="module")
def tagged_study(repo_root: Path, tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("study")
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    project = Project(root)
    ingest(project)
    tag(project, workers=1)
    return project


def test_template_has_one_typed_commented_parameters_cell():
    notebook = nbformat.read(TEMPLATE, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        assert ": " in line.split("=")[0] and "#" in line, line  # typed and commented
    inferred = papermill.inspect_notebook(str(TEMPLATE))
    assert {"project", "persona", "min_participants", "seed", "export_dir"} <= set(inferred)
    help_text = subprocess.run(
        [sys.executable, "-m", "papermill", "--help-notebook", str(TEMPLATE)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "the persona whose map to build" in help_text
    executed = [c for c in notebook.cells if c.cell_type == "code" and c.outputs]
    assert not executed, "templates are committed without outputs"


def test_template_runs_with_papermill_and_exports_charts(tagged_study: Project, tmp_path: Path):
    out = tmp_path / "out.ipynb"
    exports = tmp_path / "charts"
    papermill.execute_notebook(
        str(TEMPLATE),
        str(out),
        parameters={"project": str(tagged_study.root), "persona": "budget-family",
                    "export_dir": str(exports)},
        kernel_name="python3",
        progress_bar=False,
    )  # fmt: skip
    notebook = nbformat.read(out, as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= 4  # map, emotion curve, heatmap, pain-point priority
    html = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    for stage in builtin_codebook().stage_codes:
        assert stage in html
    png = (exports / "journey-map-budget-family.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size < 2_000_000


def test_batch_runs_the_template_per_persona(tagged_study: Project):
    result = CliRunner().invoke(
        main,
        ["batch", str(TEMPLATE), "--project", str(tagged_study.root), "--per", "persona",
         "--workers", "2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest_line = next(line for line in result.output.splitlines() if "Manifest:" in line)
    manifest = json.loads(Path(manifest_line.split("Manifest: ")[1]).read_text())
    statuses = {run["value"]: run["status"] for run in manifest["runs"]}
    assert statuses == {"budget-family": "ok", "cautious-switcher": "ok", "remote-worker": "ok"}


def test_batch_rejects_unknown_parameters_before_running(tagged_study: Project):
    result = CliRunner().invoke(
        main,
        ["batch", str(TEMPLATE), "--project", str(tagged_study.root), "-p", "colour", "red"],
    )
    assert result.exit_code == 1
    assert "colour" in result.output
