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

from collections.abc import Sequence
from dataclasses import dataclass

from workbench import schema
from workbench.errors import ConfigError, EmptyFileError, InputError
from workbench.ingest import survey_columns, survey_ids
from workbench.ingest.base import Answer, SurveyResult, fold_space
from workbench.ingest.survey_kinds import (
    PERSONA_NAMES,
    ColumnInfo,
    column_infos,
    detect_layout,
    find_by_names,
    is_import_row,
    is_vendor_metadata,
)
from workbench.ingest.survey_table import (
    Table,
    paused_gc,
    sniff_delimiter,
    split_delimited,
)
from workbench.ingest.survey_xlsx import read_xlsx_table

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


def read_survey_text(
    text: str, path: str, options: SurveyOptions | None = None, *, progress: bool = False
) -> SurveyResult:
    """Read a CSV or TSV survey export that is already decoded.

    Parameters
    ----------
    text : str
        The decoded file content.
    path : str
        The file's name for messages (relative to ``data/raw`` where possible).
    options : SurveyOptions, optional
        Settings from the study config.
    progress : bool
        Show a progress bar while the text is parsed (for large files).

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
    if not text or text.isspace():  # not text.strip(), which copies a large file's text
        raise EmptyFileError(path, "the file is empty", expected="a survey export with a header")
    delimiter = options.delimiter or sniff_delimiter(text, path)
    with paused_gc():
        table = split_delimited(text, path, delimiter, progress=progress)
        return _build(table, options, [])


def read_survey_xlsx(raw: bytes, path: str, options: SurveyOptions | None = None) -> SurveyResult:
    """Read the first worksheet of an ``.xlsx`` survey export (SurveyMonkey or generic).

    The result's ``text`` is a tab-separated rendering of the sheet, one line per sheet row,
    and answer offsets and lines point into it. See :func:`read_survey_text` for the rest.
    """
    with paused_gc():
        table, warnings = read_xlsx_table(raw, path)
        return _build(table, options or SurveyOptions(), warnings)


def _ragged(path: str, table: Table, n_header: int) -> None:
    """Raise on the first ragged record (a header row first), listing the other ragged rows.

    Trailing empty fields beyond the header are dropped and, for worksheets, short rows padded
    (where empty trailing cells are simply absent) when the table is read; the records left in
    ``table.ragged`` do not fit the header.
    """
    if not table.ragged:
        return
    ragged = sorted(table.ragged)
    in_header = [i for i in ragged if i < n_header]
    bad = in_header or ragged
    i = bad[0]
    lines = table.lines
    others = [str(lines[k]) for k in bad[1:]]
    more = ""
    if others:
        listed = ", ".join(others[:_MAX_LISTED])
        extra = f" and {len(others) - _MAX_LISTED} more" if len(others) > _MAX_LISTED else ""
        more = f"; {len(others)} other ragged row(s), on lines {listed}{extra}"
    raise InputError(
        path,
        f"line {lines[i]} has {table.ragged[i]} fields{more}",
        line=lines[i],
        row=None if in_header else i - n_header + 1,
        expected=f"{len(table.columns)} fields, as in the header",
    )


def _duplicate_names(path: str, layout: str, header: list[list[str]], line: int) -> None:
    """Raise when two columns have the same name in the header row that names columns.

    That row is the first one (column ids for Qualtrics, names otherwise). A SurveyMonkey
    export names a column by its question and sub-label over two rows, and may legitimately
    repeat a question's text, so it is not checked. Names are compared with runs of white space
    folded; blank names are not names.
    """
    if layout == "surveymonkey":
        return
    where: dict[str, list[int]] = {}
    for j, cell in enumerate(header[0]):
        name = fold_space(cell)
        if name:
            where.setdefault(name, []).append(j + 1)
    repeated = {name: cols for name, cols in where.items() if len(cols) > 1}
    if not repeated:
        return
    listed = "; ".join(
        f"{name!r} in columns {', '.join(map(str, cols[:-1]))} and {cols[-1]}"
        for name, cols in list(repeated.items())[:_MAX_LISTED]
    )
    extra = f"; and {len(repeated) - _MAX_LISTED} more" if len(repeated) > _MAX_LISTED else ""
    raise InputError(
        path,
        f"{len(repeated)} column name(s) used more than once: {listed}{extra}",
        line=line,
        column=next(iter(repeated.values()))[1],
        expected="a different name for every column: rename the repeated ones in the survey "
        "tool (or the spreadsheet) and export the file again",
    )


def _build(table: Table, options: SurveyOptions, warnings: list[str]) -> SurveyResult:
    path = table.path
    n_records = table.n_records
    if not n_records:
        raise EmptyFileError(path, "the file has no rows", expected="a header row")
    layout = options.layout or detect_layout([table.row(i) for i in range(min(3, n_records))])
    if layout not in LAYOUTS:
        raise ConfigError(f"{path}: unknown survey layout {layout!r}; expected one of {LAYOUTS}")
    n_header = {"qualtrics": 3, "qualtrics-legacy": 2, "surveymonkey": 2}.get(layout, 1)
    if layout == "qualtrics" and (n_records < 3 or not is_import_row(table.row(2))):
        n_header = 2
    if n_records < n_header:
        raise InputError(
            path,
            f"only {n_records} header row(s)",
            line=table.lines[-1],
            expected=f"{n_header} header rows of a {layout} export",
        )
    _ragged(path, table, n_header)
    width = len(table.columns)
    lines = table.lines[n_header:]
    header = table.split_header(n_header)
    _duplicate_names(path, layout, header, table.lines[0])
    columns = table.columns
    n_rows = n_records - n_header
    infos = column_infos(layout, header, width)
    keep = [
        j
        for j in range(width)
        if any(row[j].strip() for row in header) or any(map(str.strip, columns[j]))
    ]
    for info in infos:
        info.vendor_metadata = is_vendor_metadata(layout, info)
    id_j = survey_ids.id_column(path, layout, infos, columns, options, warnings)
    persona_j = (
        survey_ids.configured(path, infos, options.persona_column, "persona")
        if options.persona_column
        else find_by_names(infos, PERSONA_NAMES)
    )
    if id_j is None:
        ids = [survey_ids.row_id(path, i) for i in range(n_rows)]
    else:
        ids = [value.strip() for value in columns[id_j]]
        blank = [i for i, value in enumerate(ids) if not value]
        for i in blank:
            ids[i] = survey_ids.row_id(path, i)
        if blank:
            shown = ", ".join(str(lines[i]) for i in blank[:_MAX_LISTED])
            warnings.append(
                f"{path}: {len(blank)} row(s) have no respondent id (lines {shown}); "
                "numbered row-<n> instead"
            )
        survey_ids.duplicates(path, ids, lines, infos[id_j].text)
        damaged = survey_ids.excel_ids(path, ids, lines, infos[id_j].text)
        if damaged:
            warnings.append(damaged)
    ids = survey_ids.per_file(path, infos, id_j, ids)
    personas = survey_ids.personas(path, infos, columns, persona_j, lines, options)
    fixed = {id_j: schema.KIND_ID, persona_j: schema.KIND_METADATA}
    kinds = survey_columns.kinds_of(path, infos, columns, keep, fixed, options, warnings)
    if not n_rows:
        warnings.append(f"{path}: the file has header rows but no responses")
    roles = {id_j: schema.ROLE_RESPONDENT_ID, persona_j: schema.ROLE_PERSONA}
    questions = survey_columns.questions_table(infos, columns, keep, kinds, roles)
    open_cols = [j for j in keep if kinds[j].kind == schema.KIND_OPEN]
    answers = _answers(table, n_header, open_cols, infos, ids, personas, lines)
    closed = [j for j in keep if kinds[j].kind in schema.CLOSED_KINDS]
    _release(columns, keep=closed)
    responses = survey_columns.responses_table(closed, columns, ids, personas, infos, kinds)
    return SurveyResult(layout, table.text, questions, responses, answers, warnings)


def _release(columns: list[list[str]], keep: list[int]) -> None:
    """Empty the columns that the responses do not need, once the answers are built.

    Their strings (dates and other unique metadata; open answers live on in the answers) are
    freed before the responses are built.
    """
    wanted = set(keep)
    for j, column in enumerate(columns):
        if j not in wanted:
            column.clear()


def _answers(
    table: Table,
    n_header: int,
    open_cols: list[int],
    infos: list[ColumnInfo],
    ids: list[str],
    personas: list[str | None],
    lines: Sequence[int],
) -> list[Answer]:
    """The non-blank cells of the open-text columns, row by row, with their spans."""
    answers = []
    columns = table.columns
    qids = [infos[j].qid for j in open_cols]
    for i, cells in enumerate(zip(*(columns[j] for j in open_cols), strict=True)):
        wanted = [k for k, value in enumerate(cells) if value and not value.isspace()]
        if wanted:
            spans = table.spans(n_header + i, [open_cols[k] for k in wanted])
            rid, persona, line = ids[i], personas[i], lines[i]  # one int per row, not per answer
            for k, (start, end, _) in zip(wanted, spans, strict=True):
                answers.append(Answer(rid, persona, qids[k], cells[k], start, end, line))
    return answers
