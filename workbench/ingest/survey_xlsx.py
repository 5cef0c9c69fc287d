"""Excel workbooks as a survey table: the first worksheet rendered as tab-separated text.

:func:`read_xlsx_table` renders the first worksheet of a workbook as text with one line per
sheet row and cells joined by tabs, which the :class:`~workbench.ingest.survey_table.Table`
spans point into. Unsafe XML is refused first and formula cells without a saved value are
warned about (:mod:`workbench.ingest.office`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from array import array

from workbench.errors import InputError
from workbench.ingest.office import refuse_unsafe_xml, uncached_formulas
from workbench.ingest.survey_table import ColumnStore, Table

_MAX_CELLS = 10


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


def _formula_warning(path: str, title: str, cells: list[str]) -> str:
    """The warning for formula cells without a saved value, e.g. ``Sheet1!C2, C3 and 5 more``.

    Examples
    --------
    >>> _formula_warning("s.xlsx", "My sheet", ["C2", "C3"]).split(";")[0]
    "s.xlsx: 2 formula cell(s) of worksheet 'My sheet' have no saved value: 'My sheet'!C2, C3"
    """
    sheet = title if re.fullmatch(r"\w+", title) else "'" + title.replace("'", "''") + "'"
    listed = ", ".join(cells[:_MAX_CELLS])
    more = f" and {len(cells) - _MAX_CELLS} more" if len(cells) > _MAX_CELLS else ""
    return (
        f"{path}: {len(cells)} formula cell(s) of worksheet {title!r} have no saved value: "
        f"{sheet}!{listed}{more}; they were read as empty. The file was written by a tool "
        "that stores formulas without computing them: open it in Excel or LibreOffice and "
        "save it, so the values are saved too"
    )


def read_xlsx_table(raw: bytes, path: str) -> tuple[Table, list[str]]:
    """Read the first worksheet of an ``.xlsx`` workbook into a :class:`Table`.

    The table's ``text`` is a rendering with one line per sheet row and cells joined by tabs
    (a cell's own line breaks are kept, so spans always match); ``lines`` are lines of that
    rendering. Returns the table and warnings (other worksheets are ignored, with a warning;
    so are formula cells that have no saved value, which openpyxl reads as empty).
    """
    import openpyxl

    refuse_unsafe_xml(raw, path, "an Excel .xlsx workbook")
    warnings = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
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
            title, part = sheet.title, getattr(sheet, "_worksheet_path", "")
        finally:
            book.close()
        missing = uncached_formulas(raw, part)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        # also while rows are read; SyntaxError: lxml's and ElementTree's malformed XML
        raise InputError(
            path, f"not a readable .xlsx workbook ({exc})", expected="an Excel .xlsx file"
        ) from None
    if missing:
        warnings.append(_formula_warning(path, title, missing))
    parts: list[str] = []
    store: ColumnStore | None = None
    lines, spans = array("q"), []
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
            if store is None:
                store = ColumnStore(len(cells), pad=True)
            store.add(cells)
            lines.append(line)
            spans.append(row_spans)
        parts.append(rendered)
        pos += 1
        line += 1 + rendered.count("\n")
    text = "\n".join(parts)
    columns = store.flush() if store is not None else []
    ragged = store.ragged if store is not None else {}
    return Table(text, columns, lines, "\t", path, ragged=ragged, cell_spans=spans), warnings
