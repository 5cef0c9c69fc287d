"""Survey exports (Qualtrics, SurveyMonkey, Google Forms, any CSV/TSV/XLSX) → questions and answers.

A reader returns a :class:`~workbench.ingest.base.SurveyResult`: the ``questions`` (one row per
column, with its kind and metric), the closed ``responses`` in long format (one row per
respondent × closed question with a non-blank answer) and the open-ended ``answers`` with their
character span in the decoded text, so every quote can be traced to its cell.

Layouts are recognised from the header rows (or set in the study config):

* ``qualtrics`` – 3 header rows: column ids, question texts, ``{"ImportId":...}``;
* ``qualtrics-legacy`` – ``V1..V10`` metadata columns, 2 header rows (``V1`` = ResponseID);
* ``surveymonkey`` – 2 header rows (question texts, then sub-labels), ``Respondent ID``;
* ``google-forms`` – one header row starting with ``Timestamp``;
* ``generic`` – one header row and an id column found by name.

Values stay strings exactly as exported (``007``, ``NA`` and ``None`` are answers, not numbers or
missing values); ``value_num`` holds the number where a value is one.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench import schema
from workbench.errors import ConfigError, EmptyFileError, InputError
from workbench.ingest.base import Answer, SurveyResult
from workbench.ingest.question_kinds import KindGuess, classify, resolve_kind, value_number
from workbench.ingest.survey_kinds import (
    ID_NAMES,
    PERSONA_NAMES,
    TEXT_IQ,
    ColumnInfo,
    column_infos,
    detect_layout,
    find_by_names,
    find_column,
    is_import_row,
    is_vendor_metadata,
    listing,
    name_key,
)
from workbench.ingest.survey_table import (
    Table,
    paused_gc,
    read_xlsx_table,
    sniff_delimiter,
    split_delimited,
)

LAYOUTS = ("qualtrics", "qualtrics-legacy", "surveymonkey", "google-forms", "generic")
_MAX_LISTED = 10


@dataclass
class SurveyOptions:
    """How to read one survey export; every field is optional (from the study config).

    ``layout`` forces a layout (see :data:`LAYOUTS`); ``id_column`` and ``persona_column`` name
    the respondent id and persona columns (by column id or header text); ``open_questions``
    forces question ids to open text; ``kinds`` maps question ids to a kind (``nps``,
    ``rating``, ``csat``, ``ces``, ``choice``, ``open_text``, ``metadata``); ``delimiter``
    overrides the delimiter guessed from the file name and first line.
    """

    layout: str | None = None
    id_column: str | None = None
    persona_column: str | None = None
    open_questions: list[str] | None = None
    kinds: dict[str, str] | None = None
    scales: dict[str, str] | None = None
    persona_bands: list[float] | None = None
    delimiter: str | None = None


def read_survey_text(text: str, path: str, options: SurveyOptions | None = None) -> SurveyResult:
    """Read a CSV or TSV survey export that is already decoded.

    Parameters
    ----------
    text : str
        The decoded file content.
    path : str
        The file's name for messages (relative to ``data/raw`` where possible).
    options : SurveyOptions, optional
        Settings from the study config.

    Returns
    -------
    SurveyResult
        ``format`` is the layout name; answer offsets point into ``text``.

    Raises
    ------
    InputError
        For a ragged row, a missing id column, duplicate respondent ids or an unterminated
        quote; the message names the line (and column) and what was expected.

    Examples
    --------
    >>> result = read_survey_text("id,How satisfied are you?\\n007,5\\n008,NA\\n", "s.csv")
    >>> result.format, list(result.responses["value"])
    ('generic', ['5', 'NA'])
    >>> list(result.responses["respondent_id"])
    ['007', '008']
    """
    options = options or SurveyOptions()
    if not text.strip():
        raise EmptyFileError(path, "the file is empty", expected="a survey export with a header")
    delimiter = options.delimiter or sniff_delimiter(text, path)
    with paused_gc():
        return _build(split_delimited(text, path, delimiter), options, [])


def read_survey_xlsx(raw: bytes, path: str, options: SurveyOptions | None = None) -> SurveyResult:
    """Read the first worksheet of an ``.xlsx`` survey export (SurveyMonkey or generic).

    The result's ``text`` is a tab-separated rendering of the sheet, one line per sheet row,
    and answer offsets and lines point into it. See :func:`read_survey_text` for the rest.
    """
    with paused_gc():
        table, warnings = read_xlsx_table(raw, path)
        return _build(table, options or SurveyOptions(), warnings)


def _configured(path: str, infos: list[ColumnInfo], name: str, what: str) -> int:
    j = find_column(infos, name)
    if j is None:
        raise InputError(
            path,
            f"the {what} column {name!r} set in the study config is not in the header",
            line=1,
            expected=f"one of the columns found: {listing(infos)}",
        )
    return j


ROW_NUMBER = "row-number"  # id_column setting: number the rows (the export has no id)
_ID_WORD = re.compile(r"(^|[\s_])(id|ref|number|no)\.?$", re.I)


def row_id(path: str, i: int) -> str:
    """The id of a respondent the export does not name: the file and the row number (rows of
    different files are different people, so ``row-1`` alone would merge them).

    Examples
    --------
    >>> row_id("surveys/forms.csv", 0)
    'surveys/forms.csv:row-1'
    """
    return f"{path}:row-{i + 1}"


def _unique(values) -> bool:
    stripped = [v.strip() for v in values]
    return bool(stripped) and all(stripped) and len(set(stripped)) == len(stripped)


def _id_like(path: str, infos: list[ColumnInfo], columns, warnings) -> int | None:
    """A column that names rows although its header is not a known id name: ``Complaint ID``,
    ``Review no.``, or an unnamed first column (a spreadsheet's row index), all values unique."""
    for j, info in enumerate(infos):
        unnamed = j == 0 and not info.text.strip()
        if (unnamed or _ID_WORD.search(info.text.strip())) and _unique(columns[j]):
            shown = "the unnamed first column" if unnamed else repr(info.text)
            warnings.append(f"{path}: using {shown} as the respondent id (its values are unique)")
            return j
    return None


def _id_column(path: str, layout: str, infos: list[ColumnInfo], columns, options, warnings):
    if options.id_column == ROW_NUMBER:
        return None
    if options.id_column:
        return _configured(path, infos, options.id_column, "respondent id")
    if layout == "qualtrics":
        for j, info in enumerate(infos):
            if name_key(info.qid) == "responseid" or info.import_id == "_recordId":
                return j
    elif layout == "qualtrics-legacy":
        j = find_by_names(infos, ("v1", "responseid"))
        if j is not None:
            return j
    elif layout == "surveymonkey":
        j = find_by_names(infos, ("respondentid",))
        if j is not None:
            return j
    else:
        j = find_by_names(infos, ID_NAMES)
        if j is None:
            j = _id_like(path, infos, columns, warnings)
        if j is not None:
            return j
    if layout == "google-forms":
        j = find_by_names(infos, ("emailaddress", "email"))
        if j is not None and all(columns[j]) and len(set(columns[j])) == len(columns[j]):
            warnings.append(f"{path}: no respondent id column; using {infos[j].text!r} as the id")
            return j
        warnings.append(
            f"{path}: no respondent id column; respondents are numbered row-1, row-2 ... "
            "in file order (set id_column in the study config if the file has one)"
        )
        return None
    expected = {
        "qualtrics": "a ResponseId column",
        "qualtrics-legacy": "a V1 (ResponseID) column",
        "surveymonkey": "a 'Respondent ID' column",
    }.get(layout, "a column named respondent_id, response_id, ResponseId, id or participant_id")
    raise InputError(
        path,
        "no respondent id column",
        line=1,
        expected=f"{expected}, or id_column in the study config (id_column: {ROW_NUMBER} numbers "
        f"the rows of an export without one); columns found: {listing(infos)}",
    )


def _ragged(
    path: str, rows: list[list[str]], lines: list[int], width: int, pad: bool, first_row: int
) -> list[list[str]]:
    """Rows cut or padded to ``width``; raises on the first ragged row (listing the others).

    Trailing empty fields beyond the header are dropped; short rows are padded only for
    worksheets (``pad``), where empty trailing cells are simply absent.
    """
    rows = list(rows)
    bad = []
    for i, row in enumerate(rows):
        if len(row) == width:
            continue
        if len(row) > width and not any(row[width:]):
            rows[i] = row[:width]
        elif len(row) < width and pad:
            rows[i] = row + [""] * (width - len(row))
        else:
            bad.append(i)
    if bad:
        i = bad[0]
        others = [str(lines[k]) for k in bad[1:]]
        more = ""
        if others:
            listed = ", ".join(others[:_MAX_LISTED])
            extra = f" and {len(others) - _MAX_LISTED} more" if len(others) > _MAX_LISTED else ""
            more = f"; {len(others)} other ragged row(s), on lines {listed}{extra}"
        raise InputError(
            path,
            f"line {lines[i]} has {len(rows[i])} fields{more}",
            line=lines[i],
            row=first_row + i if first_row else None,
            expected=f"{width} fields, as in the header",
        )
    return rows


def _duplicates(path: str, ids: list[str], lines: list[int], column: str) -> None:
    counts = Counter(ids)
    dups = [value for value, n in counts.items() if n > 1]
    if not dups:
        return
    where: dict[str, list[int]] = {}
    wanted = set(dups)
    for value, line in zip(ids, lines, strict=True):
        if value in wanted:
            where.setdefault(value, []).append(line)
    listed = "; ".join(
        f"{value!r} on lines {', '.join(map(str, where[value]))}" for value in dups[:_MAX_LISTED]
    )
    extra = f"; and {len(dups) - _MAX_LISTED} more" if len(dups) > _MAX_LISTED else ""
    raise InputError(
        path,
        f"{len(dups)} duplicate respondent id(s): {listed}{extra}",
        line=where[dups[0]][1],
        column=column,
        expected="one row per respondent",
    )


def _build(table: Table, options: SurveyOptions, warnings: list[str]) -> SurveyResult:
    path = table.path
    if not table.rows:
        raise EmptyFileError(path, "the file has no rows", expected="a header row")
    layout = options.layout or detect_layout(table.rows)
    if layout not in LAYOUTS:
        raise ConfigError(f"{path}: unknown survey layout {layout!r}; expected one of {LAYOUTS}")
    n_header = {"qualtrics": 3, "qualtrics-legacy": 2, "surveymonkey": 2}.get(layout, 1)
    if layout == "qualtrics" and (len(table.rows) < 3 or not is_import_row(table.rows[2])):
        n_header = 2
    if len(table.rows) < n_header:
        raise InputError(
            path,
            f"only {len(table.rows)} header row(s)",
            line=table.lines[-1],
            expected=f"{n_header} header rows of a {layout} export",
        )
    width = len(table.rows[0])
    pad = table.cell_spans is not None
    header = _ragged(path, table.rows[:n_header], table.lines, width, pad, 0)
    lines = table.lines[n_header:]
    data = _ragged(path, table.rows[n_header:], lines, width, pad, 1)
    columns = list(zip(*data, strict=True)) if data else [() for _ in header[0]]
    infos = column_infos(layout, header, width)
    keep = [
        j
        for j in range(width)
        if any(row[j].strip() for row in header) or any(map(str.strip, columns[j]))
    ]
    for info in infos:
        info.vendor_metadata = is_vendor_metadata(layout, info)
    id_j = _id_column(path, layout, infos, columns, options, warnings)
    persona_j = (
        _configured(path, infos, options.persona_column, "persona")
        if options.persona_column
        else find_by_names(infos, PERSONA_NAMES)
    )
    if id_j is None:
        ids = [row_id(path, i) for i in range(len(data))]
    else:
        ids = [value.strip() for value in columns[id_j]]
        blank = [i for i, value in enumerate(ids) if not value]
        for i in blank:
            ids[i] = row_id(path, i)
        if blank:
            shown = ", ".join(str(lines[i]) for i in blank[:_MAX_LISTED])
            warnings.append(
                f"{path}: {len(blank)} row(s) have no respondent id (lines {shown}); "
                "numbered row-<n> instead"
            )
        _duplicates(path, ids, lines, infos[id_j].text)
    personas = _personas(path, infos, columns, persona_j, len(data), options)
    fixed = {id_j: schema.KIND_ID, persona_j: schema.KIND_METADATA}
    kinds = _kinds(path, infos, columns, keep, fixed, options, warnings)
    if not data:
        warnings.append(f"{path}: the file has header rows but no responses")
    roles = {id_j: schema.ROLE_RESPONDENT_ID, persona_j: schema.ROLE_PERSONA}
    questions = _questions(infos, columns, keep, kinds, roles)
    closed = [j for j in keep if kinds[j].kind in schema.CLOSED_KINDS]
    responses = _responses(closed, columns, ids, personas, infos, kinds)
    answers = []
    open_cols = [j for j in keep if kinds[j].kind == schema.KIND_OPEN]
    for i, row in enumerate(data):
        cols = [j for j in open_cols if row[j] and not row[j].isspace()]
        if cols:
            spans = table.spans(n_header + i, cols)
            for j, (start, end, _) in zip(cols, spans, strict=True):
                qid = infos[j].qid
                answers.append(Answer(ids[i], personas[i], qid, row[j], start, end, lines[i]))
    return SurveyResult(layout, table.text, questions, responses, answers, warnings)


def band_label(value: str, bands: list[float]) -> str | None:
    """The band of a numeric answer: ``[18, 35, 50, 65]`` gives ``18-34`` ... ``65+``.

    Examples
    --------
    >>> [band_label(v, [18, 35, 50, 65]) for v in ("33", "35", "71", "16", "n/a")]
    ['18-34', '35-49', '65+', 'under 18', None]
    """
    try:
        number = float(value)
    except ValueError:
        return None
    if not np.isfinite(number):
        return None
    if number < bands[0]:
        return f"under {bands[0]:g}"
    for low, high in itertools.pairwise(bands):
        if number < high:
            return f"{low:g}-{high - 1:g}" if float(high).is_integer() else f"{low:g}-<{high:g}"
    return f"{bands[-1]:g}+"


def _personas(path, infos, columns, persona_j, n_rows, options) -> list[str | None]:
    if persona_j is None:
        return [None] * n_rows
    values = [value.strip() or None for value in columns[persona_j]]
    if not options.persona_bands:
        return values
    bands = sorted(float(b) for b in options.persona_bands)
    out = [band_label(v, bands) if v else None for v in values]
    bad = [v for v, band in zip(values, out, strict=True) if v and band is None]
    if bad:
        raise InputError(
            path,
            f"{len(bad)} value(s) of the persona column are not numbers, e.g. {bad[0]!r}",
            column=infos[persona_j].text,
            expected="numbers, since persona_bands is set in the study config",
        )
    return out


def _vendor_kind(info: ColumnInfo) -> KindGuess | None:
    """What the export's own markers say a column is (Qualtrics ids, SurveyMonkey labels)."""
    import_id = info.import_id or ""
    if info.vendor_metadata or TEXT_IQ.search(info.qid) or "_TEXT_" in import_id:
        return KindGuess(schema.KIND_METADATA)
    if info.qid.upper().endswith("_TEXT") or import_id.endswith("_TEXT"):
        return KindGuess(schema.KIND_OPEN)
    sublabel = (info.sublabel or "").lower()
    if "open-ended" in sublabel or "please specify" in sublabel or "other (" in sublabel:
        return KindGuess(schema.KIND_OPEN)
    return None


def _guess(info: ColumnInfo, values: list[str], scale: str | None) -> KindGuess:
    text = f"{info.text} ({scale})" if scale else info.text
    return _vendor_kind(info) or classify(info.qid, text, values)


def _forced(path, infos, options, warnings) -> dict[int, KindGuess]:
    forced: dict[int, KindGuess] = {}
    for name, kind in (options.kinds or {}).items():
        j = find_column(infos, name)
        if j is None:
            warnings.append(f"{path}: kinds names {name!r}, which is not a column of this file")
        else:
            forced[j] = resolve_kind(kind, f"kinds[{name!r}]")
    for name in options.open_questions or []:
        j = find_column(infos, name)
        if j is None:
            warnings.append(f"{path}: open_questions names {name!r}, not a column of this file")
        else:
            forced[j] = KindGuess(schema.KIND_OPEN)
    return forced


def _scales(path, infos, options, warnings) -> dict[int, str]:
    out = {}
    for name, scale in (options.scales or {}).items():
        j = find_column(infos, name)
        if j is None:
            warnings.append(f"{path}: scales names {name!r}, which is not a column of this file")
        else:
            out[j] = str(scale)
    return out


def _kinds(path, infos, columns, keep, fixed, options, warnings) -> dict[int, KindGuess]:
    """Each kept column's kind: ``fixed`` ones first (the respondent id and persona columns),
    then the study config's ``kinds``/``open_questions``, then the guess from the answers."""
    forced = _forced(path, infos, options, warnings)
    scales = _scales(path, infos, options, warnings)
    kinds: dict[int, KindGuess] = {}
    for j in keep:
        if j in fixed:
            kinds[j] = KindGuess(fixed[j])
            continue
        values = list(filter(None, map(str.strip, columns[j])))
        guess = _guess(infos[j], values, scales.get(j))
        if j in forced:
            setting = forced[j]
            same = guess.kind == setting.kind
            guess = KindGuess(
                setting.kind,
                setting.metric or (guess.metric if same else None),
                guess.scale if setting.kind in (schema.KIND_RATING, schema.KIND_NPS) else None,
            )
            if setting.kind == schema.KIND_NPS:
                guess = KindGuess(schema.KIND_NPS, schema.METRIC_NPS, "0-10")
        elif guess.unsure:
            warnings.append(
                f"{path}: column {infos[j].text!r} read as {schema.KIND_LABELS[guess.kind]} "
                f"({guess.unsure}); set survey.kinds in study.yml if it is something else"
            )
        kinds[j] = guess
    return kinds


def _questions(infos, columns, keep, kinds, roles) -> pd.DataFrame:
    """One row per kept column: id, text, kind, metric, scale and what its answers look like."""
    stats = []
    for j in keep:
        values = [v for v in map(str.strip, columns[j]) if v]
        example = values[0] if values else None
        if example and len(example) > 60:
            example = example[:57].rstrip() + "..."
        stats.append((len(values), len(set(values)), example))
    return pd.DataFrame(
        {
            schema.QUESTION_ID: pd.array([infos[j].qid for j in keep], dtype=schema.STRING),
            schema.QUESTION_TEXT: pd.array([infos[j].text for j in keep], dtype=schema.STRING),
            schema.QUESTION_KIND: pd.array([kinds[j].kind for j in keep], dtype=schema.STRING),
            schema.QUESTION_METRIC: pd.array([kinds[j].metric for j in keep], dtype=schema.STRING),
            schema.QUESTION_POSITION: np.array([j + 1 for j in keep], dtype="int64"),
            schema.QUESTION_SCALE: pd.array([kinds[j].scale for j in keep], dtype=schema.STRING),
            schema.N_ANSWERS: np.array([n for n, _, _ in stats], dtype="int64"),
            schema.N_DISTINCT: np.array([d for _, d, _ in stats], dtype="int64"),
            schema.EXAMPLE: pd.array([e for _, _, e in stats], dtype=schema.STRING),
            schema.KIND_NOTE: pd.array([kinds[j].unsure for j in keep], dtype=schema.STRING),
            schema.QUESTION_ROLE: pd.array([roles.get(j) for j in keep], dtype=schema.STRING),
        }
    )


def _numbers(values: np.ndarray, kind: str) -> np.ndarray:
    """The number each answer stands for, else NaN (one parse per distinct value)."""
    table = {value: value_number(kind, value) for value in set(values)}
    return np.fromiter(map(table.__getitem__, values), dtype="float64", count=len(values))


def _responses(closed, columns, ids, personas, infos, kinds) -> pd.DataFrame:
    rows, cols, values, numbers = [], [], [], []
    for j in closed:
        column = columns[j]
        mask = np.fromiter(map(bool, map(str.strip, column)), dtype=bool, count=len(column))
        index = np.flatnonzero(mask)
        kept = np.asarray(column, dtype=object)[index]
        rows.append(index)
        cols.append(np.full(len(index), j))
        values.append(kept)
        numbers.append(_numbers(kept, kinds[j].kind))
    if rows:
        row_ix, col_ix = np.concatenate(rows), np.concatenate(cols)
        value, number = np.concatenate(values), np.concatenate(numbers)
    else:
        row_ix = col_ix = np.zeros(0, dtype="int64")
        value, number = np.zeros(0, dtype=object), np.zeros(0, dtype="float64")
    order = np.lexsort((col_ix, row_ix))
    row_ix, col_ix = row_ix[order], col_ix[order]
    qids = pd.array([info.qid for info in infos], dtype=schema.STRING)
    return pd.DataFrame(
        {
            schema.RESPONDENT_ID: pd.array(ids, dtype=schema.STRING).take(row_ix),
            schema.PERSONA: pd.array(personas, dtype=schema.STRING).take(row_ix),
            schema.QUESTION_ID: qids.take(col_ix),
            schema.VALUE: pd.array(value[order], dtype=schema.STRING),
            schema.VALUE_NUM: number[order],
        }
    )
