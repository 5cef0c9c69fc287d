"""Closed-question survey metrics with confidence intervals, each on its own scale.

Which metric a question feeds comes from the questions table (``kind``, ``metric``, ``scale``,
see :mod:`workbench.ingest.question_kinds`); answers are the numbers (``value_num``) of the long
responses table.

* **NPS** (0–10 questions only): ``100 * (share 9–10 − share 0–6)``. Interval: normal
  approximation with the standard NPS variance ``(p_promoters + p_detractors − (p_promoters −
  p_detractors)²) / n``, clipped to [-100, 100].
* **Yes/no**: the percentage answering yes (``recommend``, ``retention``, ``conversion`` where
  the question is one, else ``yes_share``) with a Wilson score interval.
* **Ratings**: the mean answer on the question's scale with a Student-t interval (clipped to the
  scale), and the top-two-box percentage (4–5 on 1–5, 6–7 on 1–7, 9–10 on 0–10) with a Wilson
  interval. A satisfaction question's are ``csat`` (top-2-box) and ``csat_mean``; an effort
  question's mean is ``ces``; any other rating's are ``rating_top2`` and ``rating_mean``. A
  question whose answers break their scale (``scale`` ``mixed``) is never averaged: see
  :func:`not_averaged`.
* **Numbers** (age, counts): the mean with a Student-t interval (``mean``).

Rows: every persona (``persona`` NaN ⇒ ``"unassigned"``) and, when several personas are present,
all respondents together (``persona`` None). **Per stage**: a respondent whose open answers were
coded to a stage (survey segments of the coded table: same ``source_id``, ``participant_id`` =
``respondent_id``) counts once towards each stage their answers were coded to; stage rows carry
the stage code, the others ``stage`` None.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench import schema
from workbench.ingest.answer_values import parse_scale, usual_scale
from workbench.ingest.stage_metrics import LABEL, METRICS_FILE, SUCCESSES, TOTAL
from workbench.survey_questions import POOL, measured_questions

CSAT_MEAN = schema.METRIC_CSAT_MEAN
RATING_MEAN = schema.METRIC_RATING_MEAN
RATING_TOP2 = schema.METRIC_RATING_TOP2
YES_SHARE = schema.METRIC_YES_SHARE
MEAN = schema.METRIC_MEAN
SCALE = schema.SCALE
UNASSIGNED = "unassigned"
LEVEL = 0.95
COLUMNS = [
    schema.PERSONA,
    schema.STAGE,
    schema.QUESTION_ID,
    schema.QUESTION_TEXT,
    schema.METRIC,
    SCALE,
    schema.ESTIMATE,
    schema.CI_LOW,
    schema.CI_HIGH,
    schema.N_RESPONDENTS,
]


def nps(promoters: np.ndarray, detractors: np.ndarray, n: np.ndarray, level: float = LEVEL):
    """NPS and its normal-approximation interval from counts (vectorised).

    Examples
    --------
    >>> est, low, high = nps(np.array([5]), np.array([2]), np.array([10]))
    >>> float(est[0]), bool(low[0] < 30 < high[0])
    (30.0, True)
    """
    n = np.asarray(n, dtype=np.float64)
    p, d = np.asarray(promoters) / n, np.asarray(detractors) / n
    estimate = p - d
    se = np.sqrt(np.maximum(p + d - estimate**2, 0) / n)
    z = stats.norm.ppf(0.5 + level / 2)
    return (
        100 * estimate,
        np.clip(100 * (estimate - z * se), -100, 100),
        np.clip(100 * (estimate + z * se), -100, 100),
    )


def wilson_interval(successes: np.ndarray, n: np.ndarray, level: float = LEVEL):
    """Wilson score interval of a proportion (vectorised; bounds in 0..1).

    Examples
    --------
    >>> low, high = wilson_interval(np.array([8]), np.array([10]))
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (0.49, 0.943)
    """
    n = np.asarray(n, dtype=np.float64)
    p = np.asarray(successes) / n
    z = stats.norm.ppf(0.5 + level / 2)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def mean_interval(mean: np.ndarray, std: np.ndarray, n: np.ndarray, level: float = LEVEL):
    """Student-t interval of a mean from mean, sample std and n (NaN where n < 2)."""
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
        half = t * np.asarray(std) / np.sqrt(n)
    return mean - half, mean + half


def _scale(values: pd.Series, kind: str, label: object) -> tuple[float, float] | None:
    """The scale a question's measures are on: NPS 0–10, a rating's label (or the usual scale
    of its answers when the table has none), nothing for other kinds."""
    if kind == schema.KIND_NPS:
        return 0.0, 10.0
    if kind != schema.KIND_RATING:
        return None
    declared = parse_scale(label)
    if declared:
        return declared
    low, high = usual_scale(float(values.min()), float(values.max()))
    return float(low), float(high)


def stage_links(coded: pd.DataFrame) -> pd.DataFrame:
    """Distinct (source_id, respondent_id, stage) of coded survey answers."""
    columns = [schema.SOURCE_ID, schema.PARTICIPANT_ID, schema.STAGE]
    if any(c not in coded.columns for c in columns):
        return pd.DataFrame(columns=[schema.SOURCE_ID, schema.RESPONDENT_ID, schema.STAGE])
    mask = coded[schema.STAGE].notna() & coded[schema.PARTICIPANT_ID].notna()
    if schema.SPEAKER_ROLE in coded.columns:
        mask &= (coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT).fillna(False)
    if schema.SOURCE_TYPE in coded.columns:
        mask &= (coded[schema.SOURCE_TYPE] == schema.SOURCE_SURVEY).fillna(False)
    links = coded.loc[mask, columns].drop_duplicates()
    return links.rename(columns={schema.PARTICIPANT_ID: schema.RESPONDENT_ID})


def _groups(answers: pd.DataFrame, by: list[str], kind: str, metric, scale):
    """One row per group of ``by`` and metric: the rows of ``answers`` (one per respondent)."""
    value = answers[schema.VALUE_NUM]
    high = scale[1] if scale else np.inf
    frame = answers.assign(
        _promoter=value >= 9, _detractor=value <= 6, _top=value >= high - 1, _yes=value >= 1
    )
    agg = (
        frame.groupby(by, dropna=False, sort=True)
        .agg(
            n=(schema.VALUE_NUM, "size"),
            mean=(schema.VALUE_NUM, "mean"),
            std=(schema.VALUE_NUM, "std"),
            promoters=("_promoter", "sum"),
            detractors=("_detractor", "sum"),
            top=("_top", "sum"),
            yes=("_yes", "sum"),
        )
        .reset_index()
    )
    n = agg["n"].to_numpy(dtype=np.float64)
    label = (
        "yes/no"
        if kind == schema.KIND_YES_NO
        else (f"{scale[0]:g}-{scale[1]:g}" if scale else None)
    )
    parts = []

    def part(name: str, estimate, ci_low, ci_high) -> None:
        parts.append(
            agg[by].assign(
                **{
                    schema.METRIC: name,
                    SCALE: label,
                    schema.ESTIMATE: estimate,
                    schema.CI_LOW: ci_low,
                    schema.CI_HIGH: ci_high,
                    schema.N_RESPONDENTS: agg["n"].to_numpy(dtype=np.int64),
                }
            )
        )

    def share(name: str, successes: np.ndarray) -> None:
        lo, hi = wilson_interval(successes, n)
        part(name, 100 * successes / n, 100 * lo, 100 * hi)

    mean, std = agg["mean"].to_numpy(dtype=float), agg["std"].to_numpy(dtype=float)
    interval = mean_interval(mean, std, n)
    if scale:
        interval = np.clip(interval, *scale)
    if kind == schema.KIND_NPS:
        part(schema.METRIC_NPS, *nps(agg["promoters"].to_numpy(), agg["detractors"].to_numpy(), n))
    elif kind == schema.KIND_YES_NO:
        share(metric if isinstance(metric, str) else YES_SHARE, agg["yes"].to_numpy())
    elif kind == schema.KIND_NUMERIC:
        part(MEAN, mean, *interval)
    elif metric == schema.METRIC_CES:
        part(schema.METRIC_CES, mean, *interval)
    elif metric == schema.METRIC_CSAT:
        share(schema.METRIC_CSAT, agg["top"].to_numpy())
        part(CSAT_MEAN, mean, *interval)
    else:
        share(RATING_TOP2, agg["top"].to_numpy())
        part(RATING_MEAN, mean, *interval)
    return parts


def survey_metrics(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    coded: pd.DataFrame | None = None,
    persona: str | Sequence[str] | None = None,
    level: float = LEVEL,
) -> pd.DataFrame:
    """Every closed metric per persona (and per stage where answers were coded), tidy.

    Returns
    -------
    pandas.DataFrame
        ``persona, stage, question_id, question_text, metric, scale, estimate, ci_low,
        ci_high, n_respondents``; NPS in -100..100, shares in percent, means on the answer
        scale.

    Examples
    --------
    >>> q = pd.DataFrame({"source_id": ["s"], "question_id": ["Q1"], "metric": ["nps"]})
    >>> r = pd.DataFrame({"source_id": "s", "respondent_id": [str(i) for i in range(10)],
    ...     "persona": "a", "question_id": "Q1", "value_num": [10] * 5 + [8] * 3 + [2] * 2})
    >>> survey_metrics(q, r)[["metric", "estimate", "n_respondents"]].values.tolist()
    [['nps', 30.0, 10]]
    """
    schema.require(
        questions, [schema.SOURCE_ID, schema.QUESTION_ID, schema.QUESTION_METRIC], name="questions"
    )
    schema.require(
        responses,
        [
            schema.SOURCE_ID,
            schema.RESPONDENT_ID,
            schema.PERSONA,
            schema.QUESTION_ID,
            schema.VALUE_NUM,
        ],
        name="responses",
    )
    measured = measured_questions(questions)
    answers = responses.merge(measured, on=[schema.SOURCE_ID, schema.QUESTION_ID])
    answers = answers[answers[schema.VALUE_NUM].notna()].copy()
    answers[schema.PERSONA] = answers[schema.PERSONA].astype(object).fillna(UNASSIGNED)
    if persona is not None:
        wanted = [persona] if isinstance(persona, str) else list(persona)
        answers = answers[answers[schema.PERSONA].isin(wanted)]
    answers = answers.drop_duplicates([schema.SOURCE_ID, schema.RESPONDENT_ID, schema.QUESTION_ID])
    staged = (
        answers.merge(stage_links(coded), on=[schema.SOURCE_ID, schema.RESPONDENT_ID])
        if (coded is not None)
        else answers.iloc[:0].assign(**{schema.STAGE: None})
    )
    several = answers[schema.PERSONA].nunique() > 1
    parts: list[pd.DataFrame] = []
    for (question, text), rows in answers.groupby(POOL, sort=False):
        first = rows.iloc[0]
        kind, metric = first[schema.QUESTION_KIND], first[schema.QUESTION_METRIC]
        scale = _scale(rows[schema.VALUE_NUM], kind, first[schema.QUESTION_SCALE])
        stage_rows = staged[
            (staged[schema.QUESTION_ID] == question) & (staged[schema.QUESTION_TEXT] == text)
        ]
        combos = [(rows, [schema.PERSONA]), (stage_rows, [schema.PERSONA, schema.STAGE])]
        if several:
            combos += [
                (rows.assign(**{schema.PERSONA: None}), [schema.PERSONA]),
                (stage_rows.assign(**{schema.PERSONA: None}), [schema.PERSONA, schema.STAGE]),
            ]
        for frame, by in combos:
            if len(frame):
                parts.extend(
                    p.assign(**{schema.QUESTION_ID: question, schema.QUESTION_TEXT: text})
                    for p in _groups(frame, by, kind, metric, scale)
                )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    if schema.STAGE not in out.columns:
        out[schema.STAGE] = None
    out[schema.PERSONA] = _objects(out[schema.PERSONA])
    out[schema.STAGE] = _objects(out[schema.STAGE])
    return out[COLUMNS].reset_index(drop=True)


def _objects(column: pd.Series) -> pd.Series:
    """A column as Python objects with None for missing values (never NA or NaN)."""
    return column.astype(object).where(column.notna(), None)


def counted_metrics(
    stage_metrics: pd.DataFrame | None, persona: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The study's own counts (``metrics.csv``: conversion, retention) as metric rows.

    Each row is a share with a Wilson interval, in the columns of :func:`survey_metrics`
    (``question_id`` is ``metrics.csv``, ``question_text`` the row's label or its metric, read
    as words). Rows with no persona count for all customers (``persona`` None) and are kept
    whichever ``persona`` is asked for.

    Examples
    --------
    >>> counts = pd.DataFrame({"persona": ["a"], "stage": ["renewal"], "metric": ["retention"],
    ...                        "successes": [80], "total": [100], "label": [None]})
    >>> row = counted_metrics(counts).iloc[0]
    >>> row["metric"], row["question_text"], float(row["estimate"]), int(row["n_respondents"])
    ('retention', 'Retention (%)', 80.0, 100)
    """
    if stage_metrics is None or stage_metrics.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame = stage_metrics
    if persona is not None:
        wanted = [persona] if isinstance(persona, str) else list(persona)
        frame = frame[frame[schema.PERSONA].isin(wanted) | frame[schema.PERSONA].isna()]
    k = frame[SUCCESSES].to_numpy(dtype=float)
    n = frame[TOTAL].to_numpy(dtype=float)
    low, high = wilson_interval(k, n)
    label = _objects(frame[LABEL])
    metric = frame[schema.METRIC].astype(object)
    named = metric.map(lambda m: schema.METRIC_LABELS.get(m, str(m).replace("_", " ").capitalize()))
    out = pd.DataFrame(
        {
            schema.PERSONA: _objects(frame[schema.PERSONA]),
            schema.STAGE: _objects(frame[schema.STAGE]),
            schema.QUESTION_ID: METRICS_FILE,
            schema.QUESTION_TEXT: label.where(label.notna(), named),
            schema.METRIC: metric,
            SCALE: schema.SHARE_SCALE,
            schema.ESTIMATE: 100 * k / n,
            schema.CI_LOW: 100 * low,
            schema.CI_HIGH: 100 * high,
            schema.N_RESPONDENTS: frame[TOTAL].to_numpy(dtype="int64"),
        }
    )
    return out[COLUMNS].reset_index(drop=True)
