"""Evidence behind the journey map: the codable rows, ranked quotes and top goals.

Ranking quotes
--------------
Within a group (a persona × stage cell, or an opportunity) segments are ordered by:

1. **round** – a participant's best segment is in round 0, their second best in round 1, ...:
   no participant is quoted twice before every participant of the group is quoted once;
2. **human first** – within a round, human-coded segments (``code_source == "human"``) come
   before machine codes (a participant's own segments are likewise ordered human first);
3. **score** (0..1, higher first)::

       score = 0.4 * confidence + 0.35 * closeness + 0.25 * length_fit

   ``confidence`` is the stage confidence (human codes without one: 1.0, others 0.5);
   ``closeness = 1 - |sentiment - cell mean| / 2`` (0.5 without a score) prefers quotes that
   represent the cell's mood; ``length_fit`` is 1 for 60–300 characters, ``len/60`` below and
   ``300/len`` above (a quote should be readable on a slide).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench import schema
from workbench.codebook import Codebook
from workbench.errors import ConfigError

UNASSIGNED = "unassigned"
UNSPECIFIED = "unspecified"
NEGATIVE_COMPOUND = -0.05
REQUIRED = (
    schema.SEGMENT_ID,
    schema.PARTICIPANT_ID,
    schema.PERSONA,
    schema.SPEAKER_ROLE,
    schema.STAGE,
    schema.SENTIMENT,
)
W_CONFIDENCE, W_CLOSENESS, W_LENGTH = 0.4, 0.35, 0.25
SWEET_SPOT = (60, 300)
GOAL_CHARS = 80


def _codes(values: pd.Series, order: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Integer codes of ``values`` in ``order`` (unknown values appended, sorted); NA → -1."""
    raw, uniques = pd.factorize(values, use_na_sentinel=True)
    labels = list(order) + sorted(set(map(str, uniques)) - set(order))
    lookup = np.array([labels.index(str(u)) for u in uniques] + [-1], dtype=np.int64)
    return lookup[raw], labels


def _as_bool(frame: pd.DataFrame, column: str, idx: np.ndarray) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(idx), dtype=bool)
    return frame[column].iloc[idx].fillna(False).to_numpy(dtype=bool)


@dataclass
class Codable:
    """The codable rows of a coded table as integer-coded arrays (internal, but reusable)."""

    frame: pd.DataFrame
    positions: np.ndarray
    personas: list[str]
    stages: list[str]
    persona: np.ndarray
    stage: np.ndarray
    participant: np.ndarray
    sentiment: np.ndarray
    negative: np.ndarray
    pain: np.ndarray
    goal: np.ndarray
    human: np.ndarray
    confidence: np.ndarray
    length: np.ndarray
    emotion: np.ndarray
    emotions: list[str]
    category: np.ndarray
    categories: list[str]

    @property
    def cell(self) -> np.ndarray:
        return self.persona * len(self.stages) + self.stage


def codable_rows(
    coded: pd.DataFrame, codebook: Codebook, persona: str | Sequence[str] | None = None
) -> Codable:
    """Select and encode the codable rows (participant speech with a stage) of ``coded``."""
    schema.require(coded, REQUIRED, name="coded")
    personas_all = coded[schema.PERSONA].fillna(UNASSIGNED)
    mask = (coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT).fillna(False).to_numpy(
        dtype=bool
    ) & coded[schema.STAGE].notna().to_numpy()
    wanted: list[str] | None = None
    if persona is not None:
        wanted = [persona] if isinstance(persona, str) else list(persona)
        known = set(pd.unique(personas_all))
        missing = [p for p in wanted if p not in known]
        if missing:
            raise ConfigError(
                f"coded table: persona(s) {missing} not found in column {schema.PERSONA!r} "
                f"(expected one of {sorted(known)})"
            )
        mask &= personas_all.isin(wanted).to_numpy()
    idx = np.flatnonzero(mask)
    persona_codes, personas = _codes(personas_all.iloc[idx], wanted or [])
    if wanted is None:
        personas = sorted(personas)
        persona_codes, personas = _codes(personas_all.iloc[idx], personas)
    stage, stages = _codes(coded[schema.STAGE].iloc[idx], codebook.stage_codes)
    participant, _ = pd.factorize(coded[schema.PARTICIPANT_ID].iloc[idx])
    nulls = participant < 0
    participant[nulls] = participant.max(initial=-1) + 1 + np.arange(int(nulls.sum()))
    best = schema.SENTIMENT_SCORE if schema.SENTIMENT_SCORE in coded.columns else schema.SENTIMENT
    sentiment = coded[best].iloc[idx].to_numpy(dtype=np.float64, na_value=np.nan)
    negative = sentiment <= NEGATIVE_COMPOUND
    if schema.SENTIMENT_LABEL in coded.columns:
        label = coded[schema.SENTIMENT_LABEL].iloc[idx]
        negative = np.where(label.isna(), negative, (label == "negative").fillna(False))
    human = np.zeros(len(idx), dtype=bool)
    if schema.CODE_SOURCE in coded.columns:
        source = coded[schema.CODE_SOURCE].iloc[idx]
        human = (source == schema.SOURCE_HUMAN).fillna(False).to_numpy(dtype=bool)
    confidence = np.full(len(idx), np.nan)
    if schema.STAGE_CONFIDENCE in coded.columns:
        confidence = (
            coded[schema.STAGE_CONFIDENCE].iloc[idx].to_numpy(dtype=np.float64, na_value=np.nan)
        )
    confidence = np.where(np.isnan(confidence), np.where(human, 1.0, 0.5), confidence)
    length = np.zeros(len(idx), dtype=np.int64)
    if schema.TEXT in coded.columns:
        length = coded[schema.TEXT].iloc[idx].str.len().fillna(0).to_numpy(dtype=np.int64)
    empty = pd.Series([None] * len(idx), dtype="string")
    emotion_col = coded[schema.EMOTION].iloc[idx] if schema.EMOTION in coded.columns else empty
    emotion, emotions = _codes(emotion_col, codebook.codes("emotions"))
    pain = _as_bool(coded, schema.PAIN_POINT, idx)
    if schema.PAIN_CATEGORY in coded.columns:
        category_col = coded[schema.PAIN_CATEGORY].iloc[idx]
    else:
        category_col = empty
    category, categories = _codes(category_col, [*codebook.codes("pain_points"), UNSPECIFIED])
    category = np.where(pain & (category < 0), categories.index(UNSPECIFIED), category)
    return Codable(
        frame=coded,
        positions=idx,
        personas=personas,
        stages=stages,
        persona=persona_codes,
        stage=stage,
        participant=participant.astype(np.int64),
        sentiment=sentiment,
        negative=np.asarray(negative, dtype=bool),
        pain=pain,
        goal=_as_bool(coded, schema.GOAL, idx),
        human=human,
        confidence=confidence,
        length=length,
        emotion=emotion,
        emotions=emotions,
        category=category,
        categories=categories,
    )


@dataclass
class Ranking:
    """Rows sorted by group then rank (``order``), the 0-based ``rank`` at each sorted position,
    and the ``score`` of every row."""

    order: np.ndarray
    rank: np.ndarray
    score: np.ndarray


def _sort(key: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Order by int ``key`` ascending, then ``priority`` (0 <= p < 4) descending."""
    if len(key) and int(key.max()) < 2**30:
        # one float sort instead of a two-key lexsort: key * 5 + (4.5 - p) lies in
        # [key * 5 + 0.5, key * 5 + 4.5], so keys never mix and p orders within a key
        return np.argsort(key * 5.0 + (4.5 - np.clip(priority, 0, 4)), kind="stable")
    return np.lexsort((-priority, key))


def group_order(group: np.ndarray, participant: np.ndarray, priority: np.ndarray) -> Ranking:
    """Rank rows within each group: participant rounds first, then ``priority`` (high first).

    Examples
    --------
    >>> r = group_order(np.zeros(3, int), np.array([0, 0, 1]), np.array([0.9, 0.8, 0.1]))
    >>> r.order.tolist()  # participant 1 is quoted before participant 0's second segment
    [0, 2, 1]
    """
    group = np.asarray(group, dtype=np.int64)
    n = len(group)
    width = int(participant.max(initial=0)) + 1
    key = group * width + participant
    first = _sort(key, priority)
    positions = np.arange(n)
    sorted_key = key[first]
    starts = np.r_[True, sorted_key[1:] != sorted_key[:-1]] if n else np.zeros(0, bool)
    rounds = np.empty(n, dtype=np.int64)
    rounds[first] = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    order = _sort(group * (int(rounds.max(initial=0)) + 1) + rounds, priority)
    sorted_group = group[order]
    starts = np.r_[True, sorted_group[1:] != sorted_group[:-1]] if n else np.zeros(0, bool)
    rank = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    return Ranking(order=order, rank=rank, score=priority)


def rank_rows(rows: Codable, cell: np.ndarray, cell_mean: np.ndarray) -> Ranking:
    """Rank the codable rows within their cells (see the module doc for the score)."""
    closeness = 1 - np.abs(rows.sentiment - cell_mean[cell]) / 2
    closeness = np.where(np.isnan(closeness), 0.5, closeness)
    length = rows.length.astype(np.float64)
    low, high = SWEET_SPOT
    fit = np.where(
        length < low, length / low, np.where(length > high, high / np.maximum(length, 1), 1.0)
    )
    score = W_CONFIDENCE * np.clip(rows.confidence, 0, 1) + W_CLOSENESS * closeness + W_LENGTH * fit
    ranking = group_order(cell, rows.participant, rows.human * 2.0 + score)
    ranking.score = score
    return ranking


def format_location(line: Any, start_s: Any) -> str:
    """Human-readable place of a segment in its source: a media time, else a line number.

    Examples
    --------
    >>> format_location(42, None), format_location(7, 192.4), format_location(None, None)
    ('line 42', '00:03:12', '')
    """
    if start_s is not None and not pd.isna(start_s):
        seconds = int(float(start_s))
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if line is not None and not pd.isna(line):
        return f"line {int(line)}"
    return ""


def _column(frame: pd.DataFrame, name: str, positions: np.ndarray) -> list[Any]:
    if name not in frame.columns:
        return [None] * len(positions)
    return frame[name].iloc[positions].astype(object).where(lambda s: s.notna(), None).tolist()


def _quotes(rows: Codable, selected: np.ndarray, rank: np.ndarray, score: np.ndarray) -> dict:
    frame, positions = rows.frame, rows.positions[selected]
    lines, starts = (
        _column(frame, schema.LINE, positions),
        _column(frame, schema.START_S, positions),
    )
    source = _column(frame, schema.CODE_SOURCE, positions)
    return {
        schema.RANK: rank + 1,
        schema.SEGMENT_ID: _column(frame, schema.SEGMENT_ID, positions),
        schema.PARTICIPANT_ID: _column(frame, schema.PARTICIPANT_ID, positions),
        schema.SOURCE_PATH: _column(frame, schema.SOURCE_PATH, positions),
        schema.LOCATION: [format_location(a, b) for a, b in zip(lines, starts, strict=True)],
        schema.TEXT: _column(frame, schema.TEXT, positions),
        schema.SENTIMENT: rows.sentiment[selected],
        schema.EMOTION: [rows.emotions[e] if e >= 0 else None for e in rows.emotion[selected]],
        schema.PAIN_POINT: rows.pain[selected],
        schema.CONFIDENCE: rows.confidence[selected],
        schema.CODE_SOURCE: source,
        schema.SCORE: score[selected],
    }


def evidence_quotes(rows: Codable, ranking: Ranking, *, k: int = 5) -> pd.DataFrame:
    """The top ``k`` quotes of every persona × stage cell (tidy; ``rank`` 1 = best)."""
    keep = ranking.rank < k
    selected = ranking.order[keep]
    persona, stage = rows.persona[selected], rows.stage[selected]
    head = {
        schema.PERSONA: [rows.personas[p] for p in persona],
        schema.STAGE: [rows.stages[s] for s in stage],
        schema.STAGE_ORDER: stage,
    }
    return pd.DataFrame({**head, **_quotes(rows, selected, ranking.rank[keep], ranking.score)})


_SENTENCE = re.compile(r"[^.!?;]+[.!?;]*")
_GOAL_WORDS = re.compile(
    r"\b(want(ed)?|need(ed)?|hop(e|ed|ing)|looking (for|to)|would like|'d like|aim|goal|"
    r"trying to|tried to|had to|has to|must|important|matters?|priority)\b",
    re.I,
)


def _short(text: Any) -> str:
    """A goal as a short, complete statement: the sentence of the quote that states it.

    The first sentence with a wish or need in it ("I just wanted a fixed price."), else the
    first sentence; a sentence longer than :data:`GOAL_CHARS` is cut at a comma or, failing
    that, a word boundary, and marked "…".

    Examples
    --------
    >>> _short("Price, mainly. I wanted a fixed price for the whole contract, nothing else.")
    'I wanted a fixed price for the whole contract, nothing else.'
    """
    text = " ".join(str(text).split()) if isinstance(text, str) else ""
    sentences = [m.group().strip() for m in _SENTENCE.finditer(text) if len(m.group().split()) > 2]
    if sentences:
        text = next((x for x in sentences if _GOAL_WORDS.search(x)), sentences[0])
    if len(text) <= GOAL_CHARS:
        return text
    head = text[: GOAL_CHARS - 1]
    cut = head.rfind(",")
    return (head[:cut] if cut > GOAL_CHARS // 2 else head.rsplit(" ", 1)[0]) + "…"


def specified(rows: Codable) -> np.ndarray:
    """Pain-point segments with a real category: "unspecified" never headlines a list."""
    unspecified = rows.categories.index(UNSPECIFIED) if UNSPECIFIED in rows.categories else -1
    return rows.pain & (rows.category >= 0) & (rows.category != unspecified)


def top_categories(rows: Codable, cell: np.ndarray, n_cells: int, n: int) -> list[list[str]]:
    """Up to ``n`` pain categories per cell, most frequent first (ties: codebook order)."""
    n_cat = len(rows.categories)
    pain = specified(rows)
    key = cell[pain] * n_cat + rows.category[pain]
    counts = np.bincount(key, minlength=n_cells * n_cat).reshape(n_cells, n_cat)
    best = np.argsort(-counts, axis=1, kind="stable")[:, :n]
    return [[rows.categories[j] for j in row if counts[i, j] > 0] for i, row in enumerate(best)]


def top_goal_quotes(rows: Codable, ranking: Ranking, n_cells: int, n: int) -> list[list[str]]:
    """Up to ``n`` short goal quotes per cell, in evidence order (different participants first)."""
    goals = ranking.order[rows.goal[ranking.order]]
    cell = rows.cell[goals]
    positions = np.arange(len(goals))
    starts = np.r_[True, cell[1:] != cell[:-1]] if len(goals) else np.zeros(0, bool)
    keep = positions - np.maximum.accumulate(np.where(starts, positions, 0)) < n
    out: list[list[str]] = [[] for _ in range(n_cells)]
    texts = _column(rows.frame, schema.TEXT, rows.positions[goals[keep]])
    for c, text in zip(cell[keep], texts, strict=True):
        out[c].append(_short(text))
    return out
