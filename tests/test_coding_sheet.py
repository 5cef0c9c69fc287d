"""`workbench codes next` writes a coding sheet; the filled sheet comes back with `codes import`."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbench import schema
from workbench.cli import main
from workbench.project import Project
from workbench.store import CodeStore


@pytest.fixture
def study(repo_root: Path, tmp_path: Path) -> Project:
    """The sample study, ingested (no tag yet: proposals come from the rules)."""
    shutil.copytree(repo_root / "data" / "raw", tmp_path / "data" / "raw")
    shutil.copy(repo_root / "study.yml", tmp_path / "study.yml")
    result = CliRunner().invoke(main, ["ingest", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return Project(tmp_path)


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_next_then_import_stores_exactly_the_filled_rows(study: Project, tmp_path: Path):
    sheet = tmp_path / "next.xlsx"
    run("codes", "next", "--project", str(study.root), "--n", "12", "--out", str(sheet))
    book = openpyxl.load_workbook(sheet)
    rows = book["to code"]
    header = [c.value for c in rows[1]]
    assert header[:5] == ["order", "participant", "where", "before", "text"]
    assert rows.max_row == 13 and {r.sqref.__str__() for r in rows.data_validations.dataValidation}
    stages = [v.formula1 for v in rows.data_validations.dataValidation]
    assert any("not codable" in f and "onboarding" in f for f in stages)
    assert "choices" in book.sheetnames
    participants = {rows.cell(row=r, column=2).value for r in range(2, 8)}
    assert len(participants) > 1  # turns spread over participants, not one interview
    col = {name: i + 1 for i, name in enumerate(header)}
    filled = {}
    for r, stage in ((2, "support"), (3, "onboarding"), (4, "not codable")):
        rows.cell(row=r, column=col["stage"], value=stage)
        filled[rows.cell(row=r, column=col["segment_id"]).value] = stage
    book.save(sheet)
    out = run("codes", "import", str(sheet), "--project", str(study.root), "--coder", "ana")
    assert "3 decision(s) imported" in out and "9 blank row(s) skipped" in out
    with CodeStore.for_project(study.root) as store:
        codes = store.current_codes("ana").set_index(schema.SEGMENT_ID)[schema.STAGE]
    expected = {k: (schema.NOT_CODABLE if v == "not codable" else v) for k, v in filled.items()}
    assert codes.to_dict() == expected
    again = tmp_path / "again.csv"
    run("codes", "next", "--project", str(study.root), "--n", "5", "--out", str(again))
    assert not set(filled) & set(again.read_text(encoding="utf-8-sig").split(","))  # coded: gone
    assert (tmp_path / "again-choices.csv").exists()


def test_unknown_code_in_the_sheet_names_row_and_column(study: Project, tmp_path: Path):
    sheet = tmp_path / "next.csv"
    run("codes", "next", "--project", str(study.root), "--n", "3", "--out", str(sheet))
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    rows[2][header.index("stage")] = "shopping"
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = CliRunner().invoke(
        main, ["codes", "import", str(sheet), "--project", str(study.root), "--coder", "ana"]
    )
    assert result.exit_code != 0
    assert "row 3" in result.output and "'stage'" in result.output and "shopping" in result.output


def test_formulas_in_quotes_stay_text(study: Project, tmp_path: Path, monkeypatch):
    import pandas as pd

    segments = pd.read_parquet(study.processed_file("segments.parquet"))
    segments[schema.TEXT] = '=HYPERLINK("http://x")' + segments[schema.TEXT]
    segments.to_parquet(study.processed_file("segments.parquet"))
    sheet = tmp_path / "next.xlsx"
    run("codes", "next", "--project", str(study.root), "--n", "3", "--out", str(sheet))
    cells = [c for row in openpyxl.load_workbook(sheet)["to code"].iter_rows() for c in row]
    texts = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert texts and all(c.data_type == "s" for c in texts)
