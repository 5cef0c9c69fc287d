"""Tests of the WebVTT and SubRip readers, on webvtt-py's own edge-case files and on
Zoom-, Teams- and SRT-style transcripts written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import EmptyFileError, InputError
from workbench.ingest.base import decode
from workbench.ingest.subtitles import (
    SRT_TIMING,
    VTT_TIMING,
    accepted_labels,
    match_label,
    read_srt,
    read_vtt,
)


def _read(path: Path):
    decoded = decode(path.read_bytes(), path.name)
    reader = read_srt if path.suffix == ".srt" else read_vtt
    return reader(decoded.text, path.name)


def _numbered(*numbers: int) -> list[str]:
    return [f"Caption text #{n}" for n in numbers]


# file -> (number of turns, texts (all, or the first ones), first start_s, last end_s, first line)
VALID = {
    "captions_with_bom.vtt": (4, _numbered(1, 2, 3, 4), 0.5, 21.58, 4),
    "comments.vtt": (
        3,
        ["- Ta en kopp varmt te. - Det är inte varmt.", "- Har en kopp te. - Det smakar som te."],
        135.0,
        150.0,
        9,
    ),
    "cue_tags.vtt": (
        3,
        ["When the moon hits your eye", "Like a big-a pizza pie", "That's amore"],
        16.5,
        21.5,
        4,
    ),
    "metadata_headers.vtt": (2, _numbered(1, 2), 0.5, 11.89, 6),
    "metadata_headers_multiline.vtt": (2, _numbered(1, 2), 0.5, 11.89, 10),
    "missing_caption_text.vtt": (4, _numbered(1, 3, 4, 5), 0.5, 23.88, 4),
    "one_caption.vtt": (1, _numbered(1), 0.5, 7.0, 4),
    "sample.vtt": (16, _numbered(*range(1, 17)), 0.5, 64.3, 4),
    "styles.vtt": (1, ["- Hello world."], 0.0, 10.0, 15),
    "using_identifiers.vtt": (6, _numbered(1, 2, 3, 4, 5, 6), 0.5, 27.28, 4),
    "youtube_dl.vtt": (
        4,
        ["yeah", "yeah what", "this will happen is I'm telling", "this will happen is I'm telling"],
        286.07,
        305.4,
        13,
    ),
    "sample.srt": (5, _numbered(1, 2, 3, 4, 5), 0.5, 23.88, 3),
    "one_caption.srt": (1, _numbered(1), 0.5, 7.0, 3),
    "missing_caption_text.srt": (4, _numbered(1, 3, 4, 5), 0.5, 23.88, 3),
}

# file -> (error class, line, text the message must contain)
INVALID = {
    "empty.vtt": (EmptyFileError, None, "empty"),
    "invalid.vtt": (InputError, 1, "WebVTT header"),
    "invalid_timeframe.vtt": (InputError, 6, "00:00:1d.890"),
    "invalid_timeframe_in_cue_text.vtt": (InputError, 7, "second cue timing line"),
    "missing_timeframe.vtt": (InputError, 6, "Caption text #2"),
    "no_captions.vtt": (InputError, None, "no cues"),
    "invalid_format1.srt": (InputError, 1, "cue number 1 has no timing line"),
    "invalid_format2.srt": (InputError, 1, "'some text'"),
    "invalid_format3.srt": (InputError, 2, "'some text'"),
    "invalid_format4.srt": (InputError, 1, "'some text'"),
    "invalid_timeframe.srt": (InputError, 6, "00:00:11.890"),
    "missing_timeframe.srt": (InputError, 6, "Caption text #2"),
}


def test_every_subtitle_file_is_covered(shared_data):
    names = {p.name for p in (shared_data / "formats" / "subtitles").glob("*.[vs][tr][tt]")}
    assert names == set(VALID) | set(INVALID)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_subtitle_files(shared_data, name):
    n_turns, texts, first_start, last_end, first_line = VALID[name]
    transcript = _read(shared_data / "formats" / "subtitles" / name)
    assert transcript.format == ("srt" if name.endswith(".srt") else "vtt")
    assert len(transcript.turns) == n_turns
    assert [t.text for t in transcript.turns[: len(texts)]] == texts
    assert all(t.speaker is None for t in transcript.turns)
    assert transcript.turns[0].start_s == first_start
    assert transcript.turns[-1].end_s == last_end
    assert transcript.turns[0].line == first_line
    lines = transcript.text.splitlines()
    for turn in transcript.turns:  # the line number points at the cue's text
        assert turn.text.split()[0] in lines[turn.line - 1]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_subtitle_files(shared_data, name):
    error, line, fragment = INVALID[name]
    with pytest.raises(error) as caught:
        _read(shared_data / "formats" / "subtitles" / name)
    assert type(caught.value) is error
    assert caught.value.line == line
    assert fragment in str(caught.value)
    assert caught.value.path == name


def test_missing_caption_text_is_reported_as_a_warning(shared_data):
    transcript = _read(shared_data / "formats" / "subtitles" / "missing_caption_text.vtt")
    assert transcript.warnings == ["missing_caption_text.vtt, line 6: cue without text skipped"]


def test_timing_errors_show_the_expected_form(shared_data):
    with pytest.raises(InputError) as vtt:
        _read(shared_data / "formats" / "subtitles" / "invalid_timeframe.vtt")
    with pytest.raises(InputError) as srt:
        _read(shared_data / "formats" / "subtitles" / "invalid_timeframe.srt")
    assert vtt.value.expected == VTT_TIMING == "HH:MM:SS.mmm --> HH:MM:SS.mmm"
    assert srt.value.expected == SRT_TIMING == "HH:MM:SS,mmm --> HH:MM:SS,mmm"


ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
Sam Okafor: Thanks for joining. How did you first hear about Brightwave?

2
00:00:05.000 --> 00:00:09.000
Kerry Nolan: A leaflet, I think. Then my neighbour

3
00:00:09.000 --> 00:00:12.250
mentioned   the price.

4
00:00:12.500 --> 00:00:15.000
Kerry Nolan: It was £25 a month.

5
00:00:15.500 --> 00:00:17.000
Sam Okafor: Right.
"""


def test_zoom_vtt_merges_cues_and_continues_unlabelled_cues():
    transcript = read_vtt(ZOOM, "P08_zoom.vtt")
    assert transcript.format == "zoom-vtt"
    assert [t.speaker for t in transcript.turns] == ["Sam Okafor", "Kerry Nolan", "Sam Okafor"]
    kerry = transcript.turns[1]
    assert (
        kerry.text
        == "A leaflet, I think. Then my neighbour mentioned the price. It was £25 a month."
    )
    assert (kerry.start_s, kerry.end_s) == (5.0, 15.0)
    assert kerry.char_start == ZOOM.index("A leaflet")
    assert kerry.char_end == ZOOM.index("a month.") + len("a month.")
    assert kerry.line == 9
    assert ZOOM.splitlines()[kerry.line - 1].startswith("Kerry Nolan: A leaflet")
    first = transcript.turns[0]
    assert ZOOM[first.char_start : first.char_end] == (
        "Thanks for joining. How did you first hear about Brightwave?"
    )
    assert (first.line, first.start_s, first.end_s) == (5, 1.0, 4.5)


TEAMS = (
    "\ufeffWEBVTT\r\n\r\n"
    'NOTE duration:"00:12:30.0000000"\r\n\r\n'
    "NOTE language:en-gb\r\n\r\n"
    "STYLE\r\n::cue { color: white; }\r\n\r\n"
    "6b1e2f0a-5c3d-4e8b-9a71-2d4c8e6f1b3a/17-0\r\n"
    "00:03.000 --> 00:06.500\r\n"
    "<v Priya Nair>Could you tell me about the engineer visit?</v>\r\n\r\n"
    "6b1e2f0a-5c3d-4e8b-9a71-2d4c8e6f1b3a/18-0\r\n"
    "01:05.120 --> 01:09.400\r\n"
    "<v Dennis Moore>He came on the Tuesday &amp; fixed it</v>\r\n\r\n"
    "6b1e2f0a-5c3d-4e8b-9a71-2d4c8e6f1b3a/18-1\r\n"
    "01:09.400 --> 01:12.000\r\n"
    "<v Dennis Moore>in about an hour.</v>\r\n\r\n"
    "6b1e2f0a-5c3d-4e8b-9a71-2d4c8e6f1b3a/19-0\r\n"
    "01:12.500 --> 1:01:14.000\r\n"
    "<v Claire Moore>Dad, it was two hours.</v>\r\n"
)


def test_teams_vtt_voice_tags_bom_crlf_notes_styles_and_hourless_timings():
    transcript = read_vtt(TEAMS, "P09_teams.vtt")
    assert transcript.format == "teams-vtt"
    speakers = [t.speaker for t in transcript.turns]
    assert speakers == ["Priya Nair", "Dennis Moore", "Claire Moore"]
    dennis = transcript.turns[1]
    assert dennis.text == "He came on the Tuesday & fixed it in about an hour."
    assert (dennis.start_s, dennis.end_s) == (65.12, 72.0)
    assert dennis.char_start == TEAMS.index("He came")
    assert dennis.char_end == TEAMS.index("in about an hour.</v>") + len("in about an hour.</v>")
    assert dennis.line == TEAMS[: dennis.char_start].count("\n") + 1 == 16
    assert transcript.turns[2].end_s == 3674.0


def test_cue_tags_are_removed_and_plain_cues_have_no_speaker():
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
        "<i>so</i> I <b>rang</b><00:00:01.500> <c.red>them</c>\n\n"
        "00:00:02.000 --> 00:00:03.000\nagain\n"
    )
    transcript = read_vtt(text, "a.vtt")
    assert transcript.format == "vtt"
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        (None, "so I rang them"),
        (None, "again"),
    ]


def test_a_one_off_colon_phrase_is_not_a_speaker():
    cues = ["Sam: Hello.", "Kerry: Hi.", "and welcome", "Sam: So,", "Kerry: well", "then", "more"]
    cues.append("At last: it worked.")
    body = "".join(
        f"\n{i}\n00:00:{i:02d}.000 --> 00:00:{i:02d}.900\n{cue}\n" for i, cue in enumerate(cues)
    )
    transcript = read_vtt("WEBVTT\n" + body, "a.vtt")
    assert [t.speaker for t in transcript.turns] == ["Sam", "Kerry", "Sam", "Kerry"]
    assert transcript.turns[-1].text == "well then more At last: it worked."


def test_label_alone_on_the_first_cue_line():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSam:\nso, the bill?\n\n"
    text += "00:00:03.000 --> 00:00:04.000\nJo: it went up\n\n"
    text += (
        "00:00:05.000 --> 00:00:06.000\nSam: why?\n\n00:00:07.000 --> 00:00:08.000\nJo: no idea\n"
    )
    transcript = read_vtt(text, "a.vtt")
    sam = transcript.turns[0]
    assert (sam.speaker, sam.text, sam.line) == ("Sam", "so, the bill?", 5)
    assert sam.char_start == text.index("so, the bill?")


SRT = """1
00:00:01,000 --> 00:00:04,000
Sam: So, Jordan, how did you find the router set-up?

2
00:00:04,500 --> 00:00:08,000
{\\an8}Jordan: <i>Honestly</i> it took
two evenings.

3
00:00:08,000 --> 00:00:10,000
Jordan: The app kept timing out.
"""


def test_srt_with_speaker_labels():
    transcript = read_srt(SRT, "P10_interview.srt")
    assert transcript.format == "srt"
    assert [t.speaker for t in transcript.turns] == ["Sam", "Jordan"]
    jordan = transcript.turns[1]
    assert jordan.text == "Honestly it took two evenings. The app kept timing out."
    assert (jordan.start_s, jordan.end_s, jordan.line) == (4.5, 10.0, 7)
    assert SRT[jordan.char_end - len("timing out.") : jordan.char_end] == "timing out."


@pytest.mark.parametrize(
    ("timing", "fragment"),
    [
        ("00:00:0a.000 --> 00:00:04.000", "00:00:0a.000"),
        ("00:00:05.000 --> 00:00:04.000", "ends before it starts"),
        ("00:00:01.000 00:00:04.000", "has no '-->'"),
        ("00:61:00.000 --> 00:62:00.000", "up to 59"),
    ],
)
def test_bad_vtt_timing_lines_name_the_line(timing, fragment):
    text = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nok\n\n{timing}\nwords\n"
    with pytest.raises(InputError) as caught:
        read_vtt(text, "b.vtt")
    assert caught.value.line == 6
    assert fragment in caught.value.problem
    assert caught.value.expected == VTT_TIMING


def test_srt_with_a_dot_before_milliseconds_is_rejected():
    with pytest.raises(InputError) as caught:
        read_srt("1\n00:00:01.000 --> 00:00:02.000\nhi\n", "c.srt")
    assert caught.value.line == 2
    assert caught.value.expected == SRT_TIMING


def test_label_rules():
    assert match_label("Interviewer 1:  hello") == ("Interviewer 1", 16)
    assert match_label("see https://example.com") is None
    assert match_label("A really long sentence that goes on and on: x") is None
    assert accepted_labels(["Sam", "Sam", "Once", None, None], 5) == {"Sam"}


@pytest.mark.parametrize(
    ("name", "reader"),
    [("P08_zoom.vtt", read_vtt), ("P09_teams.vtt", read_vtt), ("P10_interview.srt", read_srt)],
)
def test_sample_study_subtitles(repo_root, name, reader):
    path = repo_root / "data" / "raw" / "interviews" / name
    if not path.exists():
        pytest.skip(f"{name} not written yet")
    transcript = reader(decode(path.read_bytes(), name).text, name)
    speakers = {t.speaker for t in transcript.turns}
    assert len(transcript.turns) >= 15
    assert len(speakers - {None}) >= 2
    assert transcript.format == {"P08": "zoom-vtt", "P09": "teams-vtt", "P10": "srt"}[name[:3]]
    if name.startswith("P09"):
        assert {"Claire Moore", "Dennis Moore"} <= speakers
