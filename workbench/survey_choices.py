"""Choice questions: who answered what, per persona.

:func:`choice_shares` gives, per persona (and for all respondents together), the share of
respondents giving each answer of every single- or multiple-choice question, with a Wilson
interval: which channel each persona used, which product they bought. A multiple-choice answer
("Email; Phone") counts towards each option; the shares of such a question can sum past 100%.
Questions with many answers keep their most frequent ones and fold the rest into "Other".
The helpers here (:func:`who`, the answers of choice questions) serve
:mod:`workbench.survey_breakdowns` too.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench import schema
from workbench.ingest.answer_values import yes_no
from workbench.survey import UNASSIGNED, wilson_interval
from workbench.survey_questions import POOL

ANSWER = schema.ANSWER
GROUP_QUESTION = "group_question"
GROUP_TEXT = "group_text"
OTHER = "Other"
POOL_IN_RESPONSES = [schema.SOURCE_ID, schema.QUESTION_ID]  # a question, in a responses table
WHO = "_who"  # a respondent: their file and id (ids repeat across files)
MENTIONS = schema.METRIC_MENTIONS
SCALE = schema.SCALE
UNSPECIFIED = "unspecified"  # a pain point nobody categorised (workbench.evidence.UNSPECIFIED)
YES, NO = "Yes", "No"
CHOICE_KINDS = (schema.KIND_CHOICE, schema.KIND_MULTI, schema.KIND_YES_NO)
SHARE_COLUMNS = [
    schema.PERSONA,
    schema.QUESTION_ID,
    schema.QUESTION_TEXT,
    ANSWER,
    schema.COUNT,
    schema.SHARE,
    schema.CI_LOW,
    schema.CI_HIGH,
    schema.N_RESPONDENTS,
]
_SPLIT = re.compile(r"\s*[,;]\s*")


def who(frame: pd.DataFrame, column: str = schema.RESPONDENT_ID) -> pd.Series:
    """A respondent key unique across files: the source and the respondent id."""
    return frame[schema.SOURCE_ID].astype(str) + "\x1f" + frame[column].astype(str)


def choice_questions(questions: pd.DataFrame, kinds=CHOICE_KINDS) -> pd.DataFrame:
    if schema.QUESTION_KIND not in questions.columns:
        return questions.iloc[:0]
    q = questions[questions[schema.QUESTION_KIND].isin(kinds).fillna(False)]
    if schema.QUESTION_TEXT not in q.columns:
        q = q.assign(**{schema.QUESTION_TEXT: q[schema.QUESTION_ID]})
    return q[[schema.SOURCE_ID, schema.QUESTION_ID, schema.QUESTION_TEXT, schema.QUESTION_KIND]]


def chosen_answers(questions: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, choice question and chosen option."""
    q = choice_questions(questions)
    if q.empty or schema.VALUE not in responses.columns:
        columns = [*responses.columns, schema.QUESTION_TEXT, schema.QUESTION_KIND, ANSWER]
        return pd.DataFrame(columns=list(dict.fromkeys(columns)))
    rows = responses.merge(q, on=[schema.SOURCE_ID, schema.QUESTION_ID])
    rows = rows.assign(
        **{
            ANSWER: rows[schema.VALUE].astype(object).str.strip(),
            schema.PERSONA: rows[schema.PERSONA].astype(object).fillna(UNASSIGNED),
        }
    )
    binary = rows[schema.QUESTION_KIND] == schema.KIND_YES_NO
    if binary.any():
        said = rows.loc[binary, ANSWER].map(yes_no)
        rows.loc[binary, ANSWER] = said.map({1.0: YES, 0.0: NO}).fillna(rows.loc[binary, ANSWER])
    multi = rows[schema.QUESTION_KIND] == schema.KIND_MULTI
    if multi.any():
        split = rows[multi].assign(**{ANSWER: rows.loc[multi, ANSWER].str.split(_SPLIT)})
        rows = pd.concat([rows[~multi], split.explode(ANSWER)], ignore_index=True)
    rows = rows[rows[ANSWER].astype(bool)]
    rows = rows.assign(**{WHO: who(rows)})
    return rows.drop_duplicates([*POOL, WHO, ANSWER])


def choice_shares(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    persona: str | None = None,
    top: int = 8,
) -> pd.DataFrame:
    """The share of respondents giving each answer, per persona and choice question.

    ``persona`` None rows are all respondents together (present when there are several
    personas). Answers beyond the ``top`` most frequent of a question fold into "Other".

    Examples
    --------
    >>> q = pd.DataFrame({"source_id": ["s"], "question_id": ["ch"], "kind": ["choice"],
    ...                   "question_text": ["Channel"]})
    >>> r = pd.DataFrame({"source_id": "s", "respondent_id": ["1", "2", "3", "4"],
    ...     "persona": "a", "question_id": "ch", "value": ["Phone", "Phone", "Chat", "Phone"]})
    >>> choice_shares(q, r)[["answer", "n", "share"]].values.tolist()
    [['Phone', 3, 75.0], ['Chat', 1, 25.0]]
    """
    rows = chosen_answers(questions, responses)
    if persona is not None:
        rows = rows[rows[schema.PERSONA] == persona]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SHARE_COLUMNS})
    keys = POOL
    frequent = (
        rows.groupby([*keys, ANSWER])
        .size()
        .rename("_n")
        .reset_index()
        .sort_values([*keys, "_n", ANSWER], ascending=[True, True, False, True])
    )
    frequent["_rank"] = frequent.groupby(keys).cumcount()
    kept = frequent[frequent["_rank"] < top][[*keys, ANSWER, "_rank"]]
    rows = rows.merge(kept, on=[*keys, ANSWER], how="left")
    rows[ANSWER] = rows[ANSWER].where(rows["_rank"].notna(), OTHER)
    rows["_rank"] = rows["_rank"].fillna(top)
    rows = rows.drop_duplicates([*keys, WHO, ANSWER])
    frames = [rows]
    if rows[schema.PERSONA].nunique() > 1:
        frames.append(rows.assign(**{schema.PERSONA: None}))
    parts = []
    for frame in frames:
        by = [schema.PERSONA, *keys]
        base = frame.groupby(by, dropna=False)[WHO].nunique().rename("_base")
        counts = (
            frame.groupby([*by, ANSWER, "_rank"], dropna=False)
            .size()
            .rename(schema.COUNT)
            .reset_index()
            .merge(base.reset_index(), on=by, how="left")
        )
        parts.append(counts)
    out = pd.concat(parts, ignore_index=True)
    n = out["_base"].to_numpy(dtype=float)
    k = out[schema.COUNT].to_numpy(dtype=float)
    low, high = wilson_interval(k, n)
    out = out.assign(
        **{
            schema.SHARE: 100 * k / n,
            schema.CI_LOW: 100 * low,
            schema.CI_HIGH: 100 * high,
            schema.N_RESPONDENTS: out["_base"].astype("int64"),
            schema.COUNT: out[schema.COUNT].astype("int64"),
        }
    )
    out["_all"] = out[schema.PERSONA].isna()
    out = out.sort_values(["_all", schema.PERSONA, *keys, "_rank"], na_position="last")
    out[schema.PERSONA] = out[schema.PERSONA].astype(object).where(out[schema.PERSONA].notna())
    return out[SHARE_COLUMNS].reset_index(drop=True)
