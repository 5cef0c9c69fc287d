"""How a persona's map knows what it shows: who is behind it, what is left off, and where its
sentiment comes from.

A reader of a map should see what it does *not* contain: participant segments without a stage
(the machine was unsure and flagged them for review, or a researcher marked them "not
codable"), segments in a language VADER cannot score, and how many sentiment values come from
people, from the study's trained model and from VADER (see
:func:`workbench.tag.pipeline.tag`, which records ``sentiment_source`` per segment).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench import schema
from workbench.tag.language import language_name

SOURCE_WORDS = {
    schema.SOURCE_HUMAN: "human codes",
    schema.SOURCE_MODEL: "the study's trained sentiment model",
    schema.SENTIMENT_VADER: "VADER (English word lists)",
}


@dataclass(frozen=True)
class MapCoverage:
    """What is behind one persona's map, and what is not on it."""

    persona: str
    interviewees: int
    respondents: int
    segments: int
    on_map: int
    needs_review: int
    not_codable: int
    sentiment: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)

    @property
    def unstaged(self) -> int:
        """Participant segments without a stage (not on the map)."""
        return self.segments - self.on_map

    def lines(self) -> list[str]:
        """The facts as sentences a reader can check."""
        out = [
            f"{self.on_map:,} of {self.segments:,} segments are on the map; "
            f"{self.unstaged:,} have no stage ({self.needs_review:,} the machine was unsure "
            f"of and flagged for review, {self.not_codable:,} a researcher marked not "
            f"codable, {self.unstaged - self.needs_review - self.not_codable:,} other)."
        ]
        used = [f"{n:,} from {SOURCE_WORDS[s]}" for s, n in self.sentiment.items() if n]
        if used:
            out.append(f"Sentiment of the segments on the map: {'; '.join(used)}.")
        if self.languages:
            named = ", ".join(f"{n:,} in {language_name(c)}" for c, n in self.languages.items())
            out.append(
                f"Not scored for sentiment, because not in English: {named} "
                "(VADER's word lists are English; code them by hand to include them)."
            )
        return out


def map_coverage(coded: pd.DataFrame, persona: str) -> MapCoverage:
    """The :class:`MapCoverage` of ``persona`` in a coded table.

    Examples
    --------
    >>> coded = pd.DataFrame({
    ...     "persona": ["a"] * 4, "participant_id": ["P1", "P1", "R1", "P1"],
    ...     "source_type": ["interview", "interview", "survey", "interview"],
    ...     "speaker_role": ["participant"] * 4, "stage": ["support", None, "support", None],
    ...     "needs_review": [False, True, False, False],
    ...     "code_source": ["model", "model", "model", "human"],
    ...     "sentiment_source": ["model", "model", "human", "human"],
    ...     "language": [None, "fr", None, None]})
    >>> print("\\n".join(map_coverage(coded, "a").lines()))  # doctest: +NORMALIZE_WHITESPACE
    2 of 4 segments are on the map; 2 have no stage (1 the machine was unsure of and flagged for
    review, 1 a researcher marked not codable, 0 other).
    Sentiment of the segments on the map: 1 from human codes; 1 from the study's trained
    sentiment model.
    Not scored for sentiment, because not in English: 1 in French (VADER's word lists are
    English; code them by hand to include them).
    """
    rows = coded[
        (coded[schema.PERSONA] == persona) & (coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT)
    ]
    staged = rows[schema.STAGE].notna()
    unstaged = rows[~staged]
    review = unstaged[schema.NEEDS_REVIEW].fillna(False).astype(bool)
    human = unstaged[schema.CODE_SOURCE] == schema.SOURCE_HUMAN
    kind = rows[schema.SOURCE_TYPE]
    people = rows[schema.PARTICIPANT_ID]
    sentiment: dict[str, int] = {}
    if schema.SENTIMENT_SOURCE in rows.columns:
        counts = rows.loc[staged, schema.SENTIMENT_SOURCE].value_counts()
        sentiment = {s: int(counts.get(s, 0)) for s in SOURCE_WORDS}
    languages: dict[str, int] = {}
    if schema.LANGUAGE in rows.columns:
        languages = {str(k): int(v) for k, v in rows[schema.LANGUAGE].value_counts().items()}
    return MapCoverage(
        persona=persona,
        interviewees=int(people[kind == schema.SOURCE_INTERVIEW].nunique()),
        respondents=int(people[kind == schema.SOURCE_SURVEY].nunique()),
        segments=len(rows),
        on_map=int(staged.sum()),
        needs_review=int((review & ~human.fillna(False)).sum()),
        not_codable=int(human.fillna(False).sum()),
        sentiment=sentiment,
        languages=languages,
    )
