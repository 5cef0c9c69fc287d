"""Survey exports as columns of strings that remember where every record is in the text.

:func:`split_delimited` reads CSV/TSV text with the C ``csv`` module, one line at a time, and
keeps, per record, the 1-based line where it starts and its character range; a cell's span is
found only when asked for (:meth:`Table.spans`), so a 100k-row export costs one pass of the C
parser plus a cheap scan of the rows whose open answers are used. Workbooks become a Table in
:mod:`workbench.ingest.survey_xlsx`.

Values stay strings exactly as exported: ``007`` stays ``007`` and ``NA`` stays ``NA``.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from workbench.errors import InputError
from workbench.ingest.base import count_newlines

QUOTE = '"'
_NEWLINE = re.compile(r"\r\n|\r|\n")
#: Characters read between two updates of the progress bar.
_BAR_STEP = 1 << 22


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small, acyclic objects.

    Reading a 100k-row export allocates millions of lists and strings; the collector's repeated
    full passes over them cost more than the parse itself. Reference counting still frees
    everything; the collector is re-enabled (if it was enabled) on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_CHUNK = 4096
#: A column keeps one string per distinct value while it has at most this many distinct values.
_SHARED_VALUES = 4096


@dataclass(slots=True)
class Table:
    """Records of a delimited text (or rendered sheet), column by column, with their place in text.

    ``columns[j]`` holds field ``j`` of every non-blank record (header rows included until
    :meth:`split_header`); there are as many columns as the first record has fields. Longer
    records whose extra fields are empty are cut, shorter ones padded with ``""``; those that
    do not fit (and, for delimited text, every shorter one) are in ``ragged`` with their number
    of fields. ``lines`` are the 1-based lines where records start, ``starts`` and ``ends`` their
    character range in ``text`` (line end excluded). ``spans(i, cols)`` gives ``(start, end,
    exact)`` of those cells of record ``i``: ``text[start:end]`` equals the cell's value when
    ``exact``, and covers its raw cell (with escaped quotes) otherwise.

    Columns (not rows of lists) keep a large export small: a closed question's few distinct
    answers are stored once each, not once per respondent. Measured on a generated 200 MB
    export (596k rows, 11 columns, ``benchmarks/survey_large.py``): a list of lines and the
    rows as lists took 4.4x the file (6.3x at the parse's peak), these columns 2.0x.
    """

    text: str
    columns: list[list[str]]
    lines: array[int]
    delimiter: str
    path: str
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    ragged: dict[int, int] = field(default_factory=dict)
    cell_spans: list[list[tuple[int, int, bool]]] | None = None
    first: int = 0

    @property
    def n_records(self) -> int:
        """Number of non-blank records, header rows included."""
        return len(self.lines)

    def row(self, i: int) -> list[str]:
        """The fields of record ``i`` (cut or padded to the number of columns)."""
        return [column[i - self.first] for column in self.columns]

    def split_header(self, n: int) -> list[list[str]]:
        """Return the first ``n`` records and remove them from ``columns`` (data rows remain).

        Record numbers (of :attr:`lines` and :meth:`spans`) do not change.
        """
        header = [self.row(i) for i in range(self.first, self.first + n)]
        for column in self.columns:
            del column[:n]
        self.first += n
        return header

    def spans(self, i: int, cols: list[int]) -> list[tuple[int, int, bool]]:
        """Return ``(start, end, exact)`` of cells ``cols`` (ascending) of record ``i``."""
        if self.cell_spans is not None:
            row = self.cell_spans[i]
            return [row[j] for j in cols]
        start, end = self.starts[i], self.ends[i]
        values = [self.columns[j][i - self.first] for j in range(cols[-1] + 1)]
        out = _walk(self.text, start, end, values, cols)
        if out is None:  # a lenient parse such as ``"a"b``: scan the raw record
            row = field_spans(self.text, start, end, self.delimiter, self.path, self.lines[i])
            out = [row[j] for j in cols]
        return out


class ColumnStore:
    """Records gathered into columns, a chunk of rows at a time (see :class:`Table`)."""

    __slots__ = ("_chunk", "columns", "n", "pad", "ragged", "shared", "width")

    def __init__(self, width: int, pad: bool) -> None:
        self.width, self.pad = width, pad
        self.columns: list[list[str]] = [[] for _ in range(width)]
        self.shared: list[dict[str, str] | None] = [{} for _ in range(width)]
        self.ragged: dict[int, int] = {}
        self._chunk: list[list[str]] = []
        self.n = 0

    def add(self, record: list[str]) -> None:
        width = len(record)
        if width != self.width:
            if width > self.width:
                if any(record[self.width :]):
                    self.ragged[self.n] = width
                record = record[: self.width]
            else:
                if not self.pad:
                    self.ragged[self.n] = width
                record = record + [""] * (self.width - width)
        self._chunk.append(record)
        self.n += 1
        if len(self._chunk) == _CHUNK:
            self.flush()

    def flush(self) -> list[list[str]]:
        """Move the pending rows into the columns; return the columns."""
        for j, values in enumerate(zip(*self._chunk, strict=True)):
            shared = self.shared[j]
            if shared is None:
                self.columns[j].extend(values)
                continue
            self.columns[j].extend(map(shared.setdefault, values, values))
            if len(shared) > _SHARED_VALUES:  # an id or open-text column: stop sharing
                self.shared[j] = None
        self._chunk = []
        return self.columns


class _Lines:
    """The lines of a text, each with its line end, one at a time; ``end`` is where the last
    line given ends.

    Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports end records with CR
    only and may hold LFs inside quoted cells), as in a text editor. Feeding the ``csv`` reader
    one line at a time, instead of a list of every line, keeps one copy of the text; the reader
    asks for the next line only to finish the current record, so after each record ``end`` is
    where that record ends.
    """

    __slots__ = ("bar", "end", "text")

    def __init__(self, text: str, bar: tqdm | None = None) -> None:
        self.text, self.end, self.bar = text, 0, bar

    def __iter__(self) -> Iterator[str]:
        text, n = self.text, len(self.text)
        pos, shown = 0, 0
        for stop in _line_ends(text):
            self.end = stop
            if self.bar is not None and stop - shown > _BAR_STEP:
                self.bar.update(stop - shown)
                shown = stop
            yield text[pos:stop]
            pos = stop
        if self.bar is not None:
            self.bar.update(n - shown)


def _line_ends(text: str) -> Iterator[int]:
    """Where each line of ``text`` ends (after its line end); the last one at ``len(text)``.

    One ``str.find`` per line where all lines end alike; a regular expression only for a text
    that mixes lone CRs with LFs.
    """
    n = len(text)
    if "\r" not in text or text.count("\r") == text.count("\r\n"):
        sep = "\n"
    elif "\n" not in text:
        sep = "\r"
    else:
        yield from (match.end() for match in _NEWLINE.finditer(text))
        if not text.endswith(("\r", "\n")):
            yield n
        return
    find, pos = text.find, 0
    while pos < n:
        stop = find(sep, pos)
        pos = n if stop < 0 else stop + 1
        yield pos


def _walk(
    text: str, start: int, end: int, values: list[str], cols: list[int]
) -> list[tuple[int, int, bool]] | None:
    """Spans of some fields of a record, from the parsed values (fast path of field_spans).

    A quoted field takes ``len(value) + 2`` characters plus one per escaped quote. Each span
    is checked against the text; ``None`` when one does not match.
    """
    out = []
    pos, k, wanted = start, 0, cols[0]
    for j, value in enumerate(values):
        if text.startswith(QUOTE, pos) and pos < end:
            escaped = value.count(QUOTE)
            stop = pos + len(value) + 2 + escaped
            if j == wanted:
                if escaped:
                    if text[stop - 1 : stop] != QUOTE:
                        return None
                    out.append((pos, stop, False))
                elif text[pos + 1 : stop - 1] == value and text[stop - 1 : stop] == QUOTE:
                    out.append((pos + 1, stop - 1, True))
                else:
                    return None
        else:
            stop = pos + len(value)
            if j == wanted:
                if text[pos:stop] != value:
                    return None
                out.append((pos, stop, True))
        if j == wanted:
            k += 1
            if k == len(cols):
                return out
            wanted = cols[k]
        pos = stop + 1
    return None


def field_spans(
    text: str, start: int, end: int, delimiter: str, path: str = "", line: int = 0
) -> list[tuple[int, int, bool]]:
    """Spans of the fields of one record ``text[start:end]`` (line end excluded).

    A quoted field's span is inside the quotes; a field with escaped ``""`` quotes (or text
    after its closing quote) gets the span of its raw cell and ``exact=False``.

    Examples
    --------
    >>> row = 'a,"b c","x"y'
    >>> [(row[s:e], exact) for s, e, exact in field_spans(row, 0, len(row), ",")]
    [('a', True), ('b c', True), ('"x"y', False)]
    """
    raw = text[start:end]
    if QUOTE not in raw:
        out, pos = [], start
        for value in raw.split(delimiter):
            out.append((pos, pos + len(value), True))
            pos += len(value) + 1
        return out
    out, p, n = [], 0, len(raw)
    while True:
        if p < n and raw[p] == QUOTE:
            q, exact = p + 1, True
            while True:
                q = raw.find(QUOTE, q)
                if q < 0:
                    raise InputError(
                        path,
                        "unterminated quote: the quoted field that starts on this line runs to "
                        "the end of the file",
                        line=line + count_newlines(raw, 0, p),
                        expected='a closing " before the end of the file',
                    )
                if raw.startswith(QUOTE, q + 1):
                    exact, q = False, q + 2
                    continue
                break
            d = raw.find(delimiter, q + 1)
            stop = n if d < 0 else d
            if stop != q + 1 or not exact:
                out.append((start + p, start + stop, False))
            else:
                out.append((start + p + 1, start + q, True))
        else:
            d = raw.find(delimiter, p)
            stop = n if d < 0 else d
            out.append((start + p, start + stop, True))
        if d < 0:
            return out
        p = d + 1


def sniff_delimiter(text: str, path: str) -> str:
    """Guess the delimiter from the file name and the first line.

    Examples
    --------
    >>> sniff_delimiter("a\\tb\\tc\\n1\\t2\\t3\\n", "x.csv")
    '\\t'
    >>> sniff_delimiter("a;b;c", "x.csv"), sniff_delimiter("a,b", "x.txt")
    (';', ',')
    >>> sniff_delimiter("id,q\\r1,a;b;c;d\\r", "old_mac.csv")
    ','
    """
    if path.lower().endswith(".tsv"):
        return "\t"
    newline = _NEWLINE.search(text)
    first = text[: newline.start()] if newline else text
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextlib.contextmanager
def field_limit(size: int) -> Iterator[None]:
    """Let the ``csv`` module read fields of up to ``size`` characters, then restore its limit.

    The module refuses fields longer than 131,072 characters ("field larger than field
    limit"), which long free-text answers can be. The limit is a module-wide setting: it is
    only raised (never lowered) here, and ingest reads files in processes, not threads.
    """
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, size))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def split_delimited(text: str, path: str, delimiter: str, *, progress: bool = False) -> Table:
    """Parse CSV/TSV text into a :class:`Table`; blank records are skipped.

    Raises :class:`InputError` (with the line where the record starts) for an unterminated
    quote at the end of the file and for anything the ``csv`` module cannot parse. With
    ``progress``, a progress bar counts the characters read.
    """
    bar = tqdm(total=len(text), desc=path, unit="char", unit_scale=True) if progress else None
    feed = _Lines(text, bar)
    reader = csv.reader(feed, delimiter=delimiter, quotechar=QUOTE, strict=False)
    store: ColumnStore | None = None
    lines, starts, ends = array("q"), array("q"), array("q")
    previous, at = 0, 0  # lines read and where the text read ends, before this record
    last_end = -1  # where the last kept record's lines end
    try:
        with field_limit(len(text) + 1):  # a 200 KB answer is a valid cell
            for record in reader:
                consumed, stop = reader.line_num, feed.end
                if any(record):
                    if store is None:
                        store = ColumnStore(len(record), pad=False)
                    store.add(record)
                    lines.append(previous + 1)
                    starts.append(at)
                    ends.append(_before_newline(text, at, stop))
                    last_end = stop
                previous, at = consumed, stop
    except csv.Error as exc:
        raise InputError(
            path,
            f"cannot parse the file as delimited text: {exc}",
            line=previous + 1,
            expected=f"{_name(delimiter)}-separated values with balanced double quotes",
        ) from None
    finally:
        if bar is not None:
            bar.close()
    columns = store.flush() if store is not None else []
    ragged = store.ragged if store is not None else {}
    table = Table(text, columns, lines, delimiter, path, starts, ends, ragged)
    if last_end == len(text) and text.find(QUOTE, starts[-1], ends[-1]) >= 0:
        field_spans(
            text, starts[-1], ends[-1], delimiter, path, lines[-1]
        )  # raises on an unterminated quote at the end of the file
    return table


def _before_newline(text: str, start: int, end: int) -> int:
    """``end`` moved back over the line end(s) of the record ``text[start:end]``."""
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return end


def _name(delimiter: str) -> str:
    return {",": "comma", "\t": "tab", ";": "semicolon"}.get(delimiter, repr(delimiter))
