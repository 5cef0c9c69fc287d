"""Choice questions: who answered what, and the metrics of each group of answers.

:func:`choice_shares` gives, per persona (and for all respondents together), the share of
respondents giving each answer of every single- or multiple-choice question, with a Wilson
interval: which channel each persona used, which product they bought. A multiple-choice answer
("Email; Phone") counts towards each option; the shares of such a question can sum past 100%.
Questions with many answers keep their most frequent ones and fold the rest into "Other".

:func:`metrics_by_answer` breaks every closed metric down by the answers of each choice
question with a few answers: the mean rating and recommend share per department, per channel,
per plan. This is where "the Trend department is the weakest" shows, with the evidence (n and
an interval) to judge whether the gap is beyond noise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench import schema
from workbench.ingest.answer_values import yes_no
from workbench.survey import UNASSIGNED, counted_metrics, survey_metrics, wilson_interval
from workbench.survey_questions import POOL, measured_questions, not_averaged

ANSWER = schema.ANSWER
GROUP_QUESTION = "group_question"
GROUP_TEXT = "group_text"
OTHER = "Other"
POOL_IN_RESPONSES = [schema.SOURCE_ID, schema.QUESTION_ID]  # a question, in a responses table
SEP = "\x1f"
EVERYONE = "\x00"  # the persona key of all respondents together, in grouped labels
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


def _choice_questions(questions: pd.DataFrame, kinds=CHOICE_KINDS) -> pd.DataFrame:
    if schema.QUESTION_KIND not in questions.columns:
        return questions.iloc[:0]
    q = questions[questions[schema.QUESTION_KIND].isin(kinds).fillna(False)]
    if schema.QUESTION_TEXT not in q.columns:
        q = q.assign(**{schema.QUESTION_TEXT: q[schema.QUESTION_ID]})
    return q[[schema.SOURCE_ID, schema.QUESTION_ID, schema.QUESTION_TEXT, schema.QUESTION_KIND]]


def _answers(questions: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, choice question and chosen option."""
    q = _choice_questions(questions)
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
    rows = _answers(questions, responses)
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
    groups = _choice_questions(questions, (schema.KIND_CHOICE, schema.KIND_YES_NO))
    measured = measured_questions(questions)
    answers = _answers(groups, responses)
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
    groups = _answers(
        _choice_questions(questions, (schema.KIND_CHOICE, schema.KIND_YES_NO)), responses
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


@dataclass(frozen=True, slots=True)
class SurveyTables:
    """Everything the closed questions say, for one map: see the module docstrings."""

    metrics: pd.DataFrame
    choices: pd.DataFrame
    by_answer: pd.DataFrame
    not_averaged: pd.DataFrame


def survey_tables(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    coded: pd.DataFrame | None = None,
    persona: str | Sequence[str] | None = None,
    stage_metrics: pd.DataFrame | None = None,
    labels: dict[str, str] | None = None,
) -> SurveyTables:
    """Metrics, choice shares and metrics by answer, per persona (``persona`` None: all).

    ``stage_metrics`` (the study's ``metrics.csv`` counts) add conversion and retention rows to
    the metrics; ``coded`` adds, to the breakdowns by answer, what respondents wrote about
    (pain-point categories, named by ``labels``).

    The breakdowns by answer are computed for each persona and for all respondents together
    (``persona`` None in their ``persona`` column).
    """
    metrics = survey_metrics(questions, responses, coded=coded, persona=persona)
    counted = counted_metrics(stage_metrics, persona)
    if not counted.empty:
        metrics = pd.concat([metrics, counted], ignore_index=True) if len(metrics) else counted
    wanted = None if persona is None else ([persona] if isinstance(persona, str) else persona)
    mine = responses
    if wanted is not None:
        mine = responses[responses[schema.PERSONA].isin(wanted)]
    choices = choice_shares(questions, mine)
    if wanted is not None and len(wanted) == 1 and not choices.empty:
        choices = choices[choices[schema.PERSONA].notna()]
    personas = sorted(
        str(p) for p in mine[schema.PERSONA].astype(object).fillna(UNASSIGNED).unique()
    )

    several = len(personas) > 1
    frames = [
        metrics_by_answer(questions, mine, per_persona=several),
        codes_by_answer(coded, questions, mine, labels=labels, per_persona=several),
    ]
    frames = [f for f in frames if not f.empty]
    by_answer = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return SurveyTables(metrics, choices, by_answer, not_averaged(questions))
