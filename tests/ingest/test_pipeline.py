"""End-to-end ingest: the sample study, bad input, --skip-bad, atomic outputs, stable ids."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import shutil
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner

from workbench import schema
from workbench.cli import main
from workbench.ingest import pipeline
from workbench.ingest.base import fold_space
from workbench.ingest.pipeline import IngestFailed, ingest
from workbench.project import Project
from workbench.scaffold import scaffold

from .office_files import EXTERNAL, with_entity

PARTICIPANTS = "participant_id,persona,name,transcript_names\nP01,remote-worker,Ann Lee,Ann\n"
GOOD = (
    "Interviewer: How did you first hear about them?\n"
    "Ann: A leaflet came through the door. Then I checked the website.\n"
    "Interviewer: And the installation?\n"
    "Ann: The engineer was late,\n  but the router worked first time.\n"
)


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def sample_study(repo_root: Path, tmp_path: Path) -> Project:
    """A copy of the bundled sample study (raw data and config only)."""
    shutil.copytree(repo_root / "data" / "raw", tmp_path / "data" / "raw")
    shutil.copy(repo_root / "study.yml", tmp_path / "study.yml")
    return Project(tmp_path)


@pytest.fixture
def small_study(tmp_path: Path) -> Project:
    project = scaffold(tmp_path / "study")
    project.participants_path.write_text(PARTICIPANTS)
    (project.raw / "interviews" / "P01_call.txt").write_text(GOOD)
    return project


def test_cli_ingest_on_sample_study_never_writes_raw(sample_study: Project):
    before = _tree_hash(sample_study.raw)
    result = CliRunner().invoke(main, ["ingest", "--project", str(sample_study.root)])
    assert result.exit_code == 0, result.output
    assert _tree_hash(sample_study.raw) == before
    segments = pd.read_parquet(sample_study.processed_file(pipeline.SEGMENTS_FILE))
    documents = pd.read_parquet(sample_study.processed_file(pipeline.DOCUMENTS_FILE))
    report = json.loads(sample_study.processed_file(pipeline.REPORT_FILE).read_text())
    assert report["totals"]["failed"] == 0
    interviews = documents[documents[schema.SOURCE_TYPE] == schema.SOURCE_INTERVIEW]
    assert len(interviews) >= 12
    suffixes = {Path(p).suffix for p in interviews[schema.SOURCE_PATH]}
    assert suffixes == {".txt", ".md", ".vtt", ".srt", ".docx"}
    assert interviews[schema.PARTICIPANT_ID].notna().all()
    codable = segments[segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    assert set(codable[schema.PERSONA].dropna()) == {
        "remote-worker",
        "budget-family",
        "cautious-switcher",
    }
    # every interview has participant turns and interviewer context rows
    per_file = segments.groupby(schema.SOURCE_PATH)[schema.SPEAKER_ROLE].agg(set)
    for path in interviews[schema.SOURCE_PATH]:
        assert {schema.ROLE_PARTICIPANT, schema.ROLE_INTERVIEWER} <= set(per_file[path]), path
    # survey: >= 300 respondents, open answers are segments
    survey = segments[segments[schema.SOURCE_TYPE] == schema.SOURCE_SURVEY]
    assert survey[schema.PARTICIPANT_ID].nunique() >= 300
    assert (survey[schema.UNIT] == schema.UNIT_ANSWER).all()
    # ids stay strings and are unique
    assert segments[schema.SEGMENT_ID].is_unique
    assert str(segments[schema.PARTICIPANT_ID].dtype) == "string"


def test_sample_offsets_point_at_the_segment_text(sample_study: Project):
    result = ingest(sample_study, write=False)
    texts = dict(
        zip(result.documents[schema.SOURCE_ID], result.documents[schema.TEXT], strict=True)
    )
    segments = result.segments
    exact = 0
    for row in segments.itertuples():
        source = texts[row.source_id]
        assert 0 <= row.char_start < row.char_end <= len(source)
        window = fold_space(source[row.char_start : row.char_end])
        if window == row.text:
            exact += 1
        else:  # merged subtitle cues or escaped CSV quotes: the span still holds the words
            assert row.text.split()[0].strip('"') in window
    assert exact / len(segments) > 0.85


def test_long_turns_are_split_and_timed_sources_keep_times(sample_study: Project):
    segments = ingest(sample_study, write=False).segments
    codable = segments[segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    interviews = codable[codable[schema.SOURCE_TYPE] == schema.SOURCE_INTERVIEW]
    assert interviews[schema.TEXT].str.len().max() <= 600 or (
        interviews.groupby([schema.SOURCE_PATH, schema.TURN]).size().max() > 1
    )
    assert (interviews.groupby([schema.SOURCE_PATH, schema.TURN]).size() > 1).any()
    timed = interviews[interviews[schema.SOURCE_PATH].str.endswith((".vtt", ".srt"))]
    assert timed[schema.START_S].notna().all()
    assert (timed[schema.END_S] >= timed[schema.START_S]).all()


def test_segment_ids_are_stable_and_survive_an_edit_elsewhere(small_study: Project):
    first = ingest(small_study, write=False).segments
    second = ingest(small_study, write=False).segments
    assert list(first[schema.SEGMENT_ID]) == list(second[schema.SEGMENT_ID])
    path = small_study.raw / "interviews" / "P01_call.txt"
    path.write_text(GOOD.replace("A leaflet came", "A flyer came"))
    third = ingest(small_study, write=False).segments
    kept = set(first[schema.SEGMENT_ID]) & set(third[schema.SEGMENT_ID])
    changed = set(first[schema.SEGMENT_ID]) - set(third[schema.SEGMENT_ID])
    assert len(changed) == 1 and len(kept) == len(first) - 1


def test_speaker_roles_and_unresolved_speakers_are_reported(small_study: Project):
    extra = GOOD + "Bob: Can I add something?\nAnn: Go on.\nBob: The bill was wrong.\n"
    (small_study.raw / "interviews" / "P01_call.txt").write_text(extra)
    result = ingest(small_study, write=False)
    rows = result.segments
    assert set(rows[rows[schema.SPEAKER] == "Ann"][schema.SPEAKER_ROLE]) == {
        schema.ROLE_PARTICIPANT
    }
    assert set(rows[rows[schema.SPEAKER] == "Interviewer"][schema.SPEAKER_ROLE]) == {
        schema.ROLE_INTERVIEWER
    }
    assert set(rows[rows[schema.SPEAKER] == "Bob"][schema.SPEAKER_ROLE]) == {schema.ROLE_OTHER}
    entry = result.report["files"][0]
    assert entry["other_speakers"] == ["Bob"]
    assert any("Bob" in warning for warning in entry["warnings"])
    assert set(rows[schema.PERSONA].dropna()) == {"remote-worker"}


def _write_bad_files(project: Project) -> None:
    interviews = project.raw / "interviews"
    surveys = project.raw / "surveys"
    (interviews / "P02_empty.txt").write_text("")
    (interviews / "P03_binary.txt").write_bytes(b"Interviewer: hi\nP03: ok\x00\x01\n")
    (interviews / "P04_badtime.vtt").write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nAnn: hello\n"
    )
    (interviews / "P05_notes.pdf").write_bytes(b"%PDF-1.4")
    (surveys / "ragged.csv").write_text("ResponseId,Q1\nR_1,5\nR_2,4,extra\n")
    (surveys / "noid.csv").write_text("Name,Q1\nAnn,5\nBob,4\n")
    (surveys / "dupes.csv").write_text("ResponseId,Q1\nR_1,5\nR_1,4\nR_2,3\n")


def test_every_problem_is_reported_at_once_and_nothing_is_written(small_study: Project):
    _write_bad_files(small_study)
    with pytest.raises(IngestFailed) as caught:
        ingest(small_study)
    files = {entry["path"]: entry for entry in caught.value.report["files"]}
    message = {path: entry.get("error", {}).get("message", "") for path, entry in files.items()}
    assert files["interviews/P01_call.txt"]["status"] == "ok"
    assert "empty" in message["interviews/P02_empty.txt"]
    assert "byte 23" in message["interviews/P03_binary.txt"]
    assert "line 2" in message["interviews/P03_binary.txt"]
    assert "line 4" in message["interviews/P04_badtime.vtt"]
    assert files["interviews/P05_notes.pdf"]["status"] == "skipped"
    assert "line 3" in message["surveys/ragged.csv"]
    assert "Name" in message["surveys/noid.csv"] and "Q1" in message["surveys/noid.csv"]
    assert "R_1" in message["surveys/dupes.csv"]
    assert not any(small_study.processed.glob("*.parquet"))


def test_skip_bad_writes_the_rest_and_lists_skipped_files(small_study: Project):
    _write_bad_files(small_study)
    result = ingest(small_study, skip_bad=True)
    report = json.loads(small_study.processed_file(pipeline.REPORT_FILE).read_text())
    failed = {entry["path"] for entry in report["files"] if entry["status"] == "failed"}
    assert "interviews/P02_empty.txt" in failed and "surveys/dupes.csv" in failed
    segments = pd.read_parquet(small_study.processed_file(pipeline.SEGMENTS_FILE))
    assert set(segments[schema.SOURCE_PATH]) == {"interviews/P01_call.txt"}
    assert len(segments) == len(result.segments)


def test_unknown_participant_is_a_warning_not_a_failure(small_study: Project):
    (small_study.raw / "interviews" / "P09_call.txt").write_text(GOOD.replace("Ann", "Zoe"))
    result = ingest(small_study, write=False)
    entry = next(e for e in result.report["files"] if e["path"].endswith("P09_call.txt"))
    assert entry["status"] == "ok"
    assert any("P09 is not in participants.csv" in w for w in entry["warnings"])


def test_encodings_utf16_and_cp1252(small_study: Project):
    folder = small_study.raw / "interviews"
    (folder / "P01_call.txt").write_bytes(codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"))
    text = GOOD.replace("late", "late — £5 café")
    (folder / "P02_call.txt").write_bytes(text.replace("—", "-").encode("cp1252"))
    result = ingest(small_study, write=False)
    encodings = {e["path"]: e["encoding"] for e in result.report["files"]}
    assert encodings == {"interviews/P01_call.txt": "utf-16", "interviews/P02_call.txt": "cp1252"}
    assert any("cp1252" in w for e in result.report["files"] for w in e["warnings"])
    assert result.segments[schema.TEXT].str.contains("£5 café").any()


def test_interrupted_write_keeps_previous_outputs(small_study: Project, monkeypatch):
    ingest(small_study)
    before = {p.name: p.read_bytes() for p in small_study.processed.iterdir()}
    (small_study.raw / "interviews" / "P01_call.txt").write_text(GOOD + "Ann: One more thing.\n")
    calls = {"n": 0}
    original = pd.DataFrame.to_parquet

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("interrupted")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    with pytest.raises(KeyboardInterrupt):
        ingest(small_study)
    after = {p.name: p.read_bytes() for p in small_study.processed.iterdir()}
    assert after == before


def test_cli_failure_is_one_line_and_non_zero(small_study: Project):
    _write_bad_files(small_study)
    result = CliRunner().invoke(main, ["ingest", "--project", str(small_study.root)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("Error: 6 of ")
    assert "surveys/ragged.csv, line 3" in result.output


def test_sentence_unit_uses_punkt_trained_on_the_study(small_study: Project):
    config = small_study.config_path.read_text().replace("unit: turn ", "unit: sentence ")
    small_study.config_path.write_text(config)
    segments = ingest(small_study, write=False).segments
    ann = segments[segments[schema.SPEAKER] == "Ann"]
    assert list(ann[schema.UNIT].unique()) == [schema.UNIT_SENTENCE]
    assert "A leaflet came through the door." in list(ann[schema.TEXT])
    assert "Then I checked the website." in list(ann[schema.TEXT])


def test_a_large_survey_shows_its_own_progress_bar(small_study: Project, monkeypatch, capsys):
    (small_study.raw / "surveys" / "big.csv").write_text("id,Comments\nR_1,Slow router\n")
    monkeypatch.setattr(pipeline, "PROGRESS_BYTES", 10)
    ingest(small_study, write=False, progress=True)
    assert "surveys/big.csv" in capsys.readouterr().err
    monkeypatch.setattr(pipeline, "PROGRESS_BYTES", 10_000)
    ingest(small_study, write=False, progress=True)
    assert "surveys/big.csv" not in capsys.readouterr().err


def test_skip_bad_writes_the_good_files_when_office_files_hold_xml_entities(small_study: Project):
    import openpyxl

    book = openpyxl.Workbook()
    for row in (["id", "Comments"], ["R1", "The engineer was late"], ["R2", "Fine"]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    surveys = small_study.raw / "surveys"
    (surveys / "good.xlsx").write_bytes(buffer.getvalue())
    bad = with_entity(buffer.getvalue(), "xl/worksheets/sheet1.xml", "engineer")
    (surveys / "bad.xlsx").write_bytes(bad)
    word = docx.Document()
    word.add_paragraph("Interviewer: How was it?")
    word.add_paragraph("Ann: The engineer was late.")
    buffer = io.BytesIO()
    word.save(buffer)
    docx_bad = with_entity(buffer.getvalue(), "word/document.xml", "engineer", EXTERNAL)
    (small_study.raw / "interviews" / "P01_bad.docx").write_bytes(docx_bad)
    result = CliRunner().invoke(main, ["ingest", "--project", str(small_study.root), "--skip-bad"])
    assert result.exit_code == 0, result.output
    report = json.loads(small_study.processed_file(pipeline.REPORT_FILE).read_text())
    status = {entry["path"]: entry["status"] for entry in report["files"]}
    assert status == {
        "interviews/P01_bad.docx": "failed",
        "interviews/P01_call.txt": "ok",
        "surveys/bad.xlsx": "failed",
        "surveys/good.xlsx": "ok",
    }
    errors = {e["path"]: e["error"]["message"] for e in report["files"] if "error" in e}
    assert (
        "unsafe XML in surveys/bad.xlsx (part xl/worksheets/sheet1.xml)"
        in (errors["surveys/bad.xlsx"])
    )
    assert (
        "unsafe XML in interviews/P01_bad.docx (part word/document.xml)"
        in (errors["interviews/P01_bad.docx"])
    )
    segments = pd.read_parquet(small_study.processed_file(pipeline.SEGMENTS_FILE))
    assert set(segments[schema.SOURCE_PATH]) == {"interviews/P01_call.txt", "surveys/good.xlsx"}
