"""Readers of subtitle transcripts: WebVTT (Zoom, Teams, plain) and SubRip (``.srt``).

Why the cue blocks are scanned here rather than by webvtt-py: ``webvtt.from_string`` gives
neither line numbers nor character offsets, which every turn needs for its evidence link. In
its default mode it also drops a cue with a malformed timing line without a word (losing what
the participant said), and its ``strict`` mode rejects real youtube-dl exports (a timing line
right after cue text) and names no line. Its SRT reader folds a cue whose timing line is missing
into the previous cue's text. So this module finds the blocks, timing lines and offsets itself,
and uses webvtt-py for what it does well: timestamp parsing and validation
(:class:`webvtt.models.Timestamp`), the voice-span pattern of ``<v Name>`` tags and removing
cue tags in linear time (:attr:`webvtt.Caption.text`).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedCaptionError
from webvtt.models import Timestamp

from workbench.errors import EmptyFileError, InputError
from workbench.ingest.base import Transcript, Turn, fold_space

VTT_TIMING = "HH:MM:SS.mmm --> HH:MM:SS.mmm"
SRT_TIMING = "HH:MM:SS,mmm --> HH:MM:SS,mmm"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_VTT_TS = r"(?:\d{1,10}:)?\d{1,2}:\d{1,2}\.\d{1,3}"
_SRT_TS = r"(?:\d{1,10}:)?\d{1,2}:\d{1,2},\d{1,3}"
_VTT_TIMING_LINE = re.compile(rf"\s*({_VTT_TS})[ \t]*-->[ \t]*({_VTT_TS})(?:[ \t]+.*)?\s*")
_SRT_TIMING_LINE = re.compile(rf"\s*({_SRT_TS})[ \t]*-->[ \t]*({_SRT_TS})(?:[ \t]+.*)?\s*")
_LOOKS_LIKE_TIME = re.compile(r"\s*\d+:\d")
_HEADER = re.compile(r"\ufeff?WEBVTT(?:[ \t]|$)")
_META_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_SRT_CODES = re.compile(r"\{\\[^{}]*\}")
# A speaker label: up to five words, the first starting with a letter, then a colon and a
# space (or the end of the line). "http://" and "10:30" are not labels.
_LABEL = re.compile(r"[ \t]*([^\W\d_][\w'’.&-]*(?:[ \t]+[\w'’.&-]+){0,4})[ \t]*:(?:[ \t]+|$)")
_MAX_LABEL_CHARS = 40


def match_label(line: str) -> tuple[str, int] | None:
    """Find a ``Name:`` speaker label at the start of a line.

    Parameters
    ----------
    line : str
        One line of text.

    Returns
    -------
    tuple of (str, int) or None
        The label (without colon) and the offset where the spoken text starts, or ``None``.

    Examples
    --------
    >>> match_label("Sam Okafor: so how did it start?")
    ('Sam Okafor', 12)
    >>> match_label("At 10:30 it dropped again") is None
    True
    """
    found = _LABEL.match(line)
    if found is None or len(found.group(1)) > _MAX_LABEL_CHARS:
        return None
    return found.group(1), found.end()


def accepted_labels(
    candidates: Iterable[str | None], n_units: int, *, preamble: bool = False
) -> set[str]:
    """Keep the candidate labels that are real speaker labels.

    ``candidates`` holds the label found in each unit (cue, paragraph), in order, or ``None``.
    A label counts when it recurs (two or more units). When most units (80 %) carry a
    candidate label, the file is plainly a labelled transcript and a label used once counts
    too; with ``preamble``, not one that comes before the first recurring label (a document
    title such as ``Interview: Pat Doyle``).

    Examples
    --------
    >>> sorted(accepted_labels(["Sam", "Kerry", "Sam", "Note", None, "Kerry", None, None], 8))
    ['Kerry', 'Sam']
    >>> sorted(accepted_labels(["Interview", "Sam", "Jo", "Sam", "Jo", "Ann"], 6, preamble=True))
    ['Ann', 'Jo', 'Sam']
    """
    order = [c for c in candidates if c]
    counts = Counter(order)
    recurring = {label for label, n in counts.items() if n >= 2}
    if not order or len(order) < 0.8 * n_units:
        return recurring
    if not preamble:
        return set(order)
    first = next((i for i, label in enumerate(order) if label in recurring), len(order))
    return recurring | set(order[first:])


class _Lines:
    """Lines of a text with their offsets; line terminators are CR, LF and CRLF."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.ends: list[int] = []
        for found in _LINE_BREAK.finditer(text):
            self.ends.append(found.start())
            self.starts.append(found.end())
        self.ends.append(len(text))

    def __len__(self) -> int:
        return len(self.starts)

    def get(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def blank(self, i: int) -> bool:
        return not self.get(i).strip()

    def block_end(self, i: int) -> int:
        while i < len(self) and not self.blank(i):
            i += 1
        return i


@dataclass(slots=True)
class _Cue:
    start_s: float
    end_s: float
    first: int  # index of the first text line
    stop: int  # index after the last text line


def _timing(lines: _Lines, i: int, path: str, srt: bool) -> tuple[float, float]:
    raw = lines.get(i)
    form = SRT_TIMING if srt else VTT_TIMING
    found = (_SRT_TIMING_LINE if srt else _VTT_TIMING_LINE).fullmatch(raw)
    problem = f"bad cue timing line {raw.strip()[:80]!r}"
    if found is None:
        raise InputError(path, problem, line=i + 1, expected=form)
    try:
        start, end = (Timestamp.from_string(t.replace(",", ".")) for t in found.groups())
    except MalformedCaptionError:
        raise InputError(
            path, problem + " (minutes and seconds go up to 59)", line=i + 1, expected=form
        ) from None
    start_s, end_s = start.in_milliseconds() / 1000, end.in_milliseconds() / 1000
    if end_s < start_s:
        raise InputError(
            path, problem + ": the cue ends before it starts", line=i + 1, expected=form
        )
    return start_s, end_s


def _cue_run(lines: _Lines, k: int, j: int, path: str, srt: bool, cues: list[_Cue]) -> None:
    """Read the cues from timing line ``k`` to the block end ``j``.

    A timing line after cue text starts a new cue without a blank line (as in youtube-dl
    exports and the WebVTT parsing rules); one right after another timing line is an error.
    """
    while k < j:
        start_s, end_s = _timing(lines, k, path, srt)
        t = k + 1
        while t < j and "-->" not in lines.get(t):
            t += 1
        if t == k + 1 and t < j:
            raise InputError(
                path,
                f"a second cue timing line {lines.get(t).strip()[:80]!r} follows a timing line "
                "with no cue text between them",
                line=t + 1,
                expected="the cue's text after its timing line",
            )
        stop = t
        if srt and t < j and t - 1 > k and lines.get(t - 1).strip().isdigit():
            stop = t - 1  # the next cue's number
        cues.append(_Cue(start_s, end_s, k + 1, stop))
        k = stop
        if srt and k < j and "-->" not in lines.get(k):
            k += 1


def _missing_timing(lines: _Lines, k: int, j: int, path: str, form: str) -> InputError:
    bad = k
    if k + 1 < j and _LOOKS_LIKE_TIME.match(lines.get(k + 1)):
        bad = k + 1
    if _LOOKS_LIKE_TIME.match(lines.get(bad)):
        problem = f"cue timing line {lines.get(bad).strip()[:80]!r} has no '-->'"
    else:
        problem = f"text {lines.get(bad).strip()[:80]!r} has no cue timing line before it"
    return InputError(path, problem, line=bad + 1, expected=form)


def _vtt_cues(lines: _Lines, path: str, warnings: list[str]) -> list[_Cue]:
    first = lines.get(0)
    if not _HEADER.match(first):
        raise InputError(
            path,
            f"the first line {first.strip()[:60]!r} is not the WebVTT header",
            line=1,
            expected="a first line 'WEBVTT'",
        )
    i = 1
    while i < len(lines) and not lines.blank(i) and "-->" not in lines.get(i):
        i += 1  # header metadata such as "Kind: captions"
    cues: list[_Cue] = []
    while i < len(lines):
        if lines.blank(i):
            i += 1
            continue
        j = lines.block_end(i)
        if _META_BLOCK.match(lines.get(i)):
            i = j
            continue
        k = i
        if "-->" not in lines.get(k):
            if k + 1 < j and "-->" in lines.get(k + 1):
                k += 1  # a cue identifier (a number, a Teams GUID, a name)
            elif not cues:
                warnings.append(f"{path}, line {i + 1}: block before the first cue ignored")
                i = j
                continue
            else:
                raise _missing_timing(lines, k, j, path, VTT_TIMING)
        _cue_run(lines, k, j, path, False, cues)
        i = j
    return cues


def _srt_cues(lines: _Lines, path: str) -> list[_Cue]:
    cues: list[_Cue] = []
    i = 0
    while i < len(lines):
        if lines.blank(i):
            i += 1
            continue
        j = lines.block_end(i)
        k = i
        number = lines.get(k).strip().lstrip("\ufeff")
        if number.isdigit():
            if k + 1 >= j:
                raise InputError(
                    path, f"cue number {number} has no timing line", line=k + 1, expected=SRT_TIMING
                )
            k += 1
        if "-->" not in lines.get(k):
            found = lines.get(k).strip()[:80]
            problem = (
                f"cue number {number} is followed by {found!r}, not a timing line"
                if k > i
                else f"expected a cue number or timing line, found {found!r}"
            )
            raise InputError(path, problem, line=k + 1, expected=SRT_TIMING)
        _cue_run(lines, k, j, path, True, cues)
        i = j
    return cues


def _clean(raw: str, srt: bool) -> str:
    if srt:
        raw = _SRT_CODES.sub("", raw)
    return fold_space(html.unescape(webvtt.Caption(text=raw).text))


def _turns(
    lines: _Lines, cues: list[_Cue], path: str, srt: bool, warnings: list[str]
) -> tuple[str, list[Turn]]:
    """Give each cue a speaker, then merge consecutive cues of one speaker into turns."""
    text = lines.text
    parsed = []  # (cue, voice, label candidate, content start, label end, content end)
    for cue in cues:
        if cue.first >= cue.stop:
            warnings.append(f"{path}, line {cue.first}: cue without text skipped")
            continue
        first_line = lines.get(cue.first)
        pos = len(first_line) - len(first_line.lstrip())
        while srt and (code := _SRT_CODES.match(first_line, pos)):
            pos = code.end()  # a leading {\an8} before the label
        begin = lines.starts[cue.first] + pos
        last = lines.get(cue.stop - 1)
        end = lines.starts[cue.stop - 1] + len(last.rstrip())
        voice = None if srt else webvtt.Caption.VOICE_SPAN_PATTERN.match(first_line, pos)
        label = None if voice else match_label(first_line[pos:])
        if voice:
            name = voice.group(1).strip()
            parsed.append((cue, name, None, begin, begin + voice.end() - pos, end))
        elif label:
            parsed.append((cue, None, label[0], begin, begin + label[1], end))
        else:
            parsed.append((cue, None, None, begin, begin, end))
    has_voice = any(p[1] for p in parsed)
    labels = set() if has_voice else accepted_labels((p[2] for p in parsed), len(parsed))
    fmt = "srt" if srt else "teams-vtt" if has_voice else "zoom-vtt" if labels else "vtt"
    turns: list[Turn] = []
    current: str | None = None
    for cue, voice, label, begin, after_label, end in parsed:
        own = voice or (label if label in labels else None)
        if own is not None:
            begin = after_label
        current = own if own is not None else current
        while begin < end and text[begin].isspace():
            begin += 1
        words = _clean(text[begin:end], srt)
        if not words:
            warnings.append(f"{path}, line {cue.first + 1}: cue without words skipped")
            continue
        if turns and current is not None and turns[-1].speaker == current:
            turn = turns[-1]
            turn.text = f"{turn.text} {words}"
            turn.char_end, turn.end_s = end, cue.end_s
        else:
            line = cue.first
            while line + 1 < cue.stop and lines.starts[line + 1] <= begin:
                line += 1  # the label stood alone on the cue's first line
            turns.append(Turn(current, words, begin, end, line + 1, cue.start_s, cue.end_s))
    return fmt, turns


def _read(text: str, path: str, srt: bool) -> Transcript:
    if not text.strip():
        raise EmptyFileError(path, "the file is empty", expected="subtitle cues")
    lines = _Lines(text)
    warnings: list[str] = []
    cues = _srt_cues(lines, path) if srt else _vtt_cues(lines, path, warnings)
    form = SRT_TIMING if srt else VTT_TIMING
    if not cues:
        raise InputError(path, "the file has no cues", expected=f"cues with a timing line {form}")
    fmt, turns = _turns(lines, cues, path, srt, warnings)
    if not turns:
        raise InputError(path, "no cue has any text", expected="cue text after each timing line")
    return Transcript(fmt, text, turns, warnings)


def read_vtt(text: str, path: str) -> Transcript:
    """Read a WebVTT transcript (Zoom, Microsoft Teams or plain captions).

    Speakers come from ``<v Name>`` voice tags (format ``teams-vtt``) or from ``Name: text``
    labels that recur (``zoom-vtt``); without either, each cue is a turn with speaker ``None``
    (``vtt``). A cue without a speaker continues the previous speaker, and consecutive cues
    by one speaker merge into one turn (``start_s`` of the first cue, ``end_s`` of the last).
    Cue tags (``<c>``, ``<i>``, ``<b>``, ``<00:00:01.000>``) are removed and HTML entities
    decoded; ``NOTE``, ``STYLE`` and ``REGION`` blocks, header metadata, cue identifiers, cue
    settings, a byte-order mark, CRLF and hour-less timings (``01:05.120``) are handled.

    ``char_start``/``char_end`` span the turn's words in ``text``: from the first cue's text
    after its label or voice tag to the end of the last cue's text. For merged cues the span
    also covers the blank, identifier and timing lines between them (and a closing ``</v>``),
    so ``turn.text`` is the cleaned words, not the span folded. ``line`` is the 1-based line
    of the first cue's text.

    Parameters
    ----------
    text : str
        The decoded file.
    path : str
        The file's name for messages.

    Returns
    -------
    Transcript

    Raises
    ------
    InputError
        No ``WEBVTT`` header, a malformed timing line (with its line number and the expected
        form ``HH:MM:SS.mmm --> HH:MM:SS.mmm``), cue text without a timing line, or no cues.

    Examples
    --------
    >>> t = read_vtt("WEBVTT\\n\\n1\\n00:01.000 --> 00:03.000\\n<v Ann>Hi there</v>\\n", "a.vtt")
    >>> t.format, t.turns[0].speaker, t.turns[0].text, t.turns[0].line, t.turns[0].end_s
    ('teams-vtt', 'Ann', 'Hi there', 5, 3.0)
    """
    return _read(text, path, srt=False)


def read_srt(text: str, path: str) -> Transcript:
    """Read a SubRip (``.srt``) transcript.

    Cues are a number, a timing line ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` (a comma before the
    milliseconds, as SubRip requires) and text. Speakers, merging, tags and offsets work as in
    :func:`read_vtt` with ``Name: text`` labels; ``{\\an8}``-style codes are removed.

    Parameters
    ----------
    text : str
        The decoded file.
    path : str
        The file's name for messages.

    Returns
    -------
    Transcript
        With format ``srt``.

    Raises
    ------
    InputError
        A block that does not start with a cue number or timing line, a malformed timing
        line, or no cues, naming the line and the expected form.

    Examples
    --------
    >>> t = read_srt("1\\n00:00:01,000 --> 00:00:02,500\\nJo: Hello\\n\\n2\\n"
    ...              "00:00:03,000 --> 00:00:04,000\\nJo: again\\n", "a.srt")
    >>> [(u.speaker, u.text, u.start_s, u.end_s) for u in t.turns]
    [('Jo', 'Hello again', 1.0, 4.0)]
    """
    return _read(text, path, srt=True)
