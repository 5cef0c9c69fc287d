"""Tests of the Word (.docx) reader on documents built here with python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from workbench.errors import EmptyFileError, InputError
from workbench.ingest.base import Transcript, fold_space
from workbench.ingest.word import read_docx

from .office_files import ENTITY, EXTERNAL, with_entity


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _assert_spans(transcript: Transcript) -> None:
    lines = transcript.text.split("\n")
    for turn in transcript.turns:
        assert fold_space(transcript.text[turn.char_start : turn.char_end]) == turn.text
        assert turn.text.split()[0] in lines[turn.line - 1]


def _bold_document():
    document = docx.Document()
    document.add_paragraph("Interview P11 — Sofia Marques")
    document.add_paragraph("Date: 9 October 2026")
    turns = [
        ("Priya:", " ", "Thanks for joining. How did you first hear about Brightwave?"),
        ("Sofia", "\t", "A friend at the school gate,  she'd just switched."),
        ("Priya", "\t", "And what made you choose them?"),
        ("Sofia:", "\t", "Price, honestly. £24 a month for the first year."),
    ]
    for name, gap, said in turns:
        paragraph = document.add_paragraph()
        if name == "Priya":  # bold through the character style "Strong"
            paragraph.add_run(name, style="Strong")
        else:
            paragraph.add_run(name).bold = True
        paragraph.add_run(gap + said)
    document.add_paragraph("Then the letter came about the rise.")
    return document


def test_bold_speaker_runs(tmp_path):
    path = tmp_path / "P11_interview.docx"
    _bold_document().save(path)
    transcript = read_docx(path.read_bytes(), path.name)
    assert transcript.format == "docx-bold"
    assert [t.speaker for t in transcript.turns] == ["Priya", "Sofia", "Priya", "Sofia"]
    assert transcript.turns[1].text == "A friend at the school gate, she'd just switched."
    last = transcript.turns[-1]
    assert last.text == (
        "Price, honestly. £24 a month for the first year. Then the letter came about the rise."
    )
    lines = transcript.text.split("\n")
    assert lines[:2] == ["Interview P11 — Sofia Marques", "Date: 9 October 2026"]
    assert lines[3] == "Sofia\tA friend at the school gate,  she'd just switched."
    assert [t.line for t in transcript.turns] == [3, 4, 5, 6]
    assert transcript.turns[0].char_start == transcript.text.index("Thanks for joining")
    assert transcript.turns[1].char_start == transcript.text.index("A friend")
    assert last.char_end == len(transcript.text)
    assert all(t.start_s is None for t in transcript.turns)
    _assert_spans(transcript)


def test_bold_name_alone_introduces_the_next_paragraph():
    document = docx.Document()
    for name, said in [("Priya", "How was the install?"), ("Sofia", "Quick, an hour.")] * 2:
        document.add_paragraph().add_run(name).bold = True
        document.add_paragraph(said)
    transcript = read_docx(_save(document), "a.docx")
    assert transcript.format == "docx-bold"
    assert [(t.speaker, t.text, t.line) for t in transcript.turns[:2]] == [
        ("Priya", "How was the install?", 2),
        ("Sofia", "Quick, an hour.", 4),
    ]
    _assert_spans(transcript)


def test_name_prefix_paragraphs_after_a_title_and_date():
    document = docx.Document()
    document.add_heading("Brightwave interview: Pat Doyle", level=1)
    document.add_paragraph("14 October 2026, by phone")
    document.add_paragraph("Interviewer: Have you had to contact support?")
    document.add_paragraph("Pat Doyle: Oh yes. Twice in March.")
    document.add_paragraph("The second time I waited forty minutes on the 0800 number.")
    document.add_paragraph("")
    document.add_paragraph("Interviewer:\tHow did that feel?")
    document.add_paragraph("Pat Doyle: Worried, to be honest.")
    transcript = read_docx(_save(document), "P12_interview.docx")
    assert transcript.format == "docx-prefix"
    assert [t.speaker for t in transcript.turns] == [
        "Interviewer",
        "Pat Doyle",
        "Interviewer",
        "Pat Doyle",
    ]
    assert transcript.turns[1].text == (
        "Oh yes. Twice in March. The second time I waited forty minutes on the 0800 number."
    )
    assert transcript.turns[2].text == "How did that feel?"
    assert [t.line for t in transcript.turns] == [3, 4, 7, 8]
    assert transcript.text.split("\n")[0] == "Brightwave interview: Pat Doyle"
    _assert_spans(transcript)


def test_a_title_with_a_colon_is_not_a_speaker_but_a_one_off_speaker_is():
    document = docx.Document()
    document.add_paragraph("Interview: Aisha Rahman")
    for speaker, said in [
        ("Sam Okafor", "What happened with the first bill?"),
        ("Aisha Rahman", "It was £61, not the £29 we signed up for."),
        ("Sam Okafor", "What did you do?"),
        ("Aisha Rahman", "I messaged them on Facebook."),
        ("Imran", "And I rang them the next morning."),
    ]:
        document.add_paragraph(f"{speaker}: {said}")
    transcript = read_docx(_save(document), "a.docx")
    assert [t.speaker for t in transcript.turns] == [
        "Sam Okafor",
        "Aisha Rahman",
        "Sam Okafor",
        "Aisha Rahman",
        "Imran",
    ]
    assert transcript.turns[0].line == 2
    _assert_spans(transcript)


def test_table_with_header_row():
    document = docx.Document()
    document.add_paragraph("Interview P13 — Ravi Sharma")
    table = document.add_table(rows=1, cols=3)
    for cell, title in zip(table.rows[0].cells, ["Time", "Speaker", "Text"], strict=True):
        cell.text = title
    rows = [
        ("00:02:15", "Sam Okafor", "Tell me about the installation."),
        ("2:40", "Ravi Sharma", "The engineer was late,\nbut sorted the router."),
        ("", "", "And the upload speed was fine after."),
        ("1:02:03.5", "Sam Okafor", "Thanks."),
        ("soon", "Ravi Sharma", "No problem."),
    ]
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.add_paragraph("End of transcript")
    transcript = read_docx(_save(document), "P13_interview.docx")
    assert transcript.format == "docx-table"
    turns = transcript.turns
    sam, ravi = "Sam Okafor", "Ravi Sharma"
    assert [t.speaker for t in turns] == [sam, ravi, ravi, sam, ravi]
    assert [t.start_s for t in turns] == [135.0, 160.0, None, 3723.5, None]
    assert turns[1].text == "The engineer was late, but sorted the router."
    lines = transcript.text.split("\n")
    assert lines[1] == "Time\tSpeaker\tText"
    assert lines[2] == "00:02:15\tSam Okafor\tTell me about the installation."
    assert [t.line for t in turns] == [3, 4, 6, 7, 8]
    assert turns[0].char_start == transcript.text.index("Tell me")
    assert transcript.warnings == [
        "P13_interview.docx, line 8: time 'soon' not read (expected HH:MM:SS or M:SS)"
    ]
    _assert_spans(transcript)


def test_two_column_table_without_header():
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for speaker, said in [
        ("Q", "What happened at renewal?"),
        ("A", "They put it up by £6 a month without asking."),
        ("Q", "What did you do?"),
        ("A", "Rang retentions and got it back down."),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = speaker, said
    transcript = read_docx(_save(document), "a.docx")
    assert transcript.format == "docx-table"
    assert [t.speaker for t in transcript.turns] == ["Q", "A", "Q", "A"]
    assert transcript.turns[1].text == "They put it up by £6 a month without asking."
    _assert_spans(transcript)


def test_paragraph_transcript_beats_a_small_table():
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for cell, value in zip(table._cells, ["Speaker", "Text", "Sam", "Consent given"], strict=True):
        cell.text = value
    for speaker, said in [("Sam", "Ready?"), ("Pat", "Yes."), ("Sam", "Go on."), ("Pat", "So.")]:
        document.add_paragraph(f"{speaker}: {said}")
    transcript = read_docx(_save(document), "a.docx")
    assert transcript.format == "docx-prefix"
    assert [t.text for t in transcript.turns] == ["Ready?", "Yes.", "Go on.", "So."]
    assert transcript.text.split("\n")[:2] == ["Speaker\tText", "Sam\tConsent given"]
    assert transcript.turns[0].line == 3


def test_bad_zip_is_not_a_valid_docx():
    with pytest.raises(InputError, match=r"bad\.docx: not a valid \.docx"):
        read_docx(b"PK\x03\x04 but not really a zip", "bad.docx")


def test_old_binary_doc_gets_a_hint():
    with pytest.raises(InputError) as caught:
        read_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old.docx")
    assert "save it as .docx" in caught.value.problem


def test_zip_that_is_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(InputError, match=r"not a valid \.docx"):
        read_docx(buffer.getvalue(), "z.docx")


def test_empty_document_and_prose_without_speakers():
    with pytest.raises(EmptyFileError):
        read_docx(_save(docx.Document()), "empty.docx")
    document = docx.Document()
    document.add_paragraph("Some notes about the study.")
    document.add_paragraph("Nothing here is a turn.")
    with pytest.raises(InputError, match="no speaker turns found"):
        read_docx(_save(document), "prose.docx")


@pytest.mark.parametrize("number", [11, 12, 13])
def test_sample_study_documents(repo_root, number):
    path = repo_root / "data" / "raw" / "interviews" / f"P{number}_interview.docx"
    if not path.exists():
        pytest.skip(f"{path.name} not written yet")
    transcript = read_docx(path.read_bytes(), path.name)
    assert transcript.format == {11: "docx-bold", 12: "docx-prefix", 13: "docx-table"}[number]
    assert len(transcript.turns) >= 15
    assert len({t.speaker for t in transcript.turns}) >= 2
    _assert_spans(transcript)


def test_tracked_changes_keep_insertions_drop_deletions_and_warn():
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_paragraph("Interviewer: How was the install?")
    answer = document.add_paragraph("Maya: The engineer came ")
    answer._p.append(
        parse_xml(
            f'<w:del {w} w:id="1" w:author="Ed" w:date="2026-01-01T00:00:00Z">'
            "<w:r><w:delText>late </w:delText></w:r></w:del>"
        )
    )
    answer._p.append(
        parse_xml(
            f'<w:ins {w} w:id="2" w:author="Ed" w:date="2026-01-01T00:00:00Z">'
            '<w:r><w:t xml:space="preserve">on time and </w:t></w:r></w:ins>'
        )
    )
    answer.add_run("fixed it.")
    document.add_paragraph("Interviewer: Thanks.")
    document.add_paragraph("Maya: Bye.")
    transcript = read_docx(_save(document), "p.docx")
    said = [t.text for t in transcript.turns if t.speaker == "Maya"]
    assert said[0] == "The engineer came on time and fixed it."
    assert "late" not in transcript.text
    assert any("document has revisions" in w for w in transcript.warnings)
    _assert_spans(transcript)


@pytest.mark.parametrize("declaration", [ENTITY, EXTERNAL])
def test_xml_entities_are_refused_as_unsafe(declaration: str) -> None:
    raw = _save(_bold_document())
    bad = with_entity(raw, "word/document.xml", "honestly", declaration)
    with pytest.raises(InputError) as info:
        read_docx(bad, "interviews/P11.docx")
    assert str(info.value).startswith(
        "interviews/P11.docx: unsafe XML in interviews/P11.docx (part word/document.xml): "
        "it declares XML entities"
    )
    assert "honestly" in " ".join(t.text for t in read_docx(raw, "P11.docx").turns)
