"""Survey readers: vendor layouts, question kinds, offsets, errors (workbench.ingest.survey)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench import schema
from workbench.errors import ConfigError, EmptyFileError, InputError
from workbench.ingest.base import SurveyResult, decode
from workbench.ingest.survey import SurveyOptions, read_survey_text, read_survey_xlsx

from .office_files import with_entity

QUALTRICS = "formats/qualtrics"
NOT_ANSWERS = {schema.KIND_METADATA, schema.KIND_ID}  # columns that are never answers
BRIGHTWAVE = Path("data/raw/surveys/brightwave_cx_survey_2026-10.csv")


def _csv(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _kinds(result: SurveyResult) -> dict[str, tuple[str, str | None]]:
    q = result.questions
    return {
        qid: (kind, None if pd.isna(metric) else metric)
        for qid, kind, metric in zip(
            q[schema.QUESTION_ID], q[schema.QUESTION_KIND], q[schema.QUESTION_METRIC], strict=True
        )
    }


def _assert_offsets(result: SurveyResult) -> None:
    assert result.answers
    lines = result.text.split("\n")
    for answer in result.answers:
        cell = result.text[answer.char_start : answer.char_end]
        if '"' in answer.text:
            # the span covers the raw quoted cell: drop the enclosing quotes, unescape ""
            inner = cell[1:-1] if cell.startswith('"') and cell.endswith('"') else cell
            assert inner.replace('""', '"') == answer.text
        else:
            assert cell == answer.text
        # the answer's record starts on its line: the line holds (the start of) the cell
        assert result.text.count("\n", 0, answer.char_start) + 1 >= answer.line
        assert lines[answer.line - 1]


def _qid(result: SurveyResult, text: str) -> str:
    q = result.questions
    [qid] = q.loc[q[schema.QUESTION_TEXT] == text, schema.QUESTION_ID]
    return qid


def _responses(result: SurveyResult, qid: str) -> dict[str, str]:
    r = result.responses[result.responses[schema.QUESTION_ID] == qid]
    return dict(zip(r[schema.RESPONDENT_ID], r[schema.VALUE], strict=True))


# --- real Qualtrics exports ------------------------------------------------------------------


def test_real_qualtrics_export(shared_data: Path) -> None:
    path = shared_data / QUALTRICS / "qualtRics_sample.csv"
    result = read_survey_text(decode(path.read_bytes(), path.name).text, path.name)
    assert result.format == "qualtrics"
    q = result.questions.set_index(schema.QUESTION_ID)
    assert q.loc["Q1", schema.QUESTION_TEXT] == "This is a multiple choice question."
    assert q.loc["Q2", schema.QUESTION_TEXT] == "This is a free text question."
    assert q.loc["Q1", schema.QUESTION_POSITION] == 18
    kinds = _kinds(result)
    assert kinds["Q1"][0] == schema.KIND_CHOICE
    assert kinds["Q2"][0] == schema.KIND_OPEN
    for meta in ("StartDate", "ResponseId", "IPAddress", "Duration (in seconds)", "Q2 - Topics"):
        assert kinds[meta][0] in NOT_ANSWERS, meta
    assert _responses(result, "Q1") == {"R_2YPOQ602ER1jkf1": "2"}
    assert len(result.answers) == 1
    answer = result.answers[0]
    assert (answer.respondent_id, answer.question_id, answer.text, answer.line) == (
        "R_2YPOQ602ER1jkf1",
        "Q2",
        "Hello World!",
        4,
    )
    _assert_offsets(result)


def test_real_qualtrics_legacy_export(shared_data: Path) -> None:
    path = shared_data / QUALTRICS / "qualtRics_sample_legacy.csv"
    decoded = decode(path.read_bytes(), path.name)  # has a UTF-8 BOM and a trailing comma
    result = read_survey_text(decoded.text, path.name)
    assert result.format == "qualtrics-legacy"
    q = result.questions.set_index(schema.QUESTION_ID)
    assert q.loc["V1", schema.QUESTION_TEXT] == "ResponseID"
    assert q.loc["Q2", schema.QUESTION_TEXT] == "This is a free text question."
    assert "" not in q.index and len(q) == 15  # the empty trailing column is dropped
    kinds = _kinds(result)
    assert {kinds[f"V{i}"][0] for i in range(1, 11)} <= NOT_ANSWERS
    assert kinds["V1"][0] == schema.KIND_ID  # ResponseID, the respondent id
    assert kinds["LocationAccuracy"][0] == schema.KIND_METADATA
    assert kinds["Q2"][0] == schema.KIND_OPEN
    assert _responses(result, "Q1") == {"R_2YPOQ602ER1jkf1": "2"}
    [answer] = result.answers
    assert (answer.respondent_id, answer.text, answer.line) == (
        "R_2YPOQ602ER1jkf1",
        "Hello World!",
        3,
    )
    _assert_offsets(result)


# --- Qualtrics (current) inline -------------------------------------------------------------

QUAL_IDS = ["StartDate", "ResponseId", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6_TEXT", "persona"]
QUAL_TEXTS = [
    "Start Date",
    "Response ID",
    "How likely are you to recommend Brightwave to a friend or colleague?",
    "Overall, how satisfied are you\nwith Brightwave?",  # a multi-line header cell
    "How easy was it to get your issue resolved?",
    "Which channels have you used? (select all that apply)",
    "What is your main reason for contacting us?",
    "What could we do better?",
    "persona",
]
QUAL_IMPORT = [
    '{"ImportId":"startDate","timeZone":"Europe/London"}',
    '{"ImportId":"_recordId"}',
    '{"ImportId":"QID1"}',
    '{"ImportId":"QID2"}',
    '{"ImportId":"QID3"}',
    '{"ImportId":"QID4"}',
    '{"ImportId":"QID5"}',
    '{"ImportId":"QID6_TEXT"}',
    '{"ImportId":"persona"}',
]
T0 = "2026-10-01 09:00:00"
QUAL_ROWS = [
    [T0, "R_a1", "9", "4", "6", "App,Webchat", "Billing", "Fix the app", "remote-worker"],
    [T0, "R_b2", "3", "2", "2", "Phone", "Fault", 'He said "soon"\nthen nothing', "budget-family"],
    [T0, "R_c3", "10", "5", "7", "App", "Billing", "", "cautious-switcher"],
    [T0, "R_d4", "0", "1", "1", "Phone,Store", "Moving", "NA", "Budget-Family"],
    [T0, "R_e5", "7", "3", "4", "Webchat,App", "Fault", "  ", "remote-worker"],
    [T0, "R_f6", "8", "4", "5", "Store", "Billing", "Cheaper please", "budget-family"],
]


def _qualtrics(delimiter: str = ",", newline: str = "\n") -> str:
    rows = [[cell.replace("\n", newline) for cell in row] for row in QUAL_ROWS]
    return _csv([QUAL_IDS, QUAL_TEXTS, QUAL_IMPORT, *rows], delimiter, newline)


@pytest.mark.parametrize(("delimiter", "name"), [(",", "s.csv"), ("\t", "s.tsv")])
def test_qualtrics_layout_kinds_and_values(delimiter: str, name: str) -> None:
    result = read_survey_text(_qualtrics(delimiter), name)
    assert result.format == "qualtrics"
    kinds = _kinds(result)
    assert kinds["Q1"] == (schema.KIND_NPS, schema.METRIC_NPS)
    assert kinds["Q2"] == (schema.KIND_RATING, schema.METRIC_CSAT)
    assert kinds["Q3"] == (schema.KIND_RATING, schema.METRIC_CES)
    assert kinds["Q4"][0] == schema.KIND_MULTI  # comma-joined multi-select
    assert kinds["Q5"][0] == schema.KIND_CHOICE
    assert kinds["Q6_TEXT"][0] == schema.KIND_OPEN
    for meta in ("StartDate", "ResponseId", "persona"):
        assert kinds[meta][0] in NOT_ANSWERS
    q = result.questions.set_index(schema.QUESTION_ID)
    assert q.loc["Q2", schema.QUESTION_TEXT] == "Overall, how satisfied are you with Brightwave?"
    assert list(result.questions[schema.QUESTION_POSITION]) == list(range(1, 10))
    # responses: closed questions only, strings as exported, numbers where numeric
    assert set(result.responses[schema.QUESTION_ID]) == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    assert _responses(result, "Q4")["R_a1"] == "App,Webchat"
    row = result.responses[
        (result.responses[schema.RESPONDENT_ID] == "R_c3")
        & (result.responses[schema.QUESTION_ID] == "Q1")
    ].iloc[0]
    assert (row[schema.VALUE], row[schema.VALUE_NUM], row[schema.PERSONA]) == (
        "10",
        10.0,
        "cautious-switcher",
    )
    assert math.isnan(
        result.responses[result.responses[schema.QUESTION_ID] == "Q5"][schema.VALUE_NUM].iloc[0]
    )
    assert len(result.responses) == 6 * 5
    # personas as written; open answers: blank and white-space cells skipped, "NA" kept
    by_id = {a.respondent_id: a for a in result.answers}
    assert set(by_id) == {"R_a1", "R_b2", "R_d4", "R_f6"}
    assert by_id["R_d4"].text == "NA" and by_id["R_d4"].persona == "Budget-Family"
    assert by_id["R_b2"].text == 'He said "soon"\nthen nothing'
    # line of the record's start: 3 header lines, the 2nd header holds a line break
    assert by_id["R_a1"].line == 5 and by_id["R_b2"].line == 6 and by_id["R_d4"].line == 9
    _assert_offsets(result)


def test_offsets_exact_without_escaped_quotes_and_crlf() -> None:
    text = _qualtrics(newline="\r\n")
    result = read_survey_text(text, "s.csv")
    by_id = {a.respondent_id: a for a in result.answers}
    a = by_id["R_f6"]
    assert text[a.char_start : a.char_end] == "Cheaper please"
    b = by_id["R_b2"]  # escaped quotes: the span covers the raw cell, text is unescaped
    assert text[b.char_start : b.char_end] == '"He said ""soon""\r\nthen nothing"'
    assert b.text == 'He said "soon"\r\nthen nothing'
    assert (a.line, b.line) == (11, 6)


def test_old_mac_cr_only_line_ends_with_line_breaks_inside_cells() -> None:
    # Excel's "CSV (Macintosh)": records end with a lone CR; a cell's line break stays LF
    text = (
        "id,Plan,Comments\r"
        'R1,Fibre,"Slow router\nfor weeks"\r'
        'R2,Fibre,"Rang twice\r\nthen gave up"\r'
        "R3,Copper,Fine\r"
        'R4,Copper,"The engineer\rwas late"\r'
    )
    result = read_survey_text(text, "mac.csv", SurveyOptions(open_questions=["comments"]))
    assert [(a.respondent_id, a.text, a.line) for a in result.answers] == [
        ("R1", "Slow router\nfor weeks", 2),
        ("R2", "Rang twice\r\nthen gave up", 4),
        ("R3", "Fine", 6),
        ("R4", "The engineer\rwas late", 7),
    ]
    for answer in result.answers:
        assert text[answer.char_start : answer.char_end] == answer.text
    plans = _responses(result, "plan")
    assert plans == {"R1": "Fibre", "R2": "Fibre", "R3": "Copper", "R4": "Copper"}


def test_old_mac_line_ends_in_errors_and_in_the_delimiter_guess() -> None:
    text = "id,Comments\r1,a;b;c;d\r2,fine\r3,x,y\r"  # more ';' in the file than ','
    with pytest.raises(InputError) as info:
        read_survey_text(text, "mac.csv")
    assert info.value.line == 4 and "line 4 has 3 fields" in str(info.value)
    raw = "id,Comments\r1,ok\r2,caf\xe9\xff\r".encode("latin-1")
    [warning] = decode(raw, "mac.csv").warnings
    assert warning.startswith("mac.csv: not valid UTF-8 (byte 22, line 3)")


# --- SurveyMonkey ----------------------------------------------------------------------------

SM_HEAD = [
    ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
     "First Name", "Last Name", "Custom Data 1",
     "How likely is it that you would recommend Brightwave to a friend?",
     "Which of these did you use?", "", "", "Why did you choose Brightwave?"],
    ["", "", "", "", "", "", "", "", "", "Response", "App", "Webchat", "Other (please specify)",
     "Open-Ended Response"],
]  # fmt: skip
SM_ROWS = [
    ["114000001", "4001", "10/01/2026 09:00:00 AM", "10/01/2026 09:04:00 AM", "1.2.3.4", "", "",
     "", "", "9", "App", "", "", "Cheapest fibre deal in my area"],
    ["114000002", "4001", "10/01/2026 10:00:00 AM", "10/01/2026 10:06:00 AM", "1.2.3.5", "", "",
     "", "", "4", "App", "Webchat", "the shop", "A friend recommended them"],
    ["114000003", "4001", "10/01/2026 11:00:00 AM", "10/01/2026 11:03:00 AM", "1.2.3.6", "", "",
     "", "", "10", "", "Webchat", "", ""],
]  # fmt: skip


def _check_surveymonkey(result: SurveyResult) -> None:
    assert result.format == "surveymonkey"
    kinds = _kinds(result)
    q = result.questions.set_index(schema.QUESTION_ID)
    nps = _qid(result, SM_HEAD[0][9])
    assert kinds[nps] == (schema.KIND_NPS, schema.METRIC_NPS)
    assert kinds["which_of_these_did_you_use_app"][0] == schema.KIND_CHOICE
    assert q.loc["which_of_these_did_you_use_webchat", schema.QUESTION_TEXT] == (
        "Which of these did you use? — Webchat"
    )
    other = "which_of_these_did_you_use_other_please_specify"
    assert kinds[other][0] == schema.KIND_OPEN
    assert kinds["why_did_you_choose_brightwave"][0] == schema.KIND_OPEN
    for meta in ("respondent_id", "collector_id", "ip_address", "custom_data_1", "start_date"):
        assert kinds[meta][0] in NOT_ANSWERS, meta
    assert _responses(result, nps) == {"114000001": "9", "114000002": "4", "114000003": "10"}
    assert sorted((a.respondent_id, a.question_id, a.text) for a in result.answers) == [
        ("114000001", "why_did_you_choose_brightwave", "Cheapest fibre deal in my area"),
        ("114000002", other, "the shop"),
        ("114000002", "why_did_you_choose_brightwave", "A friend recommended them"),
    ]
    _assert_offsets(result)


def test_surveymonkey_csv() -> None:
    result = read_survey_text(_csv([*SM_HEAD, *SM_ROWS]), "sm.csv")
    _check_surveymonkey(result)
    assert {a.line for a in result.answers} == {3, 4}


def test_surveymonkey_xlsx() -> None:
    raw = _xlsx([*SM_HEAD, *SM_ROWS])
    result = read_survey_xlsx(raw, "sm.xlsx")
    _check_surveymonkey(result)
    # the rendering: one line per sheet row, cells joined by tabs
    lines = result.text.split("\n")
    assert len(lines) == 5 and lines[0].startswith("Respondent ID\tCollector ID\t")
    assert {a.line for a in result.answers} == {3, 4}


# --- Google Forms ----------------------------------------------------------------------------


def test_google_forms_numbers_respondents_and_warns() -> None:
    text = _csv(
        [
            ["Timestamp", "How satisfied were you with your installation?", "Any comments?"],
            ["2026/10/01 9:00:00 AM GMT+1", "5", "The engineer was on time and tidy"],
            ["2026/10/01 9:30:00 AM GMT+1", "2", "Waited in all day, nobody came"],
        ]
    )
    result = read_survey_text(text, "forms.csv")
    assert result.format == "google-forms"
    assert [a.respondent_id for a in result.answers] == ["forms.csv:row-1", "forms.csv:row-2"]
    assert any("no respondent id column" in w for w in result.warnings)
    kinds = _kinds(result)
    assert kinds["timestamp"][0] == schema.KIND_METADATA
    assert kinds["how_satisfied_were_you_with_your_installation"] == (
        schema.KIND_RATING,
        schema.METRIC_CSAT,
    )
    assert kinds["any_comments"][0] == schema.KIND_OPEN
    q = result.questions.set_index(schema.QUESTION_ID)
    assert q.loc["any_comments", schema.QUESTION_TEXT] == "Any comments?"
    _assert_offsets(result)


def test_google_forms_uses_email_as_id() -> None:
    text = _csv(
        [
            ["Timestamp", "Email Address", "Why did you leave?"],
            ["2026/10/01 9:00:00", "a@example.org", "Price went up by £6 a month"],
            ["2026/10/01 9:10:00", "b@example.org", "Too many outages"],
        ]
    )
    result = read_survey_text(text, "forms.csv")
    assert [a.respondent_id for a in result.answers] == ["a@example.org", "b@example.org"]
    assert any("'Email Address' as the id" in w for w in result.warnings)


# --- generic CSV / XLSX ----------------------------------------------------------------------

GENERIC = [
    ["respondent_id", "Segment", "Rate our app (1-5)", "Plan", "Comments"],
    ["007", "remote-worker", "5", "NA", "Upload speed is great for video calls"],
    ["008", "budget-family", "N/A", "None", "The price rise letter was a shock"],
    ["009", "budget-family", "3", "Fibre 500", ""],
]


def test_generic_csv_keeps_strings_as_exported() -> None:
    result = read_survey_text(_csv(GENERIC), "generic.csv")
    assert result.format == "generic"
    kinds = _kinds(result)
    assert kinds["respondent_id"][0] == schema.KIND_ID
    roles = result.questions.set_index(schema.QUESTION_ID)[schema.QUESTION_ROLE]
    assert (roles["respondent_id"], roles["segment"]) == ("respondent_id", "persona")
    assert kinds["segment"][0] == schema.KIND_METADATA  # the persona column
    assert kinds["comments"][0] == schema.KIND_OPEN
    plan = _responses(result, "plan")
    assert plan == {"007": "NA", "008": "None", "009": "Fibre 500"}
    rate = result.responses[result.responses[schema.QUESTION_ID] == "rate_our_app_1_5"]
    assert list(rate[schema.VALUE]) == ["5", "N/A", "3"]
    assert list(rate[schema.VALUE_NUM].fillna(-1)) == [5.0, -1, 3.0]
    assert list(rate[schema.PERSONA]) == ["remote-worker", "budget-family", "budget-family"]
    assert str(result.responses[schema.RESPONDENT_ID].dtype) == schema.STRING
    assert result.answers[0].respondent_id == "007"
    _assert_offsets(result)


def test_generic_xlsx() -> None:
    rows = [list(r) for r in GENERIC]
    rows[1][2] = 5  # a real number cell: rendered "5", not "5.0"
    result = read_survey_xlsx(_xlsx(rows), "generic.xlsx")
    assert result.format == "generic"
    assert _responses(result, "rate_our_app_1_5") == {"007": "5", "008": "N/A", "009": "3"}
    assert [a.line for a in result.answers] == [2, 3]
    _assert_offsets(result)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_xlsx_with_an_xml_entity_is_refused_as_unsafe(part: str) -> None:
    raw = _xlsx([list(r) for r in GENERIC])
    find = "Upload speed" if part.endswith("sheet1.xml") else 'name="Sheet'
    with pytest.raises(InputError) as info:
        read_survey_xlsx(with_entity(raw, part, find), "surveys/bad.xlsx")
    assert str(info.value).startswith(
        f"surveys/bad.xlsx: unsafe XML in surveys/bad.xlsx (part {part}): it declares XML "
        "entities (<!DOCTYPE x ...>)"
    )


def test_xlsx_with_malformed_xml_is_an_input_error() -> None:
    raw = _xlsx([list(r) for r in GENERIC])
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b"<sheets showSh eetTabs>")
            package.writestr(info, data)
    with pytest.raises(InputError, match=r"^bad.xlsx: not a readable .xlsx workbook"):
        read_survey_xlsx(out.getvalue(), "bad.xlsx")


def _formula_book(rows: int, title: str = "Sheet1") -> bytes:
    """A workbook whose column C holds formulas; openpyxl saves them without values."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(["id", "Score", "Score + 1", "Comments"])
    for n in range(2, rows + 2):
        sheet.append([f"R{n}", n % 5, f"=B{n}+1", "The router keeps dropping"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_formulas_without_saved_values_are_a_warning_naming_the_cells() -> None:
    result = read_survey_xlsx(_formula_book(14), "f.xlsx")
    [warning] = result.warnings
    assert warning.startswith(
        "f.xlsx: 14 formula cell(s) of worksheet 'Sheet1' have no saved value: "
        "Sheet1!C2, C3, C4, C5, C6, C7, C8, C9, C10, C11 and 4 more; they were read as empty."
    )
    assert "open it in Excel or LibreOffice and save it" in warning
    [warning] = read_survey_xlsx(_formula_book(1, "Wave 2"), "f.xlsx").warnings
    assert "'Wave 2'!C2;" in warning


def test_xlsx_formulas_with_saved_values_read_quietly() -> None:
    raw = _formula_book(3)
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v></v>", b"<v>3</v>")  # as Excel saves a computed cell
            package.writestr(info, data)
    result = read_survey_xlsx(out.getvalue(), "f.xlsx")
    assert result.warnings == []
    assert set(_responses(result, "score_1").values()) == {"3"}


def test_options_override_detection() -> None:
    text = _csv(
        [
            ["Ref", "Group", "Score", "Note"],
            ["r1", "remote-worker", "4", "ok"],
            ["r2", "budget-family", "2", "ok"],
            ["r3", "budget-family", "5", "fine"],
        ]
    )
    options = SurveyOptions(
        id_column="Ref", persona_column="group", open_questions=["note"], kinds={"score": "ces"}
    )
    result = read_survey_text(text, "x.csv", options)
    kinds = _kinds(result)
    assert kinds["score"] == (schema.KIND_RATING, schema.METRIC_CES)
    assert kinds["note"][0] == schema.KIND_OPEN
    assert (result.answers[0].respondent_id, result.answers[0].persona) == ("r1", "remote-worker")
    with pytest.raises(InputError, match=r"'Nope' set in the study config.*Ref; Group"):
        read_survey_text(text, "x.csv", SurveyOptions(id_column="Nope"))
    with pytest.raises(ConfigError, match="unknown survey layout"):
        read_survey_text(text, "x.csv", SurveyOptions(id_column="Ref", layout="typeform"))
    with pytest.raises(ConfigError, match="unknown question kind 'stars'"):
        read_survey_text(text, "x.csv", SurveyOptions(id_column="Ref", kinds={"score": "stars"}))


# --- errors ----------------------------------------------------------------------------------


def test_ragged_row_names_the_physical_line() -> None:
    text = 'id,q,comment\n1,2,"two\nlines"\n2,3\n3,4,x,y\n'
    with pytest.raises(InputError) as info:
        read_survey_text(text, "r.csv")
    assert info.value.line == 4
    message = str(info.value)
    assert message.startswith("r.csv, line 4, row 2: line 4 has 2 fields")
    assert "expected 3 fields" in message and "on lines 5" in message


def test_trailing_empty_fields_are_not_ragged() -> None:
    result = read_survey_text("id,comment\n1,Slow router for weeks,,\n", "t.csv")
    assert [a.text for a in result.answers] == ["Slow router for weeks"]


def test_missing_id_column_lists_columns() -> None:
    with pytest.raises(InputError, match=r"no respondent id column.*found: Name; Comment") as info:
        read_survey_text("Name,Comment\nAnn,ok\n", "m.csv")
    assert info.value.line == 1


def test_duplicate_column_names_are_an_error_on_line_1() -> None:
    rows = [
        ["id", "Q1", "Comments", "Q1", "Q2", "Q2 ", "Q2"],
        ["1", "5", "Slow router", "4", "a", "b", "c"],
    ]
    with pytest.raises(InputError) as info:
        read_survey_text(_csv(rows), "dup.csv")
    assert info.value.line == 1 and info.value.column == 4
    assert str(info.value).startswith(
        "dup.csv, line 1, column 4: 2 column name(s) used more than once: "
        "'Q1' in columns 2 and 4; 'Q2' in columns 5, 6 and 7 (expected a different name"
    )
    with pytest.raises(InputError, match="'Q1' in columns 2 and 4") as info:
        read_survey_xlsx(_xlsx(rows), "dup.xlsx")
    assert info.value.line == 1


def test_duplicate_qualtrics_ids_are_an_error_but_repeated_question_texts_are_not() -> None:
    texts = [*QUAL_TEXTS[:7], QUAL_TEXTS[6], "persona"]  # Q5 and Q6_TEXT share their text
    result = read_survey_text(_csv([QUAL_IDS, texts, QUAL_IMPORT, *QUAL_ROWS]), "q.csv")
    assert {"Q5", "Q6_TEXT"} <= set(result.questions[schema.QUESTION_ID])
    ids = [*QUAL_IDS[:7], "Q5", *QUAL_IDS[8:]]  # Q6_TEXT exported as a second Q5
    with pytest.raises(InputError, match="'Q5' in columns 7 and 8") as info:
        read_survey_text(_csv([ids, QUAL_TEXTS, QUAL_IMPORT, *QUAL_ROWS]), "q.csv")
    assert info.value.line == 1


def test_surveymonkey_may_repeat_a_question_text() -> None:
    again = ["Why did you choose Brightwave?", "Open-Ended Response"]  # a second such question
    head = [[*row, cell] for row, cell in zip(SM_HEAD, again, strict=True)]
    rows = [[*row, "Price"] for row in SM_ROWS]
    result = read_survey_text(_csv([*head, *rows]), "sm.csv")
    texts = list(result.questions[schema.QUESTION_TEXT])
    assert texts.count("Why did you choose Brightwave?") == 2
    assert result.questions[schema.QUESTION_ID].is_unique


def test_duplicate_ids_listed_with_lines_and_capped() -> None:
    rows = [["id", "q"]] + [[str(i % 15), "x"] for i in range(30)]
    with pytest.raises(InputError) as info:
        read_survey_text(_csv(rows), "d.csv")
    message = str(info.value)
    assert "15 duplicate respondent id(s)" in message
    assert "'0' on lines 2, 17" in message and "and 5 more" in message
    assert info.value.line == 17 and info.value.column == "id"


def test_ids_changed_by_excel_are_a_warning_naming_the_column_and_an_example() -> None:
    rows = [["Respondent ID", "Comments"], ["23145678901234", "ok"], ["2.31E+13", "Slow"]]
    [warning] = read_survey_text(_csv(rows), "x.csv").warnings
    assert warning.startswith("x.csv: 1 respondent id(s) in column 'Respondent ID' look changed")
    assert "scientific notation" in warning and "'2.31E+13' on line 3" in warning
    assert "export the file again from the survey tool" in warning
    rows = [["id", "Comments"], ["01/02/2024", "ok"], ["2024-01-03", "Slow"], ["R7", "Fine"]]
    [warning] = read_survey_text(_csv(rows), "d.csv").warnings
    assert "2 respondent id(s) in column 'id'" in warning and "turned into dates" in warning
    assert "'01/02/2024' on line 2" in warning
    book = [["id", "Comments"], [dt.datetime(2024, 1, 2), "ok"], ["R2", "Slow"]]
    [warning] = read_survey_xlsx(_xlsx(book), "d.xlsx").warnings
    assert "'2024-01-02 00:00:00' on line 2" in warning
    assert read_survey_text(_csv(GENERIC), "generic.csv").warnings == []


def test_duplicate_ids_made_by_excel_say_the_likely_cause() -> None:
    rows = [["id", "q"], ["23145678901234", "x"], ["2.31E+13", "y"], ["2.31E+13", "z"]]
    with pytest.raises(InputError) as info:
        read_survey_text(_csv(rows), "x.csv")
    message = str(info.value)
    assert "1 duplicate respondent id(s): '2.31E+13' on lines 3, 4" in message
    assert "; they look changed by Excel (long numbers shown in scientific notation" in message
    assert "expected one row per respondent: export the file again from the survey tool" in message
    assert info.value.line == 4 and info.value.column == "id"
    with pytest.raises(InputError) as info:
        read_survey_text(_csv([["id", "q"], ["R1", "x"], ["R1", "y"]]), "d.csv")
    assert "Excel" not in str(info.value)


def test_unterminated_quote_at_end_of_file() -> None:
    text = 'id,comment\n1,fine\n2,"it never\nstopped dropping\n'
    with pytest.raises(InputError, match="unterminated quote") as info:
        read_survey_text(text, "u.csv")
    assert info.value.line == 3


def test_answer_longer_than_the_csv_field_limit_is_read() -> None:
    long = ("The router dropped again, so I rang them. " * 5000)[:200_000] + '"sorted"\nfinally'
    limit = csv.field_size_limit()
    assert len(long) > limit  # the csv module's default limit, 131,072 characters
    text = _csv([["id", "Comments", "Plan"], ["1", long, "Fibre"], ["2", "Quick fix", "Fibre"]])
    result = read_survey_text(text, "long.csv", SurveyOptions(open_questions=["comments"]))
    assert [a.text for a in result.answers] == [long, "Quick fix"]
    assert result.answers[1].line == 4  # the long answer holds one line break
    _assert_offsets(result)
    assert csv.field_size_limit() == limit  # restored for other users of the module


def test_unterminated_quote_before_a_long_tail_is_named_as_such() -> None:
    tail = "".join(f"{n},the engineer came and went\n" for n in range(3, 10_000))
    assert len(tail) > csv.field_size_limit()
    text = 'id,comment\n1,fine\n2,"it never\nstopped dropping\n' + tail
    with pytest.raises(InputError) as info:
        read_survey_text(text, "u.csv")
    assert "unterminated quote: the quoted field that starts on this line runs to the end" in str(
        info.value
    )
    assert info.value.line == 3


def test_header_only_is_a_warning_even_with_blank_trailing_lines() -> None:
    result = read_survey_text(_csv([QUAL_IDS, QUAL_TEXTS, QUAL_IMPORT]) + "\n\n", "h.csv")
    assert result.format == "qualtrics"
    assert any("header rows but no responses" in w for w in result.warnings)
    assert result.responses.empty and result.answers == []
    assert len(result.questions) == len(QUAL_IDS)


def test_empty_file() -> None:
    with pytest.raises(EmptyFileError):
        read_survey_text("\n  \n", "e.csv")


# --- the sample study ------------------------------------------------------------------------


def test_brightwave_sample_survey(repo_root: Path) -> None:
    path = repo_root / BRIGHTWAVE
    if not path.is_file():
        pytest.skip(f"{BRIGHTWAVE} is not written yet")
    result = read_survey_text(decode(path.read_bytes(), path.name).text, str(BRIGHTWAVE))
    respondents = set(result.responses[schema.RESPONDENT_ID])
    assert len(respondents) >= 300
    metrics = set(result.questions[schema.QUESTION_METRIC].dropna())
    assert {schema.METRIC_NPS, schema.METRIC_CSAT, schema.METRIC_CES} <= metrics
    assert set(result.responses[schema.PERSONA].dropna()) == {
        "remote-worker",
        "budget-family",
        "cautious-switcher",
    }
    assert any(a.question_id == "Q6_TEXT" for a in result.answers)
    _assert_offsets(result)


def test_qualtrics_without_response_id_lists_columns() -> None:
    ids = [c for c in QUAL_IDS if c != "ResponseId"]
    texts = [t for c, t in zip(QUAL_IDS, QUAL_TEXTS, strict=True) if c != "ResponseId"]
    imports = [i for c, i in zip(QUAL_IDS, QUAL_IMPORT, strict=True) if c != "ResponseId"]
    rows = [[v for c, v in zip(QUAL_IDS, r, strict=True) if c != "ResponseId"] for r in QUAL_ROWS]
    with pytest.raises(InputError, match=r"no respondent id column \(expected a ResponseId") as e:
        read_survey_text(_csv([ids, texts, imports, *rows]), "q.csv")
    assert "Q6_TEXT (What could we do better?)" in str(e.value)
