"""What each column of a survey export holds: its kind, the questions table, closed answers.

A column's kind is the study config's (``kinds``, ``open_questions``, ``scales``) where set,
else what the export's own markers say (Qualtrics ``_TEXT`` columns, SurveyMonkey sub-labels),
else :func:`workbench.ingest.question_kinds.classify` from its header and answers. Uncertain
guesses are warned about with the setting that overrides them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench import schema
from workbench.errors import InputError
from workbench.ingest.answer_values import (
    is_non_answer,
    number,
    scale_label,
    usual_scale,
    value_number,
)
from workbench.ingest.question_kinds import KindGuess, classify, resolve_kind
from workbench.ingest.survey_kinds import TEXT_IQ, ColumnInfo, find_column

if TYPE_CHECKING:  # for annotations only: survey imports this module
    from workbench.ingest.survey import SurveyOptions


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


def _forced(
    path: str, infos: list[ColumnInfo], options: SurveyOptions, warnings: list[str]
) -> dict[int, KindGuess]:
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


def _scales(
    path: str, infos: list[ColumnInfo], options: SurveyOptions, warnings: list[str]
) -> dict[int, str]:
    out = {}
    for name, scale in (options.scales or {}).items():
        j = find_column(infos, name)
        if j is None:
            warnings.append(f"{path}: scales names {name!r}, which is not a column of this file")
        else:
            out[j] = str(scale)
    return out


def _configured_kind(
    path: str, info: ColumnInfo, setting: KindGuess, guess: KindGuess, values: list[str]
) -> KindGuess:
    """The kind the study config sets, with the metric and scale its answers give.

    An ``nps`` setting on answers outside 0–10 is refused: NPS is only computed on its scale.
    """
    answered = [n for n in (number(v) for v in values if not is_non_answer(v)) if n is not None]
    if setting.kind == schema.KIND_NPS:
        if answered and (min(answered) < 0 or max(answered) > 10 or max(answered) <= 5):
            raise InputError(
                path,
                f"survey.kinds sets {info.text!r} to nps, but its answers run from "
                f"{min(answered):g} to {max(answered):g}",
                column=info.text,
                expected="answers on the 0-10 NPS scale; set it to rating (or csat) instead",
            )
        return KindGuess(schema.KIND_NPS, schema.METRIC_NPS, "0-10", declared=True)
    if setting.kind != schema.KIND_RATING:
        same = guess.kind == setting.kind
        return KindGuess(setting.kind, setting.metric or (guess.metric if same else None))
    if guess.kind == schema.KIND_RATING:
        return KindGuess(
            schema.KIND_RATING,
            setting.metric or guess.metric,
            guess.scale,
            guess.unsure,
            guess.declared,
        )
    scale = scale_label(usual_scale(min(answered), max(answered))) if answered else None
    return KindGuess(schema.KIND_RATING, setting.metric, scale)


def kinds_of(
    path: str,
    infos: list[ColumnInfo],
    columns: list[list[str]],
    keep: list[int],
    fixed: dict[int | None, str],
    options: SurveyOptions,
    warnings: list[str],
) -> dict[int, KindGuess]:
    """Each kept column's kind: ``fixed`` ones first (the respondent id and persona columns),
    then the study config's ``kinds``/``open_questions``, then the guess from the answers.

    Uncertain guesses are appended to ``warnings`` with the setting that overrides them.
    """
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
            guess = _configured_kind(path, infos[j], forced[j], guess, values)
        elif guess.unsure:
            warnings.append(
                f"{path}: column {infos[j].text!r} read as {schema.KIND_LABELS[guess.kind]} "
                f"({guess.unsure}); set survey.kinds in study.yml if it is something else"
            )
        kinds[j] = guess
    return kinds


def questions_table(
    infos: list[ColumnInfo],
    columns: list[list[str]],
    keep: list[int],
    kinds: dict[int, KindGuess],
    roles: dict[int | None, str],
) -> pd.DataFrame:
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
            schema.SCALE_DECLARED: np.array([kinds[j].declared for j in keep], dtype=bool),
            schema.N_ANSWERS: np.array([n for n, _, _ in stats], dtype="int64"),
            schema.N_DISTINCT: np.array([d for _, d, _ in stats], dtype="int64"),
            schema.EXAMPLE: pd.array([e for _, _, e in stats], dtype=schema.STRING),
            schema.KIND_NOTE: pd.array([kinds[j].unsure for j in keep], dtype=schema.STRING),
            schema.QUESTION_ROLE: pd.array([roles.get(j) for j in keep], dtype=schema.STRING),
        }
    )


def _numbers(values: np.ndarray, yes_no: np.ndarray) -> np.ndarray:
    """The number each answer stands for, else NaN (one parse per distinct answer and kind):
    yes/no answers are 1/0 where ``yes_no``, ``4/5`` is 4 (see :func:`value_number`)."""
    table: dict[tuple[bool, str], float] = {}
    out = np.empty(len(values), dtype="float64")
    for i, (value, binary) in enumerate(zip(values, yes_no, strict=True)):
        key = (bool(binary), value)
        number = table.get(key)
        if number is None:
            kind = schema.KIND_YES_NO if binary else schema.KIND_RATING
            number = table[key] = value_number(kind, value)
        out[i] = number
    return out


def responses_table(
    closed: list[int],
    columns: list[list[str]],
    ids: list[str],
    personas: list[str | None],
    infos: list[ColumnInfo],
    kinds: dict[int, KindGuess],
) -> pd.DataFrame:
    """The non-blank answers of the closed columns in long format, respondent by respondent.

    The cells are taken from a respondents × questions grid through its mask of non-blank
    cells, whose indices come out in that order: no per-question pieces to concatenate and
    sort.
    """
    n = len(ids)
    mask = np.zeros((n, len(closed)), dtype=bool)
    grid = np.empty((n, len(closed)), dtype=object)
    for k, j in enumerate(closed):
        column = columns[j]
        mask[:, k] = np.fromiter(map(bool, map(str.strip, column)), dtype=bool, count=n)
        grid[:, k] = column
    row_ix, k_ix = np.nonzero(mask)
    del mask
    value = grid[row_ix, k_ix]
    del grid
    binary = np.array([kinds[j].kind == schema.KIND_YES_NO for j in closed], dtype=bool)
    number = _numbers(value, binary[k_ix])
    qids = pd.array([infos[j].qid for j in closed], dtype=schema.STRING)
    return pd.DataFrame(
        {
            schema.RESPONDENT_ID: pd.array(ids, dtype=schema.STRING).take(row_ix),
            schema.PERSONA: pd.array(personas, dtype=schema.STRING).take(row_ix),
            schema.QUESTION_ID: qids.take(k_ix),
            schema.VALUE: pd.array(value, dtype=schema.STRING),
            schema.VALUE_NUM: number,
        }
    )
