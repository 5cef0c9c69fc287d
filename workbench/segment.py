"""Codable units from turns: stable ids, sentence splitting and offsets back into the source.

Participant turns are the default unit. A turn longer than ``max_chars`` is split at sentence
boundaries into parts of at most ``max_chars`` (a single longer sentence stays whole). With the
``sentence`` unit every participant turn is split into sentences. Sentence boundaries come from
nltk's Punkt, trained on the study's own text (no downloaded model), plus a list of common
abbreviations, as FACTS.md recommends.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

#: Abbreviations Punkt must not split after, on top of what it learns from the study.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr vs etc e.g i.e approx appt dept est misc no tel ref "
    "mon tue wed thu fri sat sun jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

#: Cap on the text Punkt learns from: enough for abbreviations, bounded time on big studies
#: (Punkt trains at roughly 100k characters a second; the sample is spread over the corpus).
TRAINING_CHARS = 300_000

_WORD = re.compile(r"\S+")


def segment_id(*parts: object) -> str:
    """Return a stable 16-hex-digit id for the given parts.

    The same parts always give the same id, on every machine and Python version.

    Examples
    --------
    >>> segment_id("interviews/P01.txt", "turn", "Maya", "It was slow.", 0)
    '8cbce7a43a120ef8'
    """
    key = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


class SentenceSplitter:
    """Punkt sentence boundaries learned from a corpus, with known abbreviations.

    Parameters
    ----------
    abbreviations : iterable of str
        Lower-case abbreviations (without the final period) never followed by a boundary.

    Examples
    --------
    >>> splitter = SentenceSplitter().fit(["I rang Dr. Patel on Monday. She was kind."])
    >>> splitter.spans("I rang Dr. Patel on Monday. She was kind.")
    [(0, 27), (28, 41)]
    """

    def __init__(self, abbreviations: Iterable[str] = ABBREVIATIONS) -> None:
        self.abbreviations = abbreviations

    def fit(self, texts: Iterable[str]) -> SentenceSplitter:
        """Learn sentence boundaries from ``texts`` (an even sample of about TRAINING_CHARS)."""
        trainer = PunktTrainer()
        texts = list(texts)
        total = sum(len(text) for text in texts)
        stride = max(1, -(-total // TRAINING_CHARS))
        trainer.train("\n\n".join(texts[::stride]), finalize=True)
        params: PunktParameters = trainer.get_params()
        params.abbrev_types.update(a.lower() for a in self.abbreviations)
        self.tokenizer_ = PunktSentenceTokenizer(params)
        return self

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return ``(start, end)`` of each sentence in ``text``."""
        return list(self.tokenizer_.span_tokenize(text))


def pack_spans(spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Greedily join consecutive sentence spans into parts of at most ``max_chars``.

    Examples
    --------
    >>> pack_spans([(0, 50), (51, 90), (91, 200)], 100)
    [(0, 90), (91, 200)]
    """
    parts: list[tuple[int, int]] = []
    for start, end in spans:
        if parts and end - parts[-1][0] <= max_chars:
            parts[-1] = (parts[-1][0], end)
        else:
            parts.append((start, end))
    return parts


@dataclass(slots=True)
class Piece:
    """A part of a turn: its folded text and its span in the source text."""

    text: str
    char_start: int
    char_end: int
    start_s: float | None
    end_s: float | None


_CUE_NUMBER = re.compile(r"\d+")
_TIMING = re.compile(r".*-->.*")
_TAG = re.compile(r"<[^>\n]*>|\*\*|__")  # markup tags and markdown's strong emphasis
_CUE_LABEL = re.compile(r"[^\W\d][^:\n]{0,40}?:(?=\s)")


def source_words(source: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """The words of ``source[start:end]`` as segment text holds them: ``(start, end, glued)``
    each, ``glued`` when a tag inside a word split it (``<b>world</b>.``: no space before ".").

    Subtitle scaffolding is not words: cue numbers, timing lines (``-->``), markup tags
    (``<v Name>``, ``</v>``, ``<i>``) and the speaker label that repeats at the start of each
    merged cue; nor are markdown's emphasis markers (``**``, ``__``). Everything else is a
    whitespace-separated word.
    """
    words: list[tuple[int, int, bool]] = []
    after_timing = False
    position = start
    lines = source[start:end].splitlines(keepends=True)
    for index, line in enumerate(lines):
        line_start, position = position, position + len(line)
        body = line.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        numbered = _CUE_NUMBER.fullmatch(body) and _TIMING.fullmatch(following)
        if _TIMING.fullmatch(body) or numbered:
            after_timing = True
            continue
        skip_to = line_start
        if after_timing and (label := _CUE_LABEL.match(line.lstrip())):
            skip_to = line_start + (len(line) - len(line.lstrip())) + label.end()
        after_timing = after_timing and not body
        for match in _WORD.finditer(source, skip_to, line_start + len(line.rstrip("\r\n"))):
            a, glue = match.start(), False  # glue: a piece of the word before (tags split it)
            for tag in _TAG.finditer(match.group()):
                if match.start() + tag.start() > a:
                    words.append((a, match.start() + tag.start(), glue))
                    glue = True
                a = match.start() + tag.end()
            if a < match.end():
                words.append((a, match.end(), glue))
    return words


def span_text(source: str, start: int, end: int) -> str:
    """The segment text a source span holds (see :func:`source_words`).

    For every segment of every reader, ``span_text(document_text, char_start, char_end)`` is
    the segment's text: offsets are true, and a test checks it on the sample study and on the
    real study packs.

    Examples
    --------
    >>> cue = "00:00:01,000 --> 00:00:02,000\\n"
    >>> src = "1\\n" + cue + "Sam: Hi\\n\\n2\\n" + cue + "Sam: ok"
    >>> span_text(src, src.index("Hi"), len(src))
    'Hi ok'
    """
    return "".join(
        ("" if glued or not i else " ") + source[a:b]
        for i, (a, b, glued) in enumerate(source_words(source, start, end))
    )


def csv_field_text(source: str, start: int, end: int) -> str:
    """The text of a CSV cell whose span is ``source[start:end]``: its enclosing quotes
    removed, doubled quotes undone, white space folded (what a survey segment holds).

    Examples
    --------
    >>> csv_field_text('1,"say ""no"" twice"', 2, 20)
    'say "no" twice'
    """
    cell = source[start:end]
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1].replace('""', '"')
    return " ".join(cell.split())


def map_to_source(
    source: str, turn_start: int, turn_end: int, spans: list[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """Map spans in the folded turn text to spans in ``source``.

    Works when the turn's text is :func:`span_text` of its source slice (every reader keeps
    that invariant); returns ``None`` otherwise, and the caller keeps the turn's span.

    Examples
    --------
    >>> src = "A: one  two\\n   three four"
    >>> map_to_source(src, 3, len(src), [(0, 7), (8, 18)])
    [(3, 11), (15, 25)]
    """
    words = source_words(source, turn_start, turn_end)
    folded_starts: list[int] = []
    position = 0
    for i, (word_start, word_end, glued) in enumerate(words):
        position += 0 if glued or not i else 1
        folded_starts.append(position)
        position += word_end - word_start
    if not words or spans[-1][1] > position:
        return None
    mapped = []
    for start, end in spans:
        first = bisect.bisect_right(folded_starts, start) - 1
        last = bisect.bisect_right(folded_starts, end - 1) - 1
        raw_start = words[first][0] + (start - folded_starts[first])
        raw_end = words[last][0] + (end - folded_starts[last])
        mapped.append((raw_start, raw_end))
    return mapped


def split_turn(
    text: str,
    source: str,
    char_start: int,
    char_end: int,
    start_s: float | None,
    end_s: float | None,
    *,
    splitter: SentenceSplitter | None,
    max_chars: int | None,
) -> list[Piece]:
    """Split one turn into pieces: sentences (``max_chars=None``) or packed parts.

    A turn short enough, or with no splitter, is one piece. Media times of pieces are
    interpolated by character position within the turn (sources time turns, not sentences).
    """
    whole = [Piece(text, char_start, char_end, start_s, end_s)]
    if splitter is None or (max_chars is not None and len(text) <= max_chars):
        return whole
    spans = splitter.spans(text)
    if max_chars is not None:
        spans = pack_spans(spans, max_chars)
    if len(spans) <= 1:
        return whole
    if span_text(source, char_start, char_end) == text:
        mapped = map_to_source(source, char_start, char_end, spans)
    else:
        mapped = None
    pieces = []
    timed = start_s is not None and end_s is not None and len(text) > 0
    for index, (start, end) in enumerate(spans):
        raw = mapped[index] if mapped else (char_start, char_end)
        if timed:
            span = end_s - start_s
            piece_start = start_s + span * start / len(text)
            piece_end = start_s + span * end / len(text)
        else:
            piece_start, piece_end = start_s, end_s
        pieces.append(Piece(text[start:end], raw[0], raw[1], piece_start, piece_end))
    return pieces
