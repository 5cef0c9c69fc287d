"""What every reader returns, and how raw bytes become text.

Readers are pure functions: decoded text (or bytes, for ``.docx`` and ``.xlsx``) in, a
:class:`Transcript` or :class:`SurveyResult` out. They never touch the file system, so they are
easy to test on real exports and edge cases, and the caller alone decides what is written.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import DecodeError, EmptyFileError


@dataclass(slots=True)
class Turn:
    """One speaker turn (or one note) in a transcript.

    ``char_start``/``char_end`` delimit the turn's words in :attr:`Transcript.text`;
    ``text`` is those words with runs of white space folded to single spaces. ``speaker`` is
    the label as written, or ``None`` where the source has no label (interview notes).
    ``is_question`` marks guide questions written as headings in interview notes.
    """

    speaker: str | None
    text: str
    char_start: int
    char_end: int
    line: int
    start_s: float | None = None
    end_s: float | None = None
    question_id: str | None = None
    is_question: bool = False


@dataclass(slots=True)
class Transcript:
    """A transcript read from one file.

    ``format`` names the layout that was recognised (``labelled-text``, ``otter``,
    ``markdown-notes``, ``zoom-vtt``, ``teams-vtt``, ``srt``, ``docx-bold``, ``docx-prefix``,
    ``docx-table`` ...). ``text`` is the decoded source text that turn offsets point into; for
    ``.docx`` it is the document's text, one paragraph (or table row) per line.
    """

    format: str
    text: str
    turns: list[Turn]
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Answer:
    """One non-empty open-ended survey answer, with its provenance."""

    respondent_id: str
    persona: str | None
    question_id: str
    text: str
    char_start: int
    char_end: int
    line: int


@dataclass(slots=True)
class SurveyResult:
    """A survey export read from one file.

    ``questions`` has the columns of :data:`workbench.schema.QUESTIONS` without the source
    columns; ``responses`` has :data:`workbench.schema.RESPONSES` without ``source_id`` (one row
    per respondent and closed question); ``answers`` are the open-ended answers that become
    segments.
    """

    format: str
    text: str
    questions: pd.DataFrame
    responses: pd.DataFrame
    answers: list[Answer]
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Decoded:
    """Text decoded from a file's bytes, with the encoding used and any warning."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def count_newlines(text: str, start: int = 0, end: int | None = None) -> int:
    """Line breaks in ``text[start:end]``: ``\\n``, ``\\r\\n`` and a lone ``\\r`` count one each.

    Old Mac exports end lines with a lone CR; editors show those as line breaks too.

    Examples
    --------
    >>> count_newlines("a\\rb\\r\\nc\\nd")
    3
    """
    end = len(text) if end is None else end
    crlf = text.count("\r\n", start, end)
    return text.count("\n", start, end) + text.count("\r", start, end) - crlf


def _line_of(raw: bytes, offset: int, encoding: str = "latin-1") -> int:
    """1-based line of byte ``offset``, counted in the text decoded up to it.

    Examples
    --------
    >>> _line_of(b"a\\rb\\r\\nc\\nd", 7)
    4
    >>> _line_of("a\\r\\nb\\r\\nc".encode("utf-16-le"), 12, "utf-16-le")
    3
    """
    return count_newlines(raw[:offset].decode(encoding, errors="replace")) + 1


def decode(raw: bytes, path: str, *, encoding: str | None = None) -> Decoded:
    """Decode a raw file's bytes to text.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such. Bytes that are not
    UTF-8 fall back to cp1252 with a warning that names the first offending byte. A file that
    is empty, or only white space, raises :class:`EmptyFileError`; bytes that no supported
    encoding can read (such as NUL bytes of a binary file) raise :class:`DecodeError` with the
    byte offset and line.

    Parameters
    ----------
    raw : bytes
        The file's content.
    path : str
        The file's name for messages.
    encoding : str, optional
        Force an encoding (from the study config) instead of detecting one.

    Examples
    --------
    >>> decode("café".encode("utf-8"), "a.txt").encoding
    'utf-8'
    >>> d = decode("café".encode("cp1252"), "a.txt")
    >>> d.text, d.encoding
    ('café', 'cp1252')
    """
    if not raw or raw.isspace():  # not raw.strip(), which copies a large file's bytes
        raise EmptyFileError(path, "the file is empty", expected="a transcript or survey export")
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DecodeError(
                path,
                f"byte {exc.start} cannot be decoded as {encoding}",
                line=_line_of(raw, exc.start, encoding),
                expected=f"text in the configured encoding {encoding}",
            ) from None
        except LookupError:
            raise DecodeError(path, f"unknown encoding {encoding!r} in the study config") from None
        return Decoded(text.lstrip("\ufeff"), encoding)
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    path,
                    f"byte {exc.start} is not valid {name.upper()} after a {name} byte-order mark",
                    line=_line_of(raw, exc.start, name),
                    expected=f"{name} text",
                ) from None
            text = text.lstrip("\ufeff")
            if not text or text.isspace():
                raise EmptyFileError(path, "the file has only a byte-order mark", expected="text")
            return Decoded(text, "utf-8" if name == "utf-8-sig" else "utf-16")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DecodeError(
            path,
            f"byte {nul} is a NUL byte: this looks like a binary file, or UTF-16 without a BOM",
            line=_line_of(raw, nul),
            expected="UTF-8, UTF-16 with a byte-order mark, or cp1252 text",
        )
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            path,
            f"byte {exc.start} (0x{raw[exc.start]:02x}) is neither UTF-8 nor cp1252",
            line=_line_of(raw, exc.start),
            expected="UTF-8, UTF-16 with a byte-order mark, or cp1252 text",
        ) from None
    warning = (
        f"{path}: not valid UTF-8 (byte {first_bad}, line {_line_of(raw, first_bad)}); "
        "decoded as cp1252 — check accented characters, or save the file as UTF-8"
    )
    return Decoded(text, "cp1252", [warning])


def fold_space(text: str) -> str:
    """Fold every run of white space to one space and strip the ends.

    Examples
    --------
    >>> fold_space("  so I\\r\\n  rang them   again ")
    'so I rang them again'
    """
    return " ".join(text.split())
