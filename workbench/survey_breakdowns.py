"""Every closed measure, and what respondents wrote about, by the answers of choice questions.

:func:`metrics_by_answer` breaks every closed measure down by the answers of each choice
question with a few answers: the mean rating and recommend share per department, per channel,
per plan. :func:`codes_by_answer` does the same for what respondents wrote (the pain points of
those who would not recommend). :func:`extremes` gives each breakdown's lowest and highest
group and whether they differ beyond noise. This is where "the Trend department is the weakest"
and "returns are a detractor pain point" show, with n and an interval to judge them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import schema
from workbench.survey import UNASSIGNED, survey_metrics, wilson_interval
from workbench.survey_choices import (
    ANSWER,
    GROUP_QUESTION,
    GROUP_TEXT,
    MENTIONS,
    POOL_IN_RESPONSES,
    SCALE,
    UNSPECIFIED,
    WHO,
    choice_questions,
    chosen_answers,
    who,
)
from workbench.survey_questions import POOL, measured_questions

SEP = "\x1f"
EVERYONE = "\x00"  # the persona key of all respondents together, in grouped labels


def _without_derived(regrouped: pd.DataFrame) -> pd.DataFrame:
    """Drop the measures that the grouping question is computed from: when no answer value of a
    scale measure (NPS, a rating: at most 11 values) occurs in two groups (Qualtrics'
    ``Q1_NPS_GROUP`` against ``Q1``), the breakdown only restates the grouping ("detractors
    have an NPS of -100"). Amounts (spend, counts) rarely repeat and are always kept. Judged
    on everyone's groups (labels of :func:`_group_labels`)."""
    everyone = regrouped[regrouped[schema.PERSONA].str.startswith(EVERYONE)]
    derived = []
    for key, rows in everyone.groupby(POOL_IN_RESPONSES, sort=False):
        values = rows[[schema.VALUE_NUM, schema.PERSONA]].dropna().drop_duplicates()
        if (
            values[schema.VALUE_NUM].nunique() <= 11
            and values[schema.PERSONA].nunique() > 1
            and values[schema.VALUE_NUM].is_unique
        ):
            derived.append(key)
    if not derived:
        return regrouped
    drop = pd.MultiIndex.from_tuples(derived, names=POOL_IN_RESPONSES)
    return regrouped[~pd.MultiIndex.from_frame(regrouped[POOL_IN_RESPONSES]).isin(drop)]


def _group_labels(rows: pd.DataFrame, per_persona: bool) -> pd.DataFrame:
    """``rows`` (one per respondent and answer) labelled ``<persona or everyone> SEP answer``:
    everyone's rows, then (``per_persona``) each persona's, for one grouped computation."""
    everyone = rows.assign(_label=EVERYONE + SEP + rows[ANSWER].astype(str))
    if not per_persona:
        return everyone
    persona = rows[schema.PERSONA].astype(object).fillna(UNASSIGNED).astype(str)
    return pd.concat([everyone, rows.assign(_label=persona + SEP + rows[ANSWER].astype(str))])


def _split_labels(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Undo :func:`_group_labels`: the ``persona`` (None for everyone) and ``answer`` columns."""
    split = [str(label).partition(SEP) for label in frame[column]]
    return frame.drop(columns=[column]).assign(
        **{
            schema.PERSONA: [None if p == EVERYONE else p for p, _, _ in split],
            ANSWER: [answer for _, _, answer in split],
        }
    )


def metrics_by_answer(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    per_persona: bool = False,
    max_answers: int = 12,
    min_respondents: int = 5,
) -> pd.DataFrame:
    """Every closed metric broken down by the answers of each choice question.

    A choice question qualifies with 2 to ``max_answers`` distinct answers; groups with fewer
    than ``min_respondents`` respondents are left out. Rows are for all respondents
    (``persona`` None) and, with ``per_persona``, within each persona too; one
    :func:`~workbench.survey.survey_metrics` call per choice question computes them all.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`workbench.survey.survey_metrics` plus ``group_question`` and
        ``group_text`` (the choice question) and ``answer`` (the group); stage is always None.
    """
    groups = choice_questions(questions, (schema.KIND_CHOICE, schema.KIND_YES_NO))
    measured = measured_questions(questions)
    answers = chosen_answers(groups, responses)
    keys, uniques = pd.factorize(who(responses))  # respondent keys as integers, once
    position = pd.Index(uniques)
    parts = []
    for (question, text), rows in answers.groupby(POOL, sort=False):
        if not 2 <= rows[ANSWER].nunique() <= max_answers:
            continue
        other = (measured[schema.QUESTION_ID] != question) | (
            measured[schema.QUESTION_TEXT] != text
        )
        targets = measured[other]
        if targets.empty:
            continue
        rows = rows.drop_duplicates(WHO)
        rows = rows.assign(_key=position.get_indexer(rows[WHO]))
        labelled = _group_labels(rows, per_persona)
        inside = np.isin(keys, rows["_key"].to_numpy())
        mine = responses.iloc[np.flatnonzero(inside)].assign(_key=keys[inside])
        regrouped = mine.drop(columns=[schema.PERSONA]).merge(
            labelled[["_key", "_label"]], on="_key"
        )
        regrouped = regrouped.assign(  # one respondent counts once per label it falls under
            **{schema.RESPONDENT_ID: regrouped["_label"] + SEP + regrouped[schema.RESPONDENT_ID]}
        )
        regrouped = _without_derived(regrouped.rename(columns={"_label": schema.PERSONA}))
        frame = survey_metrics(targets, regrouped.drop(columns=["_key"]))
        frame = frame[frame[schema.PERSONA].notna()]
        if frame.empty:
            continue
        frame = _split_labels(frame, schema.PERSONA)
        parts.append(frame.assign(**{GROUP_QUESTION: question, GROUP_TEXT: text}))
    if not parts:
        return pd.DataFrame(columns=[GROUP_QUESTION, GROUP_TEXT, ANSWER, schema.METRIC])
    out = pd.concat(parts, ignore_index=True)
    out = out[out[schema.N_RESPONDENTS] >= min_respondents]
    return out.drop(columns=[schema.STAGE]).reset_index(drop=True)


def codes_by_answer(
    coded: pd.DataFrame,
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    column: str = schema.PAIN_CATEGORY,
    labels: dict[str, str] | None = None,
    per_persona: bool = False,
    top: int = 8,
    max_answers: int = 12,
    min_respondents: int = 5,
) -> pd.DataFrame:
    """What respondents wrote, by what they answered: per answer of each choice question, the
    share of respondents whose open answers were coded to each of the ``top`` commonest codes
    of ``column`` (pain-point categories by default), with a Wilson interval.

    This is where "returns are a detractor pain point" shows: the share of respondents who do
    not recommend and wrote about returns, against those who do. The base is the respondents
    of each group with an open answer (those who wrote nothing cannot have written about it).
    Rows have the columns of :func:`metrics_by_answer` with ``metric`` ``mentions`` and
    ``question_text`` the code's label.
    """
    needed = [schema.SOURCE_ID, schema.PARTICIPANT_ID, column]
    if coded is None or any(c not in coded.columns for c in needed):
        return pd.DataFrame(columns=[GROUP_QUESTION, GROUP_TEXT, ANSWER, schema.METRIC])
    survey = coded
    if schema.SOURCE_TYPE in coded.columns:
        survey = coded[(coded[schema.SOURCE_TYPE] == schema.SOURCE_SURVEY).fillna(False)]
    wrote = set(who(survey, schema.PARTICIPANT_ID))  # respondents with an open answer
    said = survey.loc[survey[column].notna() & (survey[column] != UNSPECIFIED), needed]
    said = said.assign(**{WHO: who(said, schema.PARTICIPANT_ID)})[[WHO, column]]
    said = said.drop_duplicates()
    codes = said[column].value_counts().head(top).index.tolist()
    groups = chosen_answers(
        choice_questions(questions, (schema.KIND_CHOICE, schema.KIND_YES_NO)), responses
    )
    labels = labels or {}
    parts = []
    for (question, text), rows in groups.groupby(POOL, sort=False):
        if not 2 <= rows[ANSWER].nunique() <= max_answers:
            continue
        writers = _group_labels(rows[rows[WHO].isin(wrote)], per_persona)
        base = writers.groupby("_label")[WHO].nunique()  # of those who wrote, the share...
        base = base[base >= min_respondents]
        mine = said.merge(writers[[WHO, "_label"]], on=WHO)
        for code in codes:
            k = (
                mine[mine[column] == code]
                .groupby("_label")[WHO]
                .nunique()
                .reindex(base.index, fill_value=0)
            )
            n = base.to_numpy(dtype=float)
            low, high = wilson_interval(k.to_numpy(dtype=float), n)
            parts.append(
                pd.DataFrame(
                    {
                        GROUP_QUESTION: question,
                        GROUP_TEXT: text,
                        "_label": base.index,
                        schema.QUESTION_ID: f"{column}:{code}",
                        schema.QUESTION_TEXT: labels.get(code, str(code)),
                        schema.METRIC: MENTIONS,
                        SCALE: schema.SHARE_SCALE,
                        schema.ESTIMATE: 100 * k.to_numpy() / n,
                        schema.CI_LOW: 100 * low,
                        schema.CI_HIGH: 100 * high,
                        schema.N_RESPONDENTS: base.to_numpy(dtype="int64"),
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=[GROUP_QUESTION, GROUP_TEXT, ANSWER, schema.METRIC])
    return _split_labels(pd.concat(parts, ignore_index=True), "_label")


def extremes(by_answer: pd.DataFrame) -> pd.DataFrame:
    """The lowest and highest group of each (choice question, metric) pair, when they differ
    beyond noise (their intervals do not overlap).

    Returns one row per pair with ``low_answer``, ``low_estimate``, ``high_answer``,
    ``high_estimate`` and ``separated`` (intervals apart).
    """
    rows = []
    keys = [GROUP_QUESTION, GROUP_TEXT, schema.QUESTION_ID, schema.QUESTION_TEXT, schema.METRIC]
    for key, frame in by_answer.groupby(keys, sort=False):
        if len(frame) < 2:
            continue
        low = frame.loc[frame[schema.ESTIMATE].idxmin()]
        high = frame.loc[frame[schema.ESTIMATE].idxmax()]
        separated = bool(
            np.isfinite(low[schema.CI_HIGH])
            and np.isfinite(high[schema.CI_LOW])
            and low[schema.CI_HIGH] < high[schema.CI_LOW]
        )
        rows.append(
            dict(
                zip(keys, key, strict=True),
                low_answer=low[ANSWER],
                low_estimate=float(low[schema.ESTIMATE]),
                low_n=int(low[schema.N_RESPONDENTS]),
                high_answer=high[ANSWER],
                high_estimate=float(high[schema.ESTIMATE]),
                high_n=int(high[schema.N_RESPONDENTS]),
                separated=separated,
            )
        )
    return pd.DataFrame(rows)
