"""The survey questions that are measured, resolved over the files they were asked in.

A question is its column id and its text: the same column in several exports (monthly files,
a split download) is one question, measured over all their respondents. Its kind, metric and
scale come from the questions table (:mod:`workbench.ingest.question_kinds`); tables built by
hand with a ``metric`` only get the kind the metric implies. A question that breaks its scale,
or is asked differently in different files, is never averaged and says why
(:func:`not_averaged`).
"""

from __future__ import annotations

import pandas as pd

from workbench import schema
from workbench.ingest.answer_values import parse_scale, scale_family

MIXED = schema.MIXED_SCALE
METRIC_KINDS = {
    schema.METRIC_NPS: schema.KIND_NPS,
    schema.METRIC_CSAT: schema.KIND_RATING,
    schema.METRIC_CES: schema.KIND_RATING,
    schema.METRIC_RECOMMEND: schema.KIND_YES_NO,
    schema.METRIC_RETENTION: schema.KIND_YES_NO,
    schema.METRIC_CONVERSION: schema.KIND_YES_NO,
}
MEASURED = (schema.KIND_NPS, schema.KIND_YES_NO, schema.KIND_RATING, schema.KIND_NUMERIC)


POOL = [schema.QUESTION_ID, schema.QUESTION_TEXT]  # one question, whatever file it is in


def _pool_scale(rows: pd.DataFrame) -> tuple[str | None, str | None]:
    """The scale of one question asked in several files, or why it has none.

    Returns ``(scale, conflict)``. Declared scales (said by the header, the answers or the
    config) must agree; scales inferred from the answers' range widen to the widest of one
    family (1–4 and 1–5 are one 5-point scale; 1–5 and 1–10 are not).
    """
    labels = rows[schema.QUESTION_SCALE]
    declared = rows[schema.SCALE_DECLARED].fillna(False).astype(bool)
    said = set(labels[declared].dropna())
    if len({scale_family(label) for label in labels.dropna()}) > 1 or len(said) > 1:
        return None, "different scales"
    if said:
        return said.pop(), None
    widest = max(labels.dropna(), key=lambda x: (parse_scale(x) or (0, 0))[1], default=None)
    return widest, None


def resolve(questions: pd.DataFrame) -> pd.DataFrame:
    """Questions with kind, metric and scale filled in, resolved over the files they were asked
    in; a question read as different kinds, or on different scales, in different files gets
    scale ``mixed`` and a note saying where."""
    q = questions.copy()
    metric = q[schema.QUESTION_METRIC].astype(object)
    q[schema.QUESTION_METRIC] = metric.where(metric.notna(), None)
    kind = (
        q[schema.QUESTION_KIND].astype(object)
        if schema.QUESTION_KIND in q.columns
        else pd.Series(None, index=q.index, dtype=object)
    )
    q[schema.QUESTION_KIND] = kind.where(kind.notna(), q[schema.QUESTION_METRIC].map(METRIC_KINDS))
    for column in (schema.QUESTION_SCALE, schema.KIND_NOTE, schema.SCALE_DECLARED):
        if column not in q.columns:
            q[column] = None
        q[column] = q[column].astype(object).where(q[column].notna(), None)
    if schema.QUESTION_TEXT not in q.columns:
        q[schema.QUESTION_TEXT] = q[schema.QUESTION_ID]
    where = q[schema.SOURCE_PATH] if schema.SOURCE_PATH in q.columns else q[schema.SOURCE_ID]
    for _, rows in q.groupby(POOL, sort=False):
        if len(rows) < 2:
            continue
        kinds = set(rows[schema.QUESTION_KIND].dropna())
        ratings = rows[rows[schema.QUESTION_KIND] == schema.KIND_RATING]
        scale, conflict = _pool_scale(ratings) if len(ratings) else (None, None)
        if len(kinds) > 1 or conflict:
            listed = "; ".join(
                f"{r[schema.QUESTION_SCALE] or r[schema.QUESTION_KIND]} in {where[i]}"
                for i, r in rows.iterrows()
            )
            q.loc[rows.index, schema.QUESTION_SCALE] = MIXED
            q.loc[rows.index, schema.KIND_NOTE] = f"asked differently in different files: {listed}"
        elif len(ratings):
            q.loc[rows.index, schema.QUESTION_SCALE] = scale
    return q


def measured_questions(questions: pd.DataFrame) -> pd.DataFrame:
    """The questions that feed a metric, with their kind, metric and scale resolved over files
    (see :func:`_resolved`); questions whose scale is ``mixed`` are left out."""
    q = resolve(questions)
    mixed = q[schema.QUESTION_SCALE].eq(MIXED).fillna(False)
    keep = q[schema.QUESTION_KIND].isin(MEASURED).fillna(False) & ~mixed
    columns = [
        schema.SOURCE_ID,
        schema.QUESTION_ID,
        schema.QUESTION_TEXT,
        schema.QUESTION_KIND,
        schema.QUESTION_METRIC,
        schema.QUESTION_SCALE,
    ]
    return q.loc[keep, columns]


def not_averaged(questions: pd.DataFrame) -> pd.DataFrame:
    """Questions whose answers break their scale, in one file or across files, with the reason
    (they are never averaged); one row per question."""
    q = resolve(questions)
    mixed = q[schema.QUESTION_SCALE].eq(MIXED).fillna(False)
    return q.loc[mixed, [*POOL, schema.KIND_NOTE]].drop_duplicates(POOL)
