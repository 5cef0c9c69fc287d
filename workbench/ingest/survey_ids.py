"""Who answered a survey export: respondent ids and personas.

The respondent id column is the study config's ``id_column``, else the layout's own id column
(``ResponseId``, ``Respondent ID``...), a known id name, a unique ``… ID`` column or an unnamed
first column; an export without one numbers its rows per file. Duplicate ids and ids that Excel
damaged (``2.31E+13``, dates) are reported with their lines. Personas come from the persona
column, in bands where ``persona_bands`` is set.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from workbench.errors import InputError
from workbench.ingest.answer_values import is_non_answer
from workbench.ingest.survey_kinds import (
    EXCEL_ADVICE,
    ID_NAMES,
    ColumnInfo,
    excel_causes,
    excel_damage,
    find_by_names,
    find_column,
    listing,
    name_key,
)

if TYPE_CHECKING:  # for annotations only: survey imports this module
    from workbench.ingest.survey import SurveyOptions

MAX_LISTED = 10


def configured(path: str, infos: list[ColumnInfo], name: str, what: str) -> int:
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


def id_column(path: str, layout: str, infos: list[ColumnInfo], columns, options, warnings):
    if options.id_column == ROW_NUMBER:
        return None
    if options.id_column:
        return configured(path, infos, options.id_column, "respondent id")
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


def duplicates(path: str, ids: list[str], lines: Sequence[int], column: str) -> None:
    if len(set(ids)) == len(ids):
        return
    counts = Counter(ids)
    dups = [value for value, n in counts.items() if n > 1]
    if not dups:
        return
    where: dict[str, list[int]] = {}
    wanted = set(dups)
    for value, line in zip(ids, lines, strict=True):
        if value in wanted:
            where.setdefault(value, []).append(line)
    damage = {value: excel_damage(value) for value in dups}
    damaged = [value for value in dups if damage[value]]
    shown = [*damaged, *(value for value in dups if not damage[value])]  # the cause first
    listed = "; ".join(
        f"{value!r} on lines {', '.join(map(str, where[value]))}" for value in shown[:MAX_LISTED]
    )
    extra = f"; and {len(dups) - MAX_LISTED} more" if len(dups) > MAX_LISTED else ""
    problem = f"{len(dups)} duplicate respondent id(s): {listed}{extra}"
    expected = "one row per respondent"
    if damaged:
        causes = excel_causes({damage[value] for value in damaged})
        which = "they look" if len(damaged) == len(dups) else f"{len(damaged)} of them look"
        problem += f"; {which} changed by Excel ({causes}), so different ids became the same"
        expected += f": {EXCEL_ADVICE}"
    raise InputError(path, problem, line=where[shown[0]][1], column=column, expected=expected)


def excel_ids(path: str, ids: list[str], lines: Sequence[int], column: str) -> str | None:
    """A warning when respondent ids look changed by Excel (see :func:`excel_damage`)."""
    found = [(i, kind) for i, value in enumerate(ids) if (kind := excel_damage(value))]
    if not found:
        return None
    i = found[0][0]
    causes = excel_causes({kind for _, kind in found})
    return (
        f"{path}: {len(found)} respondent id(s) in column {column!r} look changed by Excel "
        f"({causes}), e.g. {ids[i]!r} on line {lines[i]}; {EXCEL_ADVICE}"
    )


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


def personas(
    path: str,
    infos: list[ColumnInfo],
    columns: list[list[str]],
    persona_j: int | None,
    lines: Sequence[int],
    options: SurveyOptions,
) -> list[str | None]:
    """Each respondent's persona: the persona column's value, in bands where ``persona_bands``
    is set ("no answer" answers such as ``Prefer not to say`` give no persona).

    Raises
    ------
    InputError
        When a banded persona column holds a value that is not a number, naming its line.
    """
    n_rows = len(lines)
    if persona_j is None:
        return [None] * n_rows
    values = [value.strip() or None for value in columns[persona_j]]
    if not options.persona_bands:
        return values
    bands = sorted(float(b) for b in options.persona_bands)
    values = [None if v is None or is_non_answer(v) else v for v in values]
    out = [band_label(v, bands) if v else None for v in values]
    bad = [i for i, (v, band) in enumerate(zip(values, out, strict=True)) if v and band is None]
    if bad:
        raise InputError(
            path,
            f"{len(bad)} value(s) of the persona column are not numbers, the first "
            f"{values[bad[0]]!r}",
            line=lines[bad[0]],
            column=infos[persona_j].text,
            expected="numbers (or a no-answer such as 'Prefer not to say'), since "
            "persona_bands is set in the study config",
        )
    return out


def per_file(path: str, infos: list[ColumnInfo], id_j: int | None, ids: list[str]) -> list[str]:
    """Ids from an unnamed first column (a spreadsheet's row index, 0..N in every file) are row
    numbers, not people: qualified with the file, so two exports never merge respondents.

    Examples
    --------
    >>> per_file("s.csv", [ColumnInfo("column_1", "")], 0, ["0", "1"])
    ['s.csv:0', 's.csv:1']
    """
    if id_j is None or infos[id_j].text.strip():
        return ids
    return [f"{path}:{value}" for value in ids]
