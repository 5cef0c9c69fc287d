"""Tests of CSV / XLSX export and import of human codes."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from workbench.codes_io import export_codes, import_codes
from workbench.errors import ConfigError, InputError, UnsupportedFormatError
from workbench.schema import (
    CODER,
    EMOTION,
    GOAL,
    PAIN_POINT,
    SEGMENT_ID,
    SENTIMENT_LABEL,
    STAGE,
    TEXT,
    TOUCHPOINTS,
)
from workbench.store import ACTION, MEMO, CodeStore

STATE = [SEGMENT_ID, CODER, STAGE, TOUCHPOINTS, EMOTION, SENTIMENT_LABEL, PAIN_POINT, GOAL, MEMO]
HYPERLINK = '=HYPERLINK("http://x","y")'
TRICKY = {
    "s1": dict(
        stage="search",
        touchpoints=["web", "app, mobile"],
        pain_point=True,
        goal=False,
        memo=HYPERLINK,
        emotion="frustration",
        sentiment_label="negative",
    ),
    "s2": dict(stage="-3 stage", touchpoints=[], memo="@mention\nzweite Zeile: Grüße 👍"),
    "s3": dict(stage="+plus", touchpoints=["Filiale"], goal=True, memo="'already quoted"),
    "s4": dict(emotion="\tcalm", memo="''=twice", sentiment_label="=1+1"),
    "s5": dict(memo="'tis fine", touchpoints=["=cmd|' /C calc'!A0"]),
}


def _state(store: CodeStore) -> list[dict]:
    frame = store.current_codes()[STATE].astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


@pytest.fixture
def source(tmp_path):
    with CodeStore(tmp_path / "source.sqlite") as store:
        for segment, code in TRICKY.items():
            store.record(segment, "zoë", **code)
        store.record("s1", "ben", stage="pay", pain_point=False)
        yield store


@pytest.fixture
def target(tmp_path):
    with CodeStore(tmp_path / "target.sqlite") as store:
        yield store


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_keeps_every_code_exactly(source, target, tmp_path, suffix):
    path = export_codes(source, tmp_path / f"codes{suffix}")
    report = import_codes(target, path)
    assert (report.imported, report.unchanged, report.coders) == (6, 0, ["ben", "zoë"])
    assert _state(target) == _state(source)
    assert set(target.decisions()[ACTION]) == {"import"}
    # importing the same file again changes nothing
    again = import_codes(target, path)
    assert (again.imported, again.unchanged) == (0, 6)
    assert len(target.decisions()) == 6


def test_csv_export_guards_formula_cells(source, tmp_path):
    path = export_codes(source, tmp_path / "codes.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [value for row in rows for value in row.values() if value]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    by_id = {(row[SEGMENT_ID], row[CODER]): row for row in rows}
    assert by_id[("s1", "zoë")][MEMO] == "'" + HYPERLINK
    assert by_id[("s3", "zoë")][MEMO] == "''already quoted"
    assert by_id[("s5", "zoë")][MEMO] == "''tis fine"  # a leading quote is escaped too
    assert by_id[("s1", "zoë")][TOUCHPOINTS] == "web; app, mobile"
    assert (by_id[("s1", "zoë")][PAIN_POINT], by_id[("s1", "zoë")][GOAL]) == ("yes", "no")
    assert by_id[("s2", "zoë")][PAIN_POINT] == ""


def test_xlsx_export_has_no_formula_cells(source, tmp_path):
    path = export_codes(source, tmp_path / "codes.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in sheet[1]]
    memos = [row[header.index(MEMO)] for row in sheet.iter_rows(min_row=2)]
    link = [cell for cell in memos if cell.value == HYPERLINK]
    assert len(link) == 1 and link[0].data_type == "s"
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@\t"]
    assert len(formula_like) >= 5 and all(c.data_type == "s" for c in formula_like)


def test_export_adds_text_when_segments_are_given(source, tmp_path):
    segments = pd.DataFrame({SEGMENT_ID: ["s1", "s2"], TEXT: ["=SUM(A1)", "Hallo"]})
    path = export_codes(source, tmp_path / "codes.csv", segments=segments, coder="zoë")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns[:3]) == [SEGMENT_ID, CODER, TEXT]
    assert set(frame[CODER]) == {"zoë"}
    assert dict(zip(frame[SEGMENT_ID], frame[TEXT], strict=True)) == {
        "s1": "'=SUM(A1)",
        "s2": "Hallo",
        "s3": "",
        "s4": "",
        "s5": "",
    }


def test_export_refuses_raw_folder_and_unknown_formats(source, tmp_path):
    with pytest.raises(ConfigError, match="data/raw"):
        export_codes(source, tmp_path / "data" / "raw" / "codes.csv")
    assert not (tmp_path / "data").exists()
    with pytest.raises(UnsupportedFormatError, match=r"codes\.json"):
        export_codes(source, tmp_path / "codes.json")


def test_colleague_spreadsheet_with_semicolons_and_coder_argument(target, tmp_path):
    path = tmp_path / "colleague.csv"
    path.write_text(
        "Segment ID;Pain-Point;Touchpoints;Goal;Notes\n"
        "a1;Yes;app, web;0;ignored\n"
        ";;;;\n"
        'a2;no;"app; branch office";TRUE;\n'
        "a3;;;;\n",
        encoding="cp1252",
    )
    report = import_codes(target, path, coder="lena", session="import-1")
    assert (report.imported, report.ignored_columns, report.coders) == (2, ["notes"], ["lena"])
    assert report.blank == 1  # a3: an id and no code is no decision
    codes = {row[SEGMENT_ID]: row for row in target.current_codes().to_dict("records")}
    assert codes["a1"][TOUCHPOINTS] == ["app", "web"]
    assert codes["a2"][TOUCHPOINTS] == ["app", "branch office"]
    assert (codes["a1"][PAIN_POINT], codes["a1"][GOAL]) == (True, False)
    assert (codes["a2"][PAIN_POINT], codes["a2"][GOAL]) == (False, True)
    assert "a3" not in codes
    assert set(target.decisions()["session"]) == {"import-1"}


def test_absent_columns_keep_current_values_and_empty_cells_clear(target, tmp_path):
    target.record("s1", "ana", stage="search", emotion="joy", memo="keep me", pain_point=True)
    path = tmp_path / "partial.csv"
    path.write_text("segment_id,coder,stage,pain_point\ns1,ana,purchase,\n", encoding="utf-8")
    assert import_codes(target, path).imported == 1
    code = target.current_code("s1", "ana")
    assert (code[STAGE], code[EMOTION], code[MEMO], code[PAIN_POINT]) == (
        "purchase",
        "joy",
        "keep me",
        None,
    )


def test_xlsx_import_accepts_native_cell_types(target, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["segment_id", "coder", "pain_point", "goal", "stage"])
    book.active.append([7, "ana", True, 0, "search"])
    book.active.append(["s8", "ana", 1.0, None, None])
    book.save(tmp_path / "native.xlsx")
    import_codes(target, tmp_path / "native.xlsx")
    codes = {row[SEGMENT_ID]: row for row in target.current_codes().to_dict("records")}
    assert sorted(codes) == ["7", "s8"]
    assert (codes["7"][PAIN_POINT], codes["7"][GOAL], codes["7"][STAGE]) == (True, False, "search")
    assert codes["s8"][PAIN_POINT] is True and pd.isna(codes["s8"][STAGE])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "segment_id,coder,pain_point\ns1,ana,yes\ns2,ana,maybe\n",
            "bad.csv, row 3, column 'pain_point': 'maybe' is not a yes/no value",
        ),
        ("segment_id,coder,stage\ns1,ana,a\n,ana,b\n", "bad.csv, row 3, column 'segment_id'"),
        ("segment_id,coder,stage\ns1,ana,a\ns1,ana,b\n", "row 3, column 'segment_id': segment"),
        ("segment_id,stage\ns1,a\n", "no coder column"),
        ("coder,stage\nana,a\n", "no segment id column"),
        ("segment_id,coder,comment\ns1,ana,x\n", "no code column"),
        ("segment_id,coder,stage\ns1,ben,a\n", "row 2, column 'coder': coder 'ben' contradicts"),
    ],
)
def test_bad_rows_name_file_row_and_column_and_write_nothing(target, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    coder = "ana" if "contradicts" in message else None
    with pytest.raises(InputError) as info:
        import_codes(target, path, coder=coder)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert target.decisions().empty


def test_unknown_segments_are_rejected_with_a_list_or_imported_and_reported(target, tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("segment_id,coder,stage\ns1,ana,a\nold-7,ana,b\nold-9,ana,c\n", "utf-8")
    segments = pd.DataFrame({SEGMENT_ID: ["s1", "s2"], TEXT: ["x", "y"]})
    with pytest.raises(InputError) as info:
        import_codes(target, path, segments=segments)
    assert "2 segment id(s)" in str(info.value)
    assert "'old-7' (row 3), 'old-9' (row 4)" in str(info.value)
    assert target.decisions().empty
    report = import_codes(target, path, segments=segments, allow_unknown=True)
    assert report.unknown_segments == ["old-7", "old-9"]
    assert report.imported == 3
    assert target.orphans(segments[SEGMENT_ID])[SEGMENT_ID].tolist() == ["old-7", "old-9"]


def test_unreadable_inputs_are_input_errors(target, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match=r"fake\.xlsx: not a readable \.xlsx"):
        import_codes(target, fake)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv"):
        import_codes(target, empty)
    with pytest.raises(UnsupportedFormatError):
        import_codes(target, tmp_path / "codes.json")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_on_real_customer_queries(shared_data, tmp_path, suffix):
    queries = pd.read_csv(shared_data / "banking77" / "train.csv", dtype=str).head(400)
    mapping = pd.read_csv(shared_data / "banking77" / "journey_map.csv", dtype=str)
    stages = dict(zip(mapping["category"], mapping[STAGE], strict=True))
    channels = dict(zip(mapping["category"], mapping["channel"].fillna(""), strict=True))
    segments = pd.DataFrame(
        {SEGMENT_ID: [f"b77-{i}" for i in queries.index], TEXT: queries["text"]}
    )
    with CodeStore(tmp_path / "a.sqlite") as source, CodeStore(tmp_path / "b.sqlite") as target:
        source.record_many(
            {
                SEGMENT_ID: segment,
                CODER: "ana",
                STAGE: stages[category],
                MEMO: text,
                TOUCHPOINTS: [channels[category]] if channels[category] else [],
                PAIN_POINT: stages[category] == "problem_resolution",
            }
            for segment, text, category in zip(
                segments[SEGMENT_ID], queries["text"], queries["category"], strict=True
            )
        )
        path = export_codes(source, tmp_path / f"real{suffix}", segments=segments)
        report = import_codes(target, path, segments=segments)
        assert report.imported == 400 and report.ignored_columns[0] == TEXT
        assert _state(target) == _state(source)
