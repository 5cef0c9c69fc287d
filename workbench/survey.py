"""Closed-question survey metrics with confidence intervals: NPS, CSAT and CES.

Metric questions are found through the questions table (``metric`` = ``nps``, ``csat`` or
``ces``); answers are the numeric values (``value_num``) of the long responses table.

* **NPS** (0–10): ``100 * (share 9–10 − share 0–6)``. Interval: normal approximation with the
  standard NPS variance ``(p_promoters + p_detractors − (p_promoters − p_detractors)²) / n``,
  clipped to [-100, 100] (with one respondent, or all answers alike, the interval is the point).
* **CSAT**: ``csat`` is the percentage of top-two-box answers (4–5 on a 1–5 scale; 6–7 on 1–7;
  9–10 on 0–10 — the scale is the smallest of 5, 7, 10 holding every answer) with a Wilson score
  interval; ``csat_mean`` is the mean answer with a Student-t interval.
* **CES**: ``ces`` is the mean answer on its scale with a Student-t interval, clipped to the
  scale (NaN bounds with fewer than 2 answers). The scale (``scale``, e.g. ``1-7``) is the
  smallest of 1–5, 1–7, 1–10 (0–… when a 0 occurs) holding every answer.

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

CSAT_MEAN = "csat_mean"
SCALE = "scale"
UNASSIGNED = "unassigned"
LEVEL = 0.95
COLUMNS = [
    schema.PERSONA,
    schema.STAGE,
    schema.QUESTION_ID,
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


def _scale(values: pd.Series, metric: str) -> tuple[float, float]:
    if metric == schema.METRIC_NPS:
        return 0.0, 10.0
    top = values.max()
    high = next((s for s in (5.0, 7.0, 10.0) if top <= s), float(top))
    return (0.0 if values.min() < 1 else 1.0), high


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


def _groups(answers: pd.DataFrame, by: list[str], metric: str, scale: tuple[float, float]):
    """One row per group of ``by``: the metric rows of ``answers`` (one answer per respondent)."""
    value = answers[schema.VALUE_NUM]
    low, high = scale
    frame = answers.assign(
        _promoter=value >= 9,
        _detractor=value <= 6,
        _top=value >= high - 1,
    )
    g = frame.groupby(by, dropna=False, sort=True)
    agg = g.agg(
        n=(schema.VALUE_NUM, "size"),
        mean=(schema.VALUE_NUM, "mean"),
        std=(schema.VALUE_NUM, "std"),
        promoters=("_promoter", "sum"),
        detractors=("_detractor", "sum"),
        top=("_top", "sum"),
    ).reset_index()
    n = agg["n"].to_numpy(dtype=np.float64)
    label = f"{low:g}-{high:g}"
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

    mean, std = agg["mean"].to_numpy(dtype=float), agg["std"].to_numpy(dtype=float)
    if metric == schema.METRIC_NPS:
        est, lo, hi = nps(agg["promoters"].to_numpy(), agg["detractors"].to_numpy(), n)
        part(schema.METRIC_NPS, est, lo, hi)
    elif metric == schema.METRIC_CSAT:
        lo, hi = wilson_interval(agg["top"].to_numpy(), n)
        part(schema.METRIC_CSAT, 100 * agg["top"].to_numpy() / n, 100 * lo, 100 * hi)
        part(CSAT_MEAN, mean, *np.clip(mean_interval(mean, std, n), low, high))
    else:
        part(metric, mean, *np.clip(mean_interval(mean, std, n), low, high))
    return parts


def survey_metrics(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    coded: pd.DataFrame | None = None,
    persona: str | Sequence[str] | None = None,
    level: float = LEVEL,
) -> pd.DataFrame:
    """NPS, CSAT and CES per persona (and per stage where answers were coded), tidy.

    Returns
    -------
    pandas.DataFrame
        ``persona, stage, question_id, metric, scale, estimate, ci_low, ci_high,
        n_respondents``; NPS in -100..100, ``csat`` in percent, means on the answer scale.

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
    metrics = questions.loc[
        questions[schema.QUESTION_METRIC]
        .isin([schema.METRIC_NPS, schema.METRIC_CSAT, schema.METRIC_CES])
        .fillna(False),
        [schema.SOURCE_ID, schema.QUESTION_ID, schema.QUESTION_METRIC],
    ]
    answers = responses.merge(metrics, on=[schema.SOURCE_ID, schema.QUESTION_ID])
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
    for (_, question, metric), rows in answers.groupby(
        [schema.SOURCE_ID, schema.QUESTION_ID, schema.QUESTION_METRIC], sort=False
    ):
        scale = _scale(rows[schema.VALUE_NUM], metric)
        stage_rows = staged[staged[schema.QUESTION_ID] == question]
        combos = [(rows, [schema.PERSONA]), (stage_rows, [schema.PERSONA, schema.STAGE])]
        if several:
            combos += [
                (rows.assign(**{schema.PERSONA: None}), [schema.PERSONA]),
                (stage_rows.assign(**{schema.PERSONA: None}), [schema.PERSONA, schema.STAGE]),
            ]
        for frame, by in combos:
            if len(frame):
                parts.extend(
                    p.assign(**{schema.QUESTION_ID: question})
                    for p in _groups(frame, by, metric, scale)
                )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    if schema.STAGE not in out.columns:
        out[schema.STAGE] = None
    out[schema.PERSONA] = (
        out[schema.PERSONA].astype(object).where(out[schema.PERSONA].notna(), None)
    )
    out[schema.STAGE] = out[schema.STAGE].astype(object).where(out[schema.STAGE].notna(), None)
    return out[COLUMNS].reset_index(drop=True)
