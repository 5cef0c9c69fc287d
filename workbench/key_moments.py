"""The key moments of a persona's journey: what a reader should see before the map.

Each moment is a sentence computed from the journey tables, with the evidence behind it:

* the **low point** and the **high point**: the stages with the lowest and highest mean
  sentiment among those with enough evidence (not ``weak_evidence``);
* the **most-cited pain point** across the journey (segments and people);
* the **biggest opportunity** (rank 1: what to fix, where, for how many);
* a **representative quote** from the low point (its best-ranked evidence).

Stages with weak evidence never headline a moment: a stage two people mentioned is not the
persona's low point.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench import schema
from workbench.codebook import Codebook


@dataclass(frozen=True)
class KeyMoment:
    """One sentence about the journey and the evidence count behind it."""

    title: str
    text: str
    evidence: str


def _mine(frame: pd.DataFrame, persona: str) -> pd.DataFrame:
    return frame[frame[schema.PERSONA] == persona]


def key_moments(
    stages: pd.DataFrame,
    opportunities: pd.DataFrame,
    evidence: pd.DataFrame,
    persona: str,
    codebook: Codebook,
) -> list[KeyMoment]:
    """The key moments of ``persona`` (see the module notes); empty lists are fine."""
    stage_label = codebook.labels("stages")
    pain_label = codebook.labels("pain_points")
    strong = _mine(stages, persona)
    strong = strong[~strong[schema.WEAK_EVIDENCE].astype(bool)].dropna(
        subset=[schema.SENTIMENT_MEAN]
    )
    moments: list[KeyMoment] = []

    def stage_moment(title: str, row: pd.Series) -> KeyMoment:
        stage = stage_label.get(row[schema.STAGE], row[schema.STAGE])
        return KeyMoment(
            title,
            f"{stage}: mean sentiment {row[schema.SENTIMENT_MEAN]:+.2f}, "
            f"{row[schema.SHARE_NEGATIVE]:.0%} of segments negative",
            f"{int(row[schema.N_PARTICIPANTS])} participants, {int(row[schema.N_SEGMENTS])} "
            "segments",
        )

    low = None
    if len(strong):
        low = strong.loc[strong[schema.SENTIMENT_MEAN].idxmin()]
        moments.append(stage_moment("Low point", low))
        if len(strong) > 1:
            high = strong.loc[strong[schema.SENTIMENT_MEAN].idxmax()]
            moments.append(stage_moment("High point", high))
    pains = _mine(opportunities, persona)
    if len(pains):
        cited = (
            pains.groupby(schema.PAIN_CATEGORY)[schema.FREQUENCY]
            .sum()
            .sort_values(ascending=False, kind="stable")
        )
        top = cited.index[0]
        mine = pains[schema.PAIN_CATEGORY] == top
        people = int(pains.loc[mine, schema.REACH].max())
        moments.append(
            KeyMoment(
                "Most-cited pain point",
                f"{pain_label.get(top, top)}, across {int(mine.sum())} stage(s)",
                f"{int(cited.iloc[0])} segments; up to {people} people at one stage",
            )
        )
        best = pains.sort_values(schema.RANK, kind="stable").iloc[0]
        pain = pain_label.get(best[schema.PAIN_CATEGORY], best[schema.PAIN_CATEGORY])
        moments.append(
            KeyMoment(
                "Biggest opportunity",
                f"Fix {pain.lower()} at {stage_label.get(best[schema.STAGE], best[schema.STAGE])}",
                f"{int(best[schema.REACH])} people, {int(best[schema.FREQUENCY])} segments",
            )
        )
    if low is not None:
        quotes = _mine(evidence, persona)
        quotes = quotes[quotes[schema.STAGE] == low[schema.STAGE]].sort_values(schema.RANK)
        if len(quotes):
            quote = quotes.iloc[0]
            moments.append(
                KeyMoment(
                    "In their words",
                    f"“{quote[schema.TEXT]}”",
                    f"{quote[schema.PARTICIPANT_ID]}, {quote[schema.SOURCE_PATH]} "
                    f"{quote[schema.LOCATION]}",
                )
            )
    return moments
