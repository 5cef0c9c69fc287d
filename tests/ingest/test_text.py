"""Tests of the ``.txt`` / ``.md`` transcript reader (inline fixtures plus the sample study)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from workbench.errors import ConfigError, InputError
from workbench.ingest.base import Transcript, decode, fold_space
from workbench.ingest.text import read_text_transcript

LABELLED = """Brightwave interview — P01
Date: 12 Oct 2026

Interviewer: Thanks for joining. How did you
first hear about Brightwave?
Maya: A friend told me.
So my thought was: just get fibre.
Note: the call dropped here.

And then it came back.
Interviewer: What made you choose them?
Maya:
Mostly the upload speed.
"""

NUMBERED = """Interviewer 1: Hello Darren.
Interviewer 2: Hi, I'm taking notes.
Interviewee1 : Hiya both.
Interviewer 1: How did you hear about them?
Interviewee1 : Facebook, a deal post.
"""

PARTICIPANT_ID = """Participant: P03
Interviewer: Thank you for having me, Mrs Ellis.
P03: You're welcome, dear.
Interviewer: Tell me about the installation.
P03: The engineer came on a Tuesday.
"""

QA = """Q: Thanks for joining, Tom.
A: No problem.
Q: Have you had to contact support?
A: Once, through webchat.
"""

NAMES = """Dr. Smith: Shall we start?
Maya Chen: Yes, go ahead.
Dr. Smith: How did it go?
Maya Chen: Badly, at first.
"""

MD_LABELLED = """# Transcript P01

**Interviewer:** How did you first hear about Brightwave?
**Maya**: From a *friend*, honestly.

## Part 2

__Interviewer:__ And then?
**Maya:** I signed up.
"""

OTTER = """Brightwave interview
Mon, 10/12 2:00PM • 10:45

Priya Nair  0:03
Okay, so I think that's recording now.

Brian Walsh  0:21
Yes, that's all right.
Go ahead, love.

Priya Nair  1:02:24
Lovely. So how did you first hear?

Brian Walsh  1:02:31
A letter came through the door.

Transcribed by https://otter.ai
"""

NOTES = """# Interview notes — P07 Lena Fischer

Date: 2026-10-12
Interviewer: Sam Okafor
Persona: remote-worker

## How did you first hear about Brightwave?
- A post in a local freelancers' group,
  then the vans on her road.
* "Real people complaining about real things."
+ Checked the coverage checker.

## Tell me about the installation.
1. Engineer on time.
2. App froze on the router update:

   "why is that not in the app?"
- Last point
"""

TIMESTAMP_VARIANTS = {
    "bracket": "[00:00:04] Sam Okafor: Hi Aisha.\n[00:00:19] Aisha Rahman: Hello.\n"
    "[00:01:02] Imran: Sorry, just the kids.\n[00:01:10] Sam Okafor: No worries.\n"
    "[00:01:30] Aisha Rahman: So, the bill.\n",
    "paren": "(00:00:04) Sam Okafor: Hi Aisha.\n(00:00:19) Aisha Rahman: Hello.\n"
    "(00:01:02) Imran: Sorry, just the kids.\n(00:01:10) Sam Okafor: No worries.\n"
    "(00:01:30) Aisha Rahman: So, the bill.\n",
    "after-name": "Sam Okafor [00:00:04]: Hi Aisha.\nAisha Rahman [00:00:19]: Hello.\n"
    "Imran [00:01:02]: Sorry, just the kids.\nSam Okafor [00:01:10]: No worries.\n"
    "Aisha Rahman [00:01:30]: So, the bill.\n",
    "leading-bare": "00:00:04 Sam Okafor: Hi Aisha.\n00:00:19 Aisha Rahman: Hello.\n"
    "00:01:02 Imran: Sorry, just the kids.\n00:01:10 Sam Okafor: No worries.\n"
    "00:01:30 Aisha Rahman: So, the bill.\n",
}

ALL = {
    "labelled.txt": LABELLED,
    "numbered.txt": NUMBERED,
    "participant.txt": PARTICIPANT_ID,
    "qa.txt": QA,
    "names.txt": NAMES,
    "labelled.md": MD_LABELLED,
    "otter.txt": OTTER,
    "notes.md": NOTES,
    **{f"ts-{k}.txt": v for k, v in TIMESTAMP_VARIANTS.items()},
}


def _pairs(t: Transcript) -> list[tuple[str | None, str]]:
    return [(turn.speaker, turn.text) for turn in t.turns]


# --- the offset invariant, with LF and CRLF ---------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_offsets_point_at_the_turn_words(name: str, newline: str) -> None:
    text = ALL[name].replace("\n", newline)
    t = read_text_transcript(text, name)
    assert t.text is text
    assert t.turns
    lines = text.split("\n")
    for turn in t.turns:
        assert fold_space(text[turn.char_start : turn.char_end]) == turn.text
        assert "\r" not in turn.text
        span = text[turn.char_start : turn.char_end]
        assert span == span.strip()  # no leading/trailing white space in the span
        # the turn's label (or heading/bullet) is on turn.line, and its words start there
        assert text.count("\n", 0, turn.char_start) + 1 >= turn.line
        assert lines[turn.line - 1].strip()


@pytest.mark.parametrize("name", sorted(ALL))
def test_crlf_gives_the_same_turns_as_lf(name: str) -> None:
    lf = read_text_transcript(ALL[name], name)
    crlf = read_text_transcript(ALL[name].replace("\n", "\r\n"), name)
    assert crlf.format == lf.format
    assert [(u.speaker, u.text, u.line, u.start_s, u.question_id) for u in crlf.turns] == [
        (u.speaker, u.text, u.line, u.start_s, u.question_id) for u in lf.turns
    ]


# --- labelled text ----------------------------------------------------------------------------


def test_labelled_multiline_turns_and_false_labels() -> None:
    t = read_text_transcript(LABELLED, "p01.txt")
    assert t.format == "labelled-text"
    assert _pairs(t) == [
        ("Interviewer", "Thanks for joining. How did you first hear about Brightwave?"),
        (
            "Maya",
            "A friend told me. So my thought was: just get fibre. "
            "Note: the call dropped here. And then it came back.",
        ),
        ("Interviewer", "What made you choose them?"),
        ("Maya", "Mostly the upload speed."),  # label alone on its line, words below
    ]
    assert [u.line for u in t.turns] == [4, 6, 11, 12]
    assert all(u.start_s is None and u.end_s is None for u in t.turns)
    assert t.warnings == []


def test_numbered_labels_and_space_before_colon() -> None:
    t = read_text_transcript(NUMBERED, "p02.txt")
    assert [u.speaker for u in t.turns] == [
        "Interviewer 1",
        "Interviewer 2",
        "Interviewee1",
        "Interviewer 1",
        "Interviewee1",
    ]
    assert t.turns[2].text == "Hiya both."


def test_metadata_role_line_before_the_transcript_is_not_a_turn() -> None:
    t = read_text_transcript(PARTICIPANT_ID, "p03.txt")
    assert [u.speaker for u in t.turns] == ["Interviewer", "P03", "Interviewer", "P03"]
    assert t.turns[0].line == 2


def test_header_block_of_key_value_lines_is_not_a_turn() -> None:
    text = (
        "Interview with Maya Chen\n"
        "Interviewer: Sam Okafor\n"
        "Participant: Maya Chen\n"
        "Date: 12 Oct 2026\n"
        "\n"
        "Interviewer: Hi Maya, thanks for joining.\n"
        "Maya: No problem.\n"
        "Interviewer: Shall we start?\n"
        "Maya: Yes.\n"
    )
    t = read_text_transcript(text, "x.txt")
    assert [(u.speaker, u.line) for u in t.turns] == [
        ("Interviewer", 6),
        ("Maya", 7),
        ("Interviewer", 8),
        ("Maya", 9),
    ]
    # a short first exchange of recurring speakers is not a header
    exchange = "Interviewer: Hi.\nMaya: Hello.\n\nInterviewer: Ready?\nMaya: Yes, go.\n"
    assert [u.line for u in read_text_transcript(exchange, "y.txt").turns] == [1, 2, 4, 5]


def test_q_and_a_labels() -> None:
    t = read_text_transcript(QA, "p04.txt")
    assert _pairs(t) == [
        ("Q", "Thanks for joining, Tom."),
        ("A", "No problem."),
        ("Q", "Have you had to contact support?"),
        ("A", "Once, through webchat."),
    ]


def test_full_names_and_titles() -> None:
    t = read_text_transcript(NAMES, "names.txt")
    assert [u.speaker for u in t.turns] == ["Dr. Smith", "Maya Chen", "Dr. Smith", "Maya Chen"]


def test_markdown_emphasis_around_labels_is_stripped_and_headings_end_turns() -> None:
    t = read_text_transcript(MD_LABELLED, "p01.md")
    assert t.format == "labelled-text"
    assert _pairs(t) == [
        ("Interviewer", "How did you first hear about Brightwave?"),
        ("Maya", "From a *friend*, honestly."),  # "## Part 2" is not part of her turn
        ("Interviewer", "And then?"),
        ("Maya", "I signed up."),
    ]


def test_prose_lines_with_a_colon_do_not_become_speakers() -> None:
    text = (
        "Interviewer: So what happened next?\n"
        "Maya: I rang them.\n"
        "Then I said: no way.\n"
        "Brightwave: that's what the letter was headed.\n"
        "Note: the call dropped.\n"
        "Interviewer: Right.\n"
        "Maya: Then they rang back.\n"
        "Note: again.\n"
        "So my thought was: switch.\n"
    )
    t = read_text_transcript(text, "x.txt")
    assert {u.speaker for u in t.turns} == {"Interviewer", "Maya"}
    assert len(t.turns) == 4
    assert t.turns[1].text.endswith("Note: the call dropped.")
    assert t.turns[3].text == "Then they rang back. Note: again. So my thought was: switch."
    # a capitalised name used once is worth a look, prose is not
    assert len(t.warnings) == 1
    assert "line 4 'Brightwave'" in t.warnings[0]
    assert t.warnings[0].startswith("x.txt: ")


def test_urls_are_not_labels() -> None:
    text = (
        "Interviewer: Hi.\nMaya: See\nhttps://example.org/x for it.\nInterviewer: Ok.\nMaya: Yes."
    )
    t = read_text_transcript(text, "x.txt")
    assert t.turns[1].text == "See https://example.org/x for it."


def test_empty_turns_are_dropped_without_warning() -> None:
    text = "Interviewer:\n\nMaya: Hello.\nInterviewer: Hi?\nMaya:\nInterviewer: Bye.\n"
    t = read_text_transcript(text, "x.txt")
    assert _pairs(t) == [("Maya", "Hello."), ("Interviewer", "Hi?"), ("Interviewer", "Bye.")]
    assert t.warnings == []


def test_only_one_speaker_is_warned() -> None:
    t = read_text_transcript("Maya: one.\nsecond line\nMaya: two.\n", "solo.txt")
    assert [u.speaker for u in t.turns] == ["Maya", "Maya"]
    assert len(t.warnings) == 1
    assert t.warnings[0].startswith("solo.txt: only one speaker ('Maya')")


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", sorted(TIMESTAMP_VARIANTS))
def test_timestamp_variants(variant: str) -> None:
    t = read_text_transcript(TIMESTAMP_VARIANTS[variant], "p05.txt")
    assert t.format == "timestamped-text"
    assert [u.speaker for u in t.turns] == [
        "Sam Okafor",
        "Aisha Rahman",
        "Imran",  # used once, but a timestamped label is a label
        "Sam Okafor",
        "Aisha Rahman",
    ]
    assert [u.start_s for u in t.turns] == [4.0, 19.0, 62.0, 70.0, 90.0]
    assert [u.end_s for u in t.turns] == [19.0, 62.0, 70.0, 90.0, None]
    assert t.turns[2].text == "Sorry, just the kids."


def test_timestamps_in_minutes_and_fractions() -> None:
    text = "[01:05] Sam: Hi.\n[1:02:03.5] Kim: Hello.\n[1:02:09] Sam: Bye.\n[1:02:10] Kim: Ok."
    t = read_text_transcript(text, "x.txt")
    assert [u.start_s for u in t.turns] == [65.0, 3723.5, 3729.0, 3730.0]


def test_timestamp_going_backwards_is_warned() -> None:
    text = "[00:00:10] Sam: Hi.\n[00:00:05] Kim: Hello.\n[00:00:20] Sam: Bye.\n[00:00:30] Kim: Ok."
    t = read_text_transcript(text, "x.txt")
    assert any(w.startswith("x.txt, line 2:") and "back" in w for w in t.warnings)


# --- Otter.ai ---------------------------------------------------------------------------------


def test_otter_export() -> None:
    t = read_text_transcript(OTTER, "p06_otter.txt")
    assert t.format == "otter"
    assert _pairs(t) == [
        ("Priya Nair", "Okay, so I think that's recording now."),
        ("Brian Walsh", "Yes, that's all right. Go ahead, love."),
        ("Priya Nair", "Lovely. So how did you first hear?"),
        ("Brian Walsh", "A letter came through the door."),  # the otter.ai footer is dropped
    ]
    assert [u.line for u in t.turns] == [4, 7, 11, 14]
    assert [u.start_s for u in t.turns] == [3.0, 21.0, 3744.0, 3751.0]
    assert [u.end_s for u in t.turns] == [21.0, 3744.0, 3751.0, None]


# --- markdown notes ---------------------------------------------------------------------------


def test_markdown_notes_questions_and_bullets() -> None:
    t = read_text_transcript(NOTES, "p07_notes.md")
    assert t.format == "markdown-notes"
    q1 = "q01-how-did-you-first-hear"
    q2 = "q02-tell-me-about-the-installation"
    assert [(u.is_question, u.question_id, u.text) for u in t.turns] == [
        (True, q1, "How did you first hear about Brightwave?"),
        (False, q1, "A post in a local freelancers' group, then the vans on her road."),
        (False, q1, '"Real people complaining about real things."'),
        (False, q1, "Checked the coverage checker."),
        (True, q2, "Tell me about the installation."),
        (False, q2, "Engineer on time."),
        (False, q2, 'App froze on the router update: "why is that not in the app?"'),
        (False, q2, "Last point"),
    ]
    assert all(u.speaker is None for u in t.turns)
    assert [u.line for u in t.turns] == [7, 8, 10, 11, 13, 14, 15, 18]
    assert t.warnings == []


def test_markdown_heading_levels() -> None:
    text = (
        "# Notes\n\nPlain summary paragraph.\n\n"
        "### Does a deep question count?\n- yes\n"
        "### Aside\n- still under the question\n"
        "# Observations\n- unlinked\n"
    )
    t = read_text_transcript(text, "n.md")
    assert [(u.is_question, u.question_id, u.text) for u in t.turns] == [
        (False, None, "Plain summary paragraph."),
        (True, "q01-does-a-deep-question-count", "Does a deep question count?"),
        (False, "q01-does-a-deep-question-count", "yes"),
        (False, "q01-does-a-deep-question-count", "still under the question"),
        (False, None, "unlinked"),
    ]


def test_question_slug_drops_numbering_and_accents() -> None:
    text = "# T\n\n## Q3. Qu'est-ce qui a changé après l'installation?\n- rien\n"
    t = read_text_transcript(text, "n.md")
    assert t.turns[0].question_id == "q01-qu-est-ce-qui-a"
    assert t.turns[0].text == "Q3. Qu'est-ce qui a changé après l'installation?"


def test_blockquotes_in_notes_are_notes() -> None:
    text = '# T\n\n## Why?\n> "Because it was cheap."\n> "And fast."\n'
    t = read_text_transcript(text, "n.md")
    assert [u.text for u in t.turns] == ["Why?", '"Because it was cheap."', '"And fast."']


def test_markdown_notes_detected_without_md_extension() -> None:
    t = read_text_transcript(NOTES, "notes.txt")
    assert t.format == "markdown-notes"


def test_notes_without_question_headings_are_warned() -> None:
    t = read_text_transcript("# Notes\n\n- one\n- two\n", "n.md")
    assert [u.text for u in t.turns] == ["one", "two"]
    assert t.warnings and t.warnings[0].startswith("n.md: no guide-question headings")


# --- forced layout and errors -----------------------------------------------------------------


def test_forced_layout_overrides_detection() -> None:
    notes_with_labels = NOTES + "\nInterviewer: Else?\nLena: No.\nInterviewer: Ok.\nLena: Bye.\n"
    assert read_text_transcript(notes_with_labels, "n.md").format == "markdown-notes"
    forced = read_text_transcript(notes_with_labels, "n.md", layout="labelled")
    assert forced.format == "labelled-text"
    assert _pairs(forced)[:2] == [("Interviewer", "Else?"), ("Lena", "No.")]
    assert len(forced.turns) == 4
    notes = read_text_transcript(MD_LABELLED, "p01.md", layout="markdown-notes")
    assert notes.format == "markdown-notes"
    assert notes.turns[0].is_question  # "## Part 2"


def test_forced_layout_that_does_not_fit_names_what_was_expected() -> None:
    with pytest.raises(InputError) as err:
        read_text_transcript(QA, "p04.txt", layout="otter")
    assert err.value.path == "p04.txt"
    assert err.value.line == 1
    assert "Name  0:03" in err.value.expected


def test_unknown_layout_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"p04\.txt.*'subtitles'"):
        read_text_transcript(QA, "p04.txt", layout="subtitles")


def test_text_without_labels_is_an_input_error() -> None:
    prose = "\n\nWe talked about broadband for an hour.\nShe said: it was fine.\nThe end.\n"
    with pytest.raises(InputError) as err:
        read_text_transcript(prose, "essay.txt")
    assert err.value.line == 3  # first line with text
    for example in ("Interviewer:", "P03:", "Q:", "[00:01:02] Name:", "Name  0:03", "## "):
        assert example in err.value.expected
    assert str(err.value).startswith("essay.txt, line 3: no speaker labels")


def test_labels_without_any_words_are_an_input_error() -> None:
    with pytest.raises(InputError, match="no transcript turns with text"):
        read_text_transcript("Interviewer:\nMaya:\nInterviewer:\nMaya:\n", "blank.txt")


# --- the bundled sample study -----------------------------------------------------------------

SAMPLES = [
    "P01_interview.txt",
    "P02_interview.txt",
    "P03_interview.txt",
    "P04_interview.txt",
    "P05_interview.txt",
    "P06_otter.txt",
    "P07_notes.md",
]


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_study_transcripts(repo_root, name: str) -> None:
    path = repo_root / "data" / "raw" / "interviews" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    decoded = decode(path.read_bytes(), name)
    t = read_text_transcript(decoded.text, name)
    assert len(t.turns) >= 15
    for turn in t.turns:
        assert fold_space(decoded.text[turn.char_start : turn.char_end]) == turn.text
    if name.endswith(".md"):
        assert t.format == "markdown-notes"
        assert sum(u.is_question for u in t.turns) >= 1
    else:
        speakers = Counter(u.speaker for u in t.turns)
        assert len(speakers) >= 2
        assert min(speakers.values()) >= 2 or name.startswith("P05")
        assert t.warnings == []


def test_short_excerpt_with_role_words_once_each_is_read() -> None:
    text = (
        "Excerpt, interview 4 (May)\n\nInterviewer: How did it go?\n\nParticipant: It never came.\n"
    )
    t = read_text_transcript(text, "excerpt.txt")
    assert [(u.speaker, u.text) for u in t.turns] == [
        ("Interviewer", "How did it go?"),
        ("Participant", "It never came."),
    ]


def test_blockquoted_labels_and_bracketed_notes() -> None:
    text = (
        "## Before the scenarios\n"
        "Becky: How long have you used the site?\n\n"
        "> P7: Well, a long time.\n\n"
        "> P7: And I use secure messaging a lot.\n\n"
        "[P7 talks about a health story]\n\n"
        "Becky: Got it.\n"
    )
    t = read_text_transcript(text, "p7.md")
    assert [(u.speaker, u.text) for u in t.turns] == [
        ("Becky", "How long have you used the site?"),
        ("P7", "Well, a long time."),
        ("P7", "And I use secure messaging a lot."),
        ("Becky", "Got it."),
    ]  # the bracketed researcher note is nobody's quote


def test_notes_template_placeholders_and_guide_questions_are_not_participant_notes() -> None:
    text = (
        "# Participant 3 notes\n"
        "**Jump to**:\n- [Scenarios](#scenarios)\n- [Cool down](#cool-down)\n\n"
        "## Scenarios\n[🟡notes]\n\n"
        "## Cool down\n- Q1: What would you change first?\n- [🟡notes]\n"
    )
    t = read_text_transcript(text, "p3.md")
    assert t.turns and all(u.is_question for u in t.turns)
    assert "Q1: What would you change first?" in [u.text for u in t.turns]
    assert any("no participant content" in w for w in t.warnings)


def test_va_pack_transcripts_read_as_labelled_turns(shared_data: Path) -> None:
    folder = shared_data / "studies" / "va-contact-us-interviews" / "transcripts"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        t = read_text_transcript(text, path.name)
        labels = {u.speaker for u in t.turns if not u.is_question}
        if "participant3" in path.name:  # the upstream file is an empty note template
            assert labels <= {None} and any("no participant content" in w for w in t.warnings)
            continue
        number = path.stem.rsplit("participant", 1)[1]
        assert labels == {"Becky", f"P{number}"}, (path.name, labels)
        quotes = [u.text for u in t.turns if u.speaker == f"P{number}"]
        assert quotes and not [q for q in quotes if q.startswith(("**", ">"))]
        assert not [q for q in quotes if q.startswith("[") and q.endswith("]")]  # notes only
        for turn in t.turns:  # offsets are true
            assert fold_space(text[turn.char_start : turn.char_end]) == turn.text


def test_emphasis_markers_leave_the_text_and_offsets_stay_true() -> None:
    from workbench.segment import span_text

    text = (
        "## How did the install go?\n"
        "- **Engineer was late**, and __nobody__ called.\n"
        "- Said: “the **app** froze”.\n"
    )
    t = read_text_transcript(text, "notes.md")
    notes = [u.text for u in t.turns if not u.is_question]
    assert notes == ["Engineer was late, and nobody called.", "Said: “the app froze”."]
    for turn in t.turns:
        assert span_text(text, turn.char_start, turn.char_end) == turn.text
