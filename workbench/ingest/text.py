"""Read plain-text (``.txt``) and markdown (``.md``) interview transcripts.

Three layouts are recognised:

* **labelled text** – each turn starts a line with a speaker label and a colon
  (``Interviewer:``, ``Interviewee1 :``, ``P03:``, ``Q:``, ``**Maya Chen:**``), optionally with a
  timestamp (``[00:01:02] Name:``, ``(00:01:02) Name:``, ``Name [00:01:02]:``,
  ``00:01:02 Name:``); lines without a label continue the turn;
* **Otter.ai exports** – a ``Name  0:03`` header line (two or more spaces before the time) with
  the words on the following lines;
* **markdown interview notes** – ``##`` guide-question headings followed by note bullets.

A line only counts as a speaker label if the label is short and name-like and either recurs in
the file, is a role word (Interviewer, Participant, Q, A, P03 ...) or carries a timestamp, so
that "Note: the call dropped" or "So my thought was: ..." inside a turn stay part of the turn.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from workbench.errors import ConfigError, InputError
from workbench.ingest.base import Transcript, Turn, fold_space
from workbench.segment import span_text

__all__ = ["read_text_transcript"]


class _AtLineStart:
    """A regex that matches only at line starts.

    Searching for a literal ``\n`` first is several times faster than ``^`` with
    ``re.MULTILINE``; the first line is tried on its own. The line's own match is the group
    ``line``.
    """

    def __init__(self, body: str, flags: int = 0) -> None:
        self.first = re.compile(rf"(?P<line>{body})", flags)
        self.rest = re.compile(rf"\n(?P<line>{body})", flags)

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        if pos == 0 and (m := self.first.match(text)):
            yield m
        yield from self.rest.finditer(text, max(pos - 1, 0))


_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# Possessive quantifiers: a label never needs to give characters back, and lines that are
# not labels then fail fast.
_NAME = r"[^\W\d_][\w.'’&-]*+(?:[ ][\w.'’&-]++){0,3}+"
_LABEL = _AtLineStart(
    rf"""[ \t]*+(?:>[ \t]*+)?
    (?:[\[(](?P<ts1>{_TS})[\])][ \t]*|(?P<ts2>{_TS})[ \t]+)?
    (?P<em>\*\*|__)?
    (?P<label>{_NAME})
    (?:[ \t]*[\[(](?P<ts3>{_TS})[\])])?
    (?(em)(?:[ \t]*(?:\*\*|__)[ \t]*:|[ \t]*:[ \t]*(?:\*\*|__))|[ \t]*:(?!//))
    """,
    re.X,
)
_OTTER = _AtLineStart(
    rf"(?P<label>[^\s#>*+\-\[(][^\r\n:]{{0,39}}?)[ \t]{{2,}}(?P<ts>{_TS})[ \t]*\r?$", re.M
)
_OTTER_FOOTER_RE = re.compile(r"^[ \t]*Transcribed by https?://otter\.ai[ \t]*\r?$", re.M | re.I)
_HEADING_RE = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_HEADING_LINE = _AtLineStart(r"#{1,6}[ \t]+\S")
_RULE_RE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*\r?$")
_RULE_LINE = _AtLineStart(_RULE_RE.pattern.replace(r"\1", r"\2"), re.M)
_BULLET_RE = re.compile(r"([ \t]*)(?:[-*+]|\d{1,3}[.)]|>)(?:[ \t]+|$)")
# A line or note that is only bracketed researcher text or links: "[P7 talks about X]",
# "[🟡notes]", "[Scenarios](#scenarios)". Template placeholders and navigation, never a quote.
_BRACKETED = r"(?:\[[^\]\n]*\](?:\([^)\n]*\))?[ \t,;|·–-]*)+"
_BRACKETED_RE = re.compile(_BRACKETED)
_BRACKETED_LINE = _AtLineStart(rf"[ \t]*(?:[-*+>][ \t]+)?{_BRACKETED}\r?$", re.M)
# A guide question written as a note: "Q1: ...", "Question 3. ...", or a short line ending in "?"
_GUIDE_RE = re.compile(r"(?:q(?:uestion)?[ \t]*\d{1,3}[ \t]*[.:)]|[^\"“”]{3,200}\?$)", re.I)
_BULLET_LINE = _AtLineStart(r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+\S")
_META_RE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?[A-Z][\w ./&()-]{0,30}?(?:\*\*|__)?[ \t]*:"
    r"(?:\*\*|__)?(?:[ \t]|$)"
)
_QNUM_RE = re.compile(r"^\s*(?:q(?:uestion)?\s*\d+|\d+)\s*[.:)\-–—]?\s*", re.I)
_ROLE_RE = re.compile(
    r"(?:interviewer|interviewee|participant|respondent|moderator|facilitator|researcher"
    r"|speaker|unknown speaker|customer|host|guest|question|answer|int|q|a|i|r|p)"
    r"(?: ?\d{1,3})?",
    re.I,
)
# Words that often start a line with a colon but never name a speaker.
_NOT_SPEAKERS = frozenset(
    (
        "note notes nb n.b. ps p.s. edit update date time location duration title subject re "
        "example e.g. i.e. summary transcript interview recording tip warning important todo "
        "fyi source link url email e-mail tel phone file ref agenda topic topics attendees "
        "present consent end start total step quote action actions follow-up outcome result "
        "context background observation observations insight insights"
    ).split()
)
_PARTICLES = frozenset("de da di du del der den van von le la al bin ben st. mc".split())
_LAYOUTS = {
    "labelled": "labelled",
    "labelled-text": "labelled",
    "timestamped-text": "labelled",
    "otter": "otter",
    "markdown-notes": "markdown-notes",
}
_EXPECTED_LABELS = (
    "lines that start with a speaker label and a colon, such as 'Interviewer:', "
    "'Interviewer 1:', 'P03:', 'Q:'/'A:', 'Maya Chen:', '**Interviewer:**', "
    "'[00:01:02] Name:' or 'Name [00:01:02]:', each label used at least twice or a role word "
    "(Interviewer, Participant, Respondent, Moderator ...)"
)
_EXPECTED_OTTER = (
    "Otter.ai blocks: a 'Name  0:03' header line (name, two spaces, m:ss or h:mm:ss) "
    "followed by the words"
)
_EXPECTED_NOTES = "markdown interview notes: '## guide question?' headings followed by '- ' bullets"


def read_text_transcript(text: str, path: str, *, layout: str | None = None) -> Transcript:
    """Read a ``.txt`` or ``.md`` transcript into turns.

    Parameters
    ----------
    text : str
        The decoded file content (``\\r\\n`` line ends are fine).
    path : str
        The file's name, used in messages and to recognise ``.md`` files.
    layout : {"labelled", "otter", "markdown-notes"}, optional
        Force a layout (from the study config); by default it is detected.

    Returns
    -------
    Transcript
        ``format`` is ``labelled-text``, ``timestamped-text``, ``otter`` or ``markdown-notes``;
        ``text`` is the very object passed in, and every turn satisfies
        ``fold_space(text[turn.char_start:turn.char_end]) == turn.text``.

    Raises
    ------
    InputError
        When no speaker labels, Otter.ai headers or markdown notes are found.

    Examples
    --------
    >>> src = "Interviewer: Hi.\\nMaya: Hello,\\n  and hi.\\nInterviewer: Ready?\\nMaya: Yes."
    >>> t = read_text_transcript(src, "a.txt")
    >>> t.format, [(turn.speaker, turn.text, turn.line) for turn in t.turns][:2]
    ('labelled-text', [('Interviewer', 'Hi.', 1), ('Maya', 'Hello, and hi.', 2)])
    """
    markdownish = path.lower().endswith((".md", ".markdown"))
    if layout is not None:
        if layout not in _LAYOUTS:
            raise ConfigError(
                f"{path}: unknown transcript layout {layout!r} "
                f"(expected one of {', '.join(sorted(_LAYOUTS))})"
            )
        kind = _LAYOUTS[layout]
        if kind == "labelled":
            marks, warnings = _label_marks(text, path, markdownish, forced=True)
            return _finish(text, path, _turns_between(text, marks), warnings, _EXPECTED_LABELS)
        if kind == "otter":
            return _finish(text, path, _otter_turns(text), [], _EXPECTED_OTTER, "otter")
        return _notes(text, path)

    n_bullets = sum(1 for _ in _BULLET_LINE.finditer(text))
    markdownish = markdownish or (n_bullets > 0 and next(_HEADING_LINE.finditer(text), None))
    marks, warnings = _label_marks(text, path, markdownish, forced=False)
    n_labels = sum(1 for m in marks if m[2] is not None)
    otter = _otter_headers(text)
    if n_labels >= 2 and n_labels >= len(otter) and (not markdownish or n_labels >= n_bullets):
        return _finish(text, path, _turns_between(text, marks), warnings, _EXPECTED_LABELS)
    if len(otter) >= 2:
        return _finish(text, path, _otter_turns(text, otter), [], _EXPECTED_OTTER, "otter")
    if markdownish:
        return _notes(text, path)
    raise InputError(
        path,
        "no speaker labels, Otter.ai headers or markdown interview notes found",
        line=_first_text_line(text),
        expected=f"{_EXPECTED_LABELS}; or {_EXPECTED_OTTER}; or {_EXPECTED_NOTES}",
    )


# --- labelled text --------------------------------------------------------------------------

# A mark is (line start, where the words may start, speaker or None for a break, start_s).
_Mark = tuple[int, int, "str | None", "float | None"]


def _name_like(label: str) -> bool:
    words = label.split(" ")
    if len(label) > 40 or len(words) > 4:
        return False
    return all(
        w[0].isupper() or w[0].isdigit() or (i > 0 and w.lower() in _PARTICLES)
        for i, w in enumerate(words)
    )


def _label_marks(
    text: str, path: str, markdownish: bool, *, forced: bool
) -> tuple[list[_Mark], list[str]]:
    """Find the accepted speaker-label lines (and, in markdown, the headings that end turns)."""
    found = []
    for m in _LABEL.finditer(text):
        label = m["label"].strip()
        found.append((m.start("line"), m.end(), label, m["ts1"] or m["ts2"] or m["ts3"]))
    counts = Counter(f[2].casefold() for f in found)
    timed = sum(1 for f in found if f[3]) >= 2

    def accepted(label: str, ts: str | None) -> bool:
        key = label.casefold()
        if key in _NOT_SPEAKERS:
            return False
        if _ROLE_RE.fullmatch(label):
            return True
        return _name_like(label) and (counts[key] >= 2 or (timed and ts is not None))

    keep = [f for f in found if accepted(f[2], f[3])]
    # The transcript starts at the first recurring label, or at a role word followed by more
    # than a few words: title and metadata lines ("Participant: P03") come first.
    first = next(
        (f[0] for f in keep if counts[f[2].casefold()] >= 2 or _words_on_line(text, f[1]) > 4),
        None,
    )
    if first is None:  # no label recurs: accept role words only if there are several
        first = keep[0][0] if keep and (forced or len(keep) >= 2) else len(text) + 1
    elif not any(counts[f[2].casefold()] >= 2 for f in keep):
        # a short excerpt (no label recurs): an earlier role-word turn that is not a metadata
        # header counts too ("Interviewer: How did it go?" before a long answer)
        first = next(
            (
                f[0]
                for f in keep
                if f[0] < first
                and _ROLE_RE.fullmatch(f[2])
                and not _is_metadata_block(text, f[0], counts)
            ),
            first,
        )
    if first <= len(text) and _is_metadata_block(text, first, counts):
        after = _paragraph_end(text, first)
        first = next((f[0] for f in keep if f[0] >= after), first)
    marks: list[_Mark] = [(s, e, lab, _seconds(ts)) for s, e, lab, ts in keep if s >= first]
    if not marks:
        return [], []
    lonely = [f for f in found if f[0] > first and not accepted(f[2], f[3])]
    lonely = [f for f in lonely if _name_like(f[2]) and f[2].casefold() not in _NOT_SPEAKERS]
    warnings = []
    if lonely:
        where = ", ".join(f"line {_line_at(text, f[0])} {f[2]!r}" for f in lonely[:5])
        more = f" and {len(lonely) - 5} more" if len(lonely) > 5 else ""
        warnings.append(
            f"{path}: {len(lonely)} line(s) start with a name and a colon used only once "
            f"({where}{more}); read as part of the turn above, not as a new speaker"
        )
    if markdownish:
        breaks = [m.start("line") for m in _HEADING_LINE.finditer(text, first)]
        breaks += [m.start("line") for m in _RULE_LINE.finditer(text, first)]
        breaks += [m.start("line") for m in _BRACKETED_LINE.finditer(text, first)]
        marks = sorted(marks + [(b, b, None, None) for b in breaks])
    return marks, warnings


def _paragraph_end(text: str, pos: int) -> int:
    """Where the run of non-blank lines holding ``pos`` ends."""
    end = pos
    while end < len(text):
        nl = text.find("\n", end)
        nxt = len(text) if nl < 0 else nl + 1
        if not text[end:nxt].strip():
            break
        end = nxt
    return end


def _is_metadata_block(text: str, pos: int, counts: Counter[str]) -> bool:
    """Is the paragraph holding ``pos`` a header of ``Key: short value`` lines?

    It is when, from ``pos`` on, it has at most 10 lines, each ``Key: value`` with a value of
    at most six words and a key of its own, and at least one key (there or in the lines just
    above) is a metadata word ("Date") or is used only once in the file ("Participant").
    """
    start = pos
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        if not text[prev:start].strip():
            break
        start = prev
    end = _paragraph_end(text, pos)
    if text.count("\n", pos, end) > 10:
        return False
    header = False
    keys = set()
    for line_start, line in _lines_from(text, start, end):
        m = _LABEL.first.match(line)
        if m is None and _META_RE.match(line) is None:
            if line_start < pos:  # a title above the header
                continue
            return False
        if m is not None and (m["ts1"] or m["ts2"] or m["ts3"]):
            return False
        value = line[m.end() :] if m else line.partition(":")[2]
        if (len(value.split()) > 6 or value.rstrip().endswith("?")) and line_start >= pos:
            return False  # a question or a sentence: speech, not a header
        key = (m["label"] if m else line.partition(":")[0]).strip(" \t*_-+").casefold()
        if key in keys:  # a header names each thing once; speakers take turns
            return False
        keys.add(key)
        header = header or key in _NOT_SPEAKERS or counts[key] <= 1
    return header


def _lines_from(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """``(offset, line)`` for each line of ``text[start:end]``, without its line end."""
    for line in text[start:end].splitlines(keepends=True):
        yield start, line.rstrip("\r\n")
        start += len(line)


def _turns_between(text: str, marks: list[_Mark]) -> list[Turn]:
    """One turn per labelled mark: its words run to the next mark (or the end)."""
    turns: list[Turn] = []
    bounds = [m[0] for m in marks[1:]] + [len(text)] if marks else []
    line, at = 1, 0
    for (start, body, speaker, start_s), end in zip(marks, bounds, strict=True):
        if speaker is None:
            continue
        chunk = text[body:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        line += text.count("\n", at, start)
        at = start
        char_start = body + chunk.index(stripped[0])
        char_end = char_start + len(stripped)
        turns.append(
            Turn(
                speaker,
                span_text(text, char_start, char_end),
                char_start,
                char_end,
                line,
                start_s=start_s,
            )
        )
    for turn, nxt in itertools.pairwise(turns):
        if turn.start_s is not None and nxt.start_s is not None:
            turn.end_s = nxt.start_s
    return turns


# --- Otter.ai -------------------------------------------------------------------------------


def _otter_headers(text: str) -> list[re.Match[str]]:
    return [m for m in _OTTER.finditer(text) if len(m["label"].split()) <= 4]


def _otter_turns(text: str, headers: list[re.Match[str]] | None = None) -> list[Turn]:
    if headers is None:
        headers = _otter_headers(text)
    marks: list[_Mark] = [
        (m.start("line"), m.end(), m["label"].strip(), _seconds(m["ts"])) for m in headers
    ]
    footer = _OTTER_FOOTER_RE.search(text, marks[-1][1]) if marks else None
    if footer:
        marks.append((footer.start(), footer.start(), None, None))
    return _turns_between(text, marks)


# --- markdown notes -------------------------------------------------------------------------


def _slug(heading: str, number: int) -> str:
    """``q03-how-did-you-first-hear`` from the 3rd question "How did you first hear ...?"."""
    plain = unicodedata.normalize("NFKD", _QNUM_RE.sub("", heading, count=1))
    words = re.findall(r"[a-z0-9]+", plain.encode("ascii", "ignore").decode().lower())[:5]
    return "-".join([f"q{number:02d}", *words])


def _notes(text: str, path: str) -> Transcript:
    """Guide-question headings become question turns; bullets and paragraphs become notes."""
    turns: list[Turn] = []
    item: list[int] = []  # [char_start, char_end, line] of the open note
    qid: str | None = None
    n_questions = 0
    title_seen = blank_before = False

    placeholders = 0

    def flush() -> None:
        nonlocal placeholders
        if item:
            words = span_text(text, item[0], item[1])
            if _BRACKETED_RE.fullmatch(words):
                placeholders += 1  # template placeholder or navigation: not a note
            else:
                guide = _GUIDE_RE.fullmatch(words) is not None
                turns.append(
                    Turn(None, words, item[0], item[1], item[2], question_id=qid,
                         is_question=guide)
                )  # fmt: skip
            item.clear()

    pos = 0
    for lineno, raw in enumerate(text.split("\n"), 1):
        start, pos = pos, pos + len(raw) + 1
        line = raw.rstrip()
        if not line:
            blank_before = True
            continue
        lead = line[0] if line[0] not in " \t" else line.lstrip()[0]
        heading = _HEADING_RE.match(line) if lead == "#" else None
        if heading or (lead in "-*_" and _RULE_RE.match(line)):
            flush()
            if heading:
                level, words = len(heading[1]), heading[2]
                if level == 1 and not title_seen and not words.endswith("?"):
                    title_seen = True
                elif words.endswith("?") or level == 2:
                    n_questions += 1
                    qid = _slug(words, n_questions)
                    char_start = start + heading.start(2)
                    turns.append(
                        Turn(None, fold_space(words), char_start, char_start + len(words),
                             lineno, question_id=qid, is_question=True)
                    )  # fmt: skip
                elif level == 1:
                    qid = None
            blank_before = False
            continue
        bullet = _BULLET_RE.match(line) if lead in "-*+>" or lead.isdigit() else None
        if bullet or not item or (blank_before and line[0] not in " \t"):
            flush()
            body = bullet.end() if bullet else len(line) - len(line.lstrip())
            if body < len(line) and not (n_questions == 0 and _META_RE.match(line)):
                item.extend([start + body, start + len(line), lineno])
        else:  # a continuation line of the open note
            item[1] = start + len(line)
        blank_before = False
    flush()
    warnings = []
    if turns and n_questions == 0:
        warnings.append(f"{path}: no guide-question headings ('## ...?') found")
    if turns and all(t.is_question for t in turns):
        warnings.append(
            f"{path}: no participant content: only headings, guide questions and "
            f"{placeholders} template placeholder(s); nothing to code in this file"
        )
    return _finish(text, path, turns, warnings, _EXPECTED_NOTES, fmt="markdown-notes")


# --- shared ---------------------------------------------------------------------------------


def _finish(
    text: str,
    path: str,
    turns: list[Turn],
    warnings: list[str],
    expected: str,
    fmt: str | None = None,
) -> Transcript:
    """Check the turns, add warnings worth a researcher's attention, name the format."""
    if not turns:
        raise InputError(
            path,
            "no transcript turns with text found",
            line=_first_text_line(text),
            expected=expected,
        )
    if fmt is None:
        timed = sum(1 for t in turns if t.start_s is not None)
        fmt = "timestamped-text" if timed * 2 > len(turns) else "labelled-text"
    if fmt != "markdown-notes":
        speakers = {t.speaker for t in turns}
        if len(speakers) == 1:
            warnings.append(
                f"{path}: only one speaker ({turns[0].speaker!r}) was found; check that the "
                "other speakers' turns start with a label"
            )
        elif len(speakers) > 8:
            warnings.append(
                f"{path}: {len(speakers)} different speaker labels found; check for lines "
                "wrongly read as speaker labels"
            )
        for a, b in itertools.pairwise(turns):
            if a.start_s is not None and b.start_s is not None and b.start_s < a.start_s:
                warnings.append(f"{path}, line {b.line}: the timestamp goes back in time")
                break
    return Transcript(fmt, text, turns, warnings)


def _seconds(stamp: str | None) -> float | None:
    """``"01:02:03"`` → 3723.0; ``"1:05.5"`` → 65.5."""
    if stamp is None:
        return None
    seconds = 0.0
    for part in stamp.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _words_on_line(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text[offset : end if end >= 0 else len(text)].split())


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _first_text_line(text: str) -> int:
    stripped = text.lstrip()
    return _line_at(text, len(text) - len(stripped)) if stripped else 1
