"""Everything a map's closed survey questions say, per persona: measures, choices, breakdowns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench import schema
from workbench.survey import UNASSIGNED, counted_metrics, survey_metrics
from workbench.survey_breakdowns import codes_by_answer, metrics_by_answer
from workbench.survey_choices import choice_shares
from workbench.survey_questions import not_averaged


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
