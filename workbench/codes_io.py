"""Export and import human codes as CSV or XLSX spreadsheets.

Export
    :func:`export_codes` writes the current codes of a :class:`~workbench.store.CodeStore` (one
    row per segment × coder), optionally with the segment's ``text``. Touchpoints are joined with
    ``"; "``; pain point and goal are ``yes`` / ``no`` / empty. Files are written atomically.

Formula safety
    Quotes are untrusted text. In CSV, every cell starting with ``=``, ``+``, ``-``, ``@``, tab,
    carriage return or ``'`` gets one leading ``'`` so no spreadsheet runs it as a formula. In
    XLSX such cells are written as strings (``data_type "s"`` with Excel's quote prefix), never
    as formulas, and keep their exact text. On CSV import one leading ``'`` followed by one of
    those characters is removed again, so an export round-trips exactly.

Import
    :func:`import_codes` reads a colleague's spreadsheet. Required columns: ``segment_id`` and
    ``coder`` (or the ``coder=`` argument, which fills empty cells and must not contradict a
    filled one), plus at least one code column (``stage``, ``touchpoints``, ``emotion``,
    ``sentiment_label``, ``pain_point``, ``goal``, ``memo``). Headers are matched ignoring case,
    spaces and hyphens. Touchpoints are ``;``-separated (or ``,``-separated when the cell has no
    ``;``); booleans are yes/no/true/false/y/n/1/0 or empty. A code column that is absent from the
    file keeps the coder's current value for the segment; an empty cell clears it, but a row
    whose code cells are all empty is no decision and is skipped (``ImportReport.blank``):
    rows of a coding sheet nobody filled never become empty codes. A stage written
    "not codable" is the explicit no-evidence decision (``schema.NOT_CODABLE``). Other columns
    (such as ``text``) are ignored and listed in the report. Rows identical to the coder's current
    code are skipped (``skip_unchanged``). Everything is checked before anything is written; the
    import is one ``record_many(action="import")`` transaction.

    Bad cells raise :class:`~workbench.errors.InputError` naming the file, the spreadsheet row
    (the header is row 1) and the column. Segment ids that are not in ``segments`` are
    **rejected** with a list (nothing is imported), because they usually mean the sheet belongs
    to another study or segmentation; pass ``allow_unknown=True`` to import them anyway — they
    are then listed in :attr:`ImportReport.unknown_segments` (and show up as store orphans).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from workbench.atomic import AtomicBatch
from workbench.codebook import Codebook
from workbench.errors import ConfigError, InputError, UnsupportedFormatError
from workbench.ingest.base import decode
from workbench.schema import (
    CODEBOOK_HASH,
    CODER,
    EMOTION,
    GOAL,
    NOT_CODABLE,
    PAIN_POINT,
    SEGMENT_ID,
    SENTIMENT_LABEL,
    STAGE,
    TEXT,
    TOUCHPOINTS,
    require,
)
from workbench.store import CREATED_AT, DECISION_ID, MEMO, SESSION, CodeStore

#: Columns of an export, in order (``text`` follows ``coder`` when segments are given).
EXPORT_COLUMNS = (
    SEGMENT_ID,
    CODER,
    STAGE,
    TOUCHPOINTS,
    EMOTION,
    SENTIMENT_LABEL,
    PAIN_POINT,
    GOAL,
    MEMO,
    CODEBOOK_HASH,
    DECISION_ID,
    CREATED_AT,
)
#: Columns an import reads as codes.
CODE_COLUMNS = (STAGE, TOUCHPOINTS, EMOTION, SENTIMENT_LABEL, PAIN_POINT, GOAL, MEMO)
FORMATS = (".csv", ".xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = (*FORMULA_START, "'")
_TRUE = {"yes", "y", "true", "t", "1", "x"}
_FALSE = {"no", "n", "false", "f", "0"}
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_CODABLE = re.compile(r"not[\s_-]*codable", re.I)


@dataclass
class ImportReport:
    """What :func:`import_codes` did."""

    path: str
    imported: int = 0
    unchanged: int = 0
    coders: list[str] = field(default_factory=list)
    unknown_segments: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    blank: int = 0


def _check_codes(code: dict[str, Any], codebook: Codebook, path: str, row: int) -> None:
    """Refuse a code the codebook does not know, naming the row, column and the choices."""
    valid = {
        STAGE: {*codebook.stage_codes, NOT_CODABLE},
        EMOTION: set(codebook.codes("emotions")),
        TOUCHPOINTS: set(codebook.codes("touchpoints")),
    }
    for column, allowed in valid.items():
        values = code.get(column)
        values = values if isinstance(values, list) else [values] if values else []
        for value in values:
            if value not in allowed:
                raise InputError(
                    path,
                    f"{value!r} is not a {column} code of the codebook",
                    row=row,
                    column=column,
                    expected="one of "
                    + ", ".join(sorted(allowed)).replace(NOT_CODABLE, "not codable"),
                )


# --- cells ----------------------------------------------------------------------------------
def guard_csv(value: str) -> str:
    """Prefix a quote to text a spreadsheet could run as a formula.

    Examples
    --------
    >>> guard_csv('=HYPERLINK("http://x","y")'), guard_csv("fine"), guard_csv("'quoted")
    ('\\'=HYPERLINK("http://x","y")', 'fine', "''quoted")
    """
    return "'" + value if value.startswith(_GUARDED) else value


def unguard_csv(value: str) -> str:
    """Undo :func:`guard_csv`.

    Examples
    --------
    >>> unguard_csv("'=1+1"), unguard_csv("'tis"), unguard_csv("''quoted")
    ('=1+1', "'tis", "'quoted")
    """
    if value.startswith("'") and value[1:].startswith(_GUARDED):
        return value[1:]
    return value


def _flag_text(value: Any) -> str:
    return "" if value is pd.NA or value is None else ("yes" if value else "no")


def _export_frame(store: CodeStore, coder: str | None, segments: pd.DataFrame | None):
    codes = store.current_codes(coder)
    out = pd.DataFrame({column: codes[column] for column in EXPORT_COLUMNS})
    out[TOUCHPOINTS] = ["; ".join(names) for names in codes[TOUCHPOINTS]]
    for flag in (PAIN_POINT, GOAL):
        out[flag] = [_flag_text(value) for value in codes[flag]]
    if segments is not None:
        require(segments, [SEGMENT_ID, TEXT], name="segments")
        texts = dict(zip(segments[SEGMENT_ID].astype(str), segments[TEXT], strict=True))
        out.insert(2, TEXT, [texts.get(segment, "") for segment in out[SEGMENT_ID]])
    return out


def _rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    for row in frame.itertuples(index=False):
        yield [
            ""
            if value is None or value is pd.NA
            else value.item()
            if hasattr(value, "item")
            else value
            for value in row
        ]


def export_codes(
    store: CodeStore,
    path: Path | str,
    *,
    segments: pd.DataFrame | None = None,
    coder: str | None = None,
) -> Path:
    """Write the current codes to a ``.csv`` or ``.xlsx`` file; return its path.

    Parameters
    ----------
    store : CodeStore
        Where the codes are.
    path : Path or str
        The file to write (replaced atomically). Must not be under ``data/raw``.
    segments : DataFrame, optional
        A segments table; its ``text`` is added beside each code.
    coder : str, optional
        Export only this coder's codes.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnsupportedFormatError(
            str(path), "codes cannot be exported to this format", expected=" or ".join(FORMATS)
        )
    parts = [part.lower() for part in path.resolve().parts]
    if any(parts[i : i + 2] == ["data", "raw"] for i in range(len(parts) - 1)):
        raise ConfigError(f"{path}: refusing to write under data/raw (raw data is read-only)")
    frame = _export_frame(store, coder, segments)
    with AtomicBatch() as batch:
        if suffix == ".csv":
            batch.stage(path, lambda tmp: _write_csv(frame, tmp))
        else:
            batch.stage(path, lambda tmp: _write_xlsx(frame, tmp))
    return path


def _write_csv(frame: pd.DataFrame, tmp: Path) -> None:
    with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        for row in _rows(frame):
            writer.writerow([guard_csv(v) if isinstance(v, str) else v for v in row])


def _write_xlsx(frame: pd.DataFrame, tmp: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "codes"
    write_cells(sheet, frame)
    book.save(tmp)


def write_cells(sheet: Any, frame: pd.DataFrame) -> None:
    """Write ``frame`` (bold header, frozen) into an openpyxl sheet; text never a formula."""
    sheet.append(list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(_rows(frame), start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = _ILLEGAL_XLSX.sub("\ufffd", value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True
    sheet.freeze_panes = "A2"


# --- reading --------------------------------------------------------------------------------
def _norm_header(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lower())


def _read_csv(path: Path) -> list[list[Any]]:
    text = decode(path.read_bytes(), str(path)).text
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = [
        [unguard_csv(cell) for cell in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    return rows


def _read_xlsx(path: Path) -> list[list[Any]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(str(path), f"not a readable .xlsx workbook ({exc})") from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_flag(value: Any, path: str, row: int, column: str) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(
        path,
        f"{value!r} is not a yes/no value",
        row=row,
        column=column,
        expected="yes/no, true/false, 1/0 or an empty cell",
    )


def parse_touchpoints(value: Any) -> list[str]:
    """Split a touchpoints cell: ``;``-separated, else ``,``-separated.

    Examples
    --------
    >>> parse_touchpoints("app; web, shop"), parse_touchpoints("app, web"), parse_touchpoints("")
    (['app', 'web, shop'], ['app', 'web'], [])
    """
    text = _cell_text(value)
    parts = text.split(";") if ";" in text else text.split(",")
    return [part.strip() for part in parts if part.strip()]


def _read_table(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise UnsupportedFormatError(
        str(path), "codes cannot be imported from this format", expected=".csv or .xlsx"
    )


def _columns(header: list[Any], path: str, coder: str | None) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _norm_header(name)
        if not key:
            continue
        if key in columns:
            raise InputError(path, f"column {key!r} appears twice", row=1, column=index + 1)
        columns[key] = index
    if SEGMENT_ID not in columns:
        raise InputError(path, "no segment id column", row=1, expected=f"a {SEGMENT_ID!r} column")
    if CODER not in columns and coder is None:
        raise InputError(
            path, "no coder column", row=1, expected=f"a {CODER!r} column or the coder= argument"
        )
    if not any(column in columns for column in CODE_COLUMNS):
        raise InputError(
            path, "no code column", row=1, expected=f"at least one of {', '.join(CODE_COLUMNS)}"
        )
    return columns


def _parse_row(
    cells: list[Any], columns: dict[str, int], path: str, row: int, coder: str | None
) -> dict[str, Any]:
    def cell(name: str) -> Any:
        index = columns[name]
        return cells[index] if index < len(cells) else None

    segment = _cell_text(cell(SEGMENT_ID)).strip()
    if not segment:
        raise InputError(path, "empty segment id", row=row, column=SEGMENT_ID, expected="an id")
    who = _cell_text(cell(CODER)).strip() if CODER in columns else ""
    if coder is not None and who and who != coder:
        raise InputError(
            path,
            f"coder {who!r} contradicts coder={coder!r}",
            row=row,
            column=CODER,
            expected=f"{coder!r} or an empty cell",
        )
    who = who or (coder or "")
    if not who:
        raise InputError(path, "empty coder", row=row, column=CODER, expected="a coder name")
    parsed: dict[str, Any] = {SEGMENT_ID: segment, CODER: who}
    for name in CODE_COLUMNS:
        if name not in columns:
            continue
        if name in (PAIN_POINT, GOAL):
            parsed[name] = _parse_flag(cell(name), path, row, name)
        elif name == TOUCHPOINTS:
            parsed[name] = parse_touchpoints(cell(name))
        elif name == MEMO:
            parsed[name] = _cell_text(cell(name))
        else:
            parsed[name] = _cell_text(cell(name)).strip() or None
    if _NOT_CODABLE.fullmatch(parsed.get(STAGE) or ""):
        parsed[STAGE] = NOT_CODABLE
    if CODEBOOK_HASH in columns:
        parsed[CODEBOOK_HASH] = _cell_text(cell(CODEBOOK_HASH)).strip() or None
    return parsed


def _state(code: dict[str, Any]) -> tuple:
    """A code's comparable state: flags as None/bool, empty text as None, touchpoints a list."""
    state = []
    for name in CODE_COLUMNS:
        value = code.get(name)
        if name == TOUCHPOINTS:
            state.append(list(value or []))
        elif name in (PAIN_POINT, GOAL):
            state.append(None if value is None else bool(value))
        else:
            state.append(value or None)
    return tuple(state)


def import_codes(
    store: CodeStore,
    path: Path | str,
    *,
    coder: str | None = None,
    segments: pd.DataFrame | None = None,
    allow_unknown: bool = False,
    skip_unchanged: bool = True,
    session: str | None = None,
    codebook: Codebook | None = None,
) -> ImportReport:
    """Import codes from a ``.csv`` or ``.xlsx`` spreadsheet (rules in the module notes).

    Parameters
    ----------
    store : CodeStore
        Where the codes go (``record_many(action="import")``, one transaction).
    path : Path or str
        The spreadsheet; its first sheet is read.
    coder : str, optional
        The coder of every row (fills empty or missing ``coder`` cells).
    segments : DataFrame, optional
        The study's segments; ids not among them are rejected unless ``allow_unknown``.
    allow_unknown : bool
        Import unknown segment ids anyway and list them in the report.
    skip_unchanged : bool
        Do not record rows equal to the coder's current code.
    session : str, optional
        Session label stored with each decision.
    codebook : Codebook, optional
        When given, a stage, emotion or touchpoint it does not know is an error naming the
        row and column ("not codable" is a valid stage).

    Returns
    -------
    ImportReport
    """
    path = Path(path)
    name = str(path)
    table = _read_table(path)
    if not table:
        raise InputError(name, "the file is empty", expected="a header row and code rows")
    columns = _columns(table[0], name, coder)
    known = {SEGMENT_ID, CODER, CODEBOOK_HASH, *CODE_COLUMNS}
    report = ImportReport(name, ignored_columns=[c for c in columns if c not in known])
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for row, cells in enumerate(table[1:], start=2):
        if all(_cell_text(value).strip() == "" for value in cells):
            continue
        given = [columns[c] for c in CODE_COLUMNS if c in columns and columns[c] < len(cells)]
        if all(_cell_text(cells[i]).strip() == "" for i in given):
            report.blank += 1  # a coding-sheet row nobody filled: no decision, nothing stored
            continue
        code = _parse_row(cells, columns, name, row, coder)
        if codebook is not None:
            _check_codes(code, codebook, name, row)
        key = (code[SEGMENT_ID], code[CODER])
        if key in seen:
            raise InputError(
                name,
                f"segment {key[0]!r} is coded twice by {key[1]!r} (also row {seen[key]})",
                row=row,
                column=SEGMENT_ID,
                expected="one row per segment and coder",
            )
        seen[key] = row
        parsed.append(code)
    if segments is not None:
        require(segments, [SEGMENT_ID], name="segments")
        ids = set(segments[SEGMENT_ID].astype(str))
        unknown = [(seen[(c[SEGMENT_ID], c[CODER])], c[SEGMENT_ID]) for c in parsed]
        unknown = [(row, segment) for row, segment in unknown if segment not in ids]
        if unknown and not allow_unknown:
            listed = ", ".join(f"{segment!r} (row {row})" for row, segment in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise InputError(
                name,
                f"{len(unknown)} segment id(s) are not in the segments table: {listed}{more}",
                row=unknown[0][0],
                column=SEGMENT_ID,
                expected="ids of this study's segments; re-ingest, fix the sheet, or pass "
                "allow_unknown=True to import them anyway",
            )
        report.unknown_segments = sorted({segment for _, segment in unknown})
    current: dict[tuple[str, str], dict[str, Any]] = {}
    for who in sorted({c[CODER] for c in parsed}):
        for code in store.current_codes(who).to_dict("records"):
            current[(code[SEGMENT_ID], code[CODER])] = {
                k: (None if v is pd.NA else v) for k, v in code.items()
            }
    rows = []
    for code in parsed:
        before = current.get((code[SEGMENT_ID], code[CODER]), {})
        merged = {name: before.get(name) for name in CODE_COLUMNS} | code
        if skip_unchanged and before and _state(merged) == _state(before):
            report.unchanged += 1
            continue
        rows.append(merged | {SESSION: session})
    report.imported = store.record_many(rows, action="import")
    report.coders = sorted({c[CODER] for c in parsed})
    return report
