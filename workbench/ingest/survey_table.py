"""Survey exports as a grid of strings that remembers where every cell is in the text.

:func:`split_delimited` reads CSV/TSV text with the C ``csv`` module and keeps, per record, the
1-based line where it starts; a cell's character span is found only when asked for
(:meth:`Table.span`), so a 100k-row export costs one pass of the C parser plus a cheap scan of
the rows whose open answers are used. :func:`read_xlsx_table` renders the first worksheet of a
workbook as tab-separated text (one line per sheet row) that the spans point into.

Values stay strings exactly as exported: ``007`` stays ``007`` and ``NA`` stays ``NA``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from workbench.errors import InputError

QUOTE = '"'


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


@dataclass(slots=True)
class Table:
    """Records of a delimited text (or rendered sheet) with their position in ``text``.

    ``rows`` are the non-blank records (header rows included), ``lines`` the 1-based line where
    each starts. ``spans(i, cols)`` gives ``(start, end, exact)`` of those cells of record ``i``:
    ``text[start:end]`` equals the cell's value when ``exact``, and covers its raw cell (with
    escaped quotes) otherwise.
    """

    text: str
    rows: list[list[str]]
    lines: list[int]
    delimiter: str
    path: str
    bounds: list[tuple[int, int]] = field(default_factory=list)
    cell_spans: list[list[tuple[int, int, bool]]] | None = None

    def spans(self, i: int, cols: list[int]) -> list[tuple[int, int, bool]]:
        """Return ``(start, end, exact)`` of cells ``cols`` (ascending) of record ``i``."""
        if self.cell_spans is not None:
            row = self.cell_spans[i]
            return [row[j] for j in cols]
        start, end = self.bounds[i]
        out = _walk(self.text, start, end, self.rows[i], cols)
        if out is None:  # a lenient parse such as ``"a"b``: scan the raw record
            row = field_spans(self.text, start, end, self.delimiter, self.path, self.lines[i])
            out = [row[j] for j in cols]
        return out


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
                        line=line + raw.count("\n", 0, p),
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
    """
    if path.lower().endswith(".tsv"):
        return "\t"
    first = text[: text.find("\n")] if "\n" in text else text
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_delimited(text: str, path: str, delimiter: str) -> Table:
    """Parse CSV/TSV text into a :class:`Table`; blank records are skipped.

    Raises :class:`InputError` (with the line where the record starts) for an unterminated
    quote at the end of the file and for anything the ``csv`` module cannot parse.
    """
    sep = "\n" if "\n" in text or "\r" not in text else "\r"
    pieces = text.split(sep)
    tail = pieces.pop()
    chunks = [piece + sep for piece in pieces]
    if tail:
        chunks.append(tail)
    starts = [0, *accumulate(map(len, chunks))]
    reader = csv.reader(chunks, delimiter=delimiter, quotechar=QUOTE, strict=False)
    rows: list[list[str]] = []
    firsts: list[int] = []
    lasts: list[int] = []
    previous = 0
    try:
        for record in reader:
            consumed = reader.line_num
            if any(record):
                rows.append(record)
                firsts.append(previous)
                lasts.append(consumed)
            previous = consumed
    except csv.Error as exc:
        problem = str(exc)
        if "field larger than field limit" in problem:
            problem = "a field is longer than the csv limit; most likely an unterminated quote"
        raise InputError(
            path,
            f"cannot parse the file as delimited text: {problem}",
            line=previous + 1,
            expected=f"{_name(delimiter)}-separated values with balanced double quotes",
        ) from None
    bounds = []
    for first, last in zip(firsts, lasts, strict=True):
        end = starts[last]
        while end > starts[first] and text[end - 1] in "\r\n":
            end -= 1
        bounds.append((starts[first], end))
    table = Table(text, rows, [f + 1 for f in firsts], delimiter, path, bounds)
    if rows and lasts[-1] == len(chunks) and QUOTE in text[bounds[-1][0] : bounds[-1][1]]:
        start, end = bounds[-1]
        field_spans(
            text, start, end, delimiter, path, table.lines[-1]
        )  # raises on an unterminated quote at the end of the file
    return table


def _name(delimiter: str) -> str:
    return {",": "comma", "\t": "tab", ";": "semicolon"}.get(delimiter, repr(delimiter))


def _cell(value: object) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx_table(raw: bytes, path: str) -> tuple[Table, list[str]]:
    """Read the first worksheet of an ``.xlsx`` workbook into a :class:`Table`.

    The table's ``text`` is a rendering with one line per sheet row and cells joined by tabs
    (a cell's own line breaks are kept, so spans always match); ``lines`` are lines of that
    rendering. Returns the table and warnings (other worksheets are ignored, with a warning).
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            path, f"not a readable .xlsx workbook ({exc})", expected="an Excel .xlsx file"
        ) from None
    warnings = []
    try:
        sheet = book.worksheets[0]
        if len(book.worksheets) > 1:
            warnings.append(
                f"{path}: read the first worksheet {sheet.title!r} only; "
                f"ignored {', '.join(repr(s.title) for s in book.worksheets[1:])}"
            )
        if (sheet.max_row or 1) <= 1 or (sheet.max_column or 1) <= 1:
            sheet.reset_dimensions()  # some writers record no or a wrong (A1) sheet size
        grid = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    parts: list[str] = []
    rows, lines, spans = [], [], []
    pos, line = 0, 1
    for cells in grid:
        while cells and not cells[-1]:
            cells.pop()
        row_spans = []
        for j, value in enumerate(cells):
            if j:
                pos += 1
            row_spans.append((pos, pos + len(value), True))
            pos += len(value)
        rendered = "\t".join(cells)
        if any(cells):
            rows.append(cells)
            lines.append(line)
            spans.append(row_spans)
        parts.append(rendered)
        pos += 1
        line += 1 + rendered.count("\n")
    text = "\n".join(parts)
    return Table(text, rows, lines, "\t", path, cell_spans=spans), warnings
