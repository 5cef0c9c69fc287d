"""Notebooks 02 and 03 run headlessly with papermill and a real kernel on a tagged study."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest

from tests.study_fixture import copy_study, tagged_coded_study  # noqa: F401
from workbench.project import Project

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
AGREEMENT = NOTEBOOKS / "02-check-agreement.ipynb"
EXPLORE = NOTEBOOKS / "03-explore-map.ipynb"


def run(path: Path, out: Path, parameters: dict, cwd: Path) -> list[dict]:
    papermill.execute_notebook(
        str(path), str(out), parameters=parameters, kernel_name="python3",
        progress_bar=False, shutdown_kernel="immediate", cwd=str(cwd),
    )  # fmt: skip
    notebook = nbformat.read(out, as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    return outputs


def data(outputs: list[dict], mime: str) -> list[str]:
    return [o["data"][mime] for o in outputs if mime in o.get("data", {})]


@pytest.mark.parametrize("path", [AGREEMENT, EXPLORE])
def test_first_code_cell_is_the_parameters_cell(path: Path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert 'project: str = "."' in code[0].source
    assert not [c for c in code if c.outputs], "notebooks are committed without outputs"


def test_agreement_notebook(tagged_coded_study: Project, tmp_path: Path):  # noqa: F811
    outputs = run(AGREEMENT, tmp_path / "02.ipynb", {"project": str(tagged_coded_study.root)},
                  tmp_path)  # fmt: skip
    html = "".join(data(outputs, "text/html"))
    for needle in ("kappa", "alpha", "n_units", "human-human", "human-model", "Priya Nair"):
        assert needle in html
    svgs = data(outputs, "image/svg+xml")
    assert svgs and "Agreement per code" in svgs[0]
    assert data(outputs, "application/vnd.jupyter.widget-view+json")


def test_explore_notebook_from_env_and_saves_a_note(
    tagged_coded_study: Project,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    study = copy_study(tagged_coded_study, tmp_path / "study")
    monkeypatch.setenv("WORKBENCH_PROJECT", str(study.root))  # project stays "."
    opportunity = "budget-family/billing/unexpected_charge"
    outputs = run(
        EXPLORE, tmp_path / "03.ipynb",
        {"persona": "budget-family", "note_opportunity": opportunity, "note_text": "clear bills"},
        tmp_path,
    )  # fmt: skip
    assert f"study: {study.root.resolve()}" in "".join(o.get("text", "") for o in outputs)
    assert data(outputs, "image/svg+xml")  # the map
    assert data(outputs, "application/vnd.jupyter.widget-view+json")  # the explorer
    notes = json.loads((study.codes / "opportunity_notes.json").read_text(encoding="utf-8"))
    assert notes["notes"][opportunity]["note"] == "clear bills"
    html = "".join(data(outputs, "text/html"))
    assert "pain_category" in html and "segment_id" in html  # opportunities and pins tables
    text = "".join(o.get("text", "") for o in outputs)
    assert "budget-family vs cautious-switcher" in text  # the map comparison ran
    assert "moved_because" in html and "sentiment_mean_a" in html


CODING = NOTEBOOKS / "01-code-interviews.ipynb"


@pytest.mark.parametrize("coder", ["researcher", "Priya Nair"])
def test_coding_notebook_runs_top_to_bottom_after_demo(
    tagged_coded_study: Project,  # noqa: F811
    tmp_path: Path,
    coder: str,
):
    """The state `make demo` leaves: coded.parquet (list columns as arrays) and two coders."""
    study = copy_study(tagged_coded_study, tmp_path / "study")
    assert study.processed_file("coded.parquet").is_file()
    outputs = run(CODING, tmp_path / "01.ipynb", {"PROJECT": str(study.root), "CODER": coder},
                  tmp_path)  # fmt: skip
    assert data(outputs, "application/vnd.jupyter.widget-view+json")  # the coding widget
    shown = "".join(data(outputs, "text/html")) + "".join(data(outputs, "text/plain"))
    if coder == "researcher":
        assert "researcher has not coded any segment yet" in shown
    else:
        assert "Sam Okafor" in shown and "kappa" in shown  # agreement with the other coder
