"""The coding queue: which segments to code, in which order (pure functions over arrays).

The coding widget works on *positions* (row numbers of the coded frame). This module computes
them once per change of order or filter, vectorized, so a click never re-filters the whole
frame:

* :func:`codable_positions` – participant turns and answers (interviewer rows are context only);
* :func:`order_positions` – ``"active"`` (active-learning order from
  :func:`workbench.tag.active.next_to_code` when that module is present, else
  :func:`fallback_order`) or ``"source"`` (file order);
* :func:`filter_positions` – keep an order's positions that pass a :class:`Filters`.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"segment_id": ["a", "b", "c", "d"],
...     "participant_id": ["P1", "P1", "P2", "P2"], "speaker_role": ["participant"] * 4,
...     "stage_confidence": [0.1, 0.2, 0.9, 0.3], "source_path": ["x", "x", "y", "y"],
...     "turn": [1, 2, 1, 2]})
>>> fallback_order(frame, codable_positions(frame)).tolist()
[0, 3, 1, 2]
>>> filter_positions(frame, [0, 3, 1, 2], Filters(participant="P2")).tolist()
[3, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench import schema
from workbench.errors import ConfigError

ORDERS = ("active", "source")
DEFAULT_THRESHOLD = 0.6
TIE_SEED = 0  # the shuffle that breaks ties between equally confident segments
ACTIVE_POOL = 1_000  # least confident segments ordered by next_to_code; the rest follow


@dataclass(frozen=True)
class Filters:
    """What the researcher wants to see; ``None`` / ``False`` means "no restriction".

    Attributes
    ----------
    persona, participant, source, stage : str, optional
        Keep rows whose persona, participant id, source path or *proposed* stage equals this.
    not_coded : bool
        Keep segments the current coder has not coded yet.
    needs_review : bool
        Keep low-confidence proposals (``needs_review`` or stage confidence < threshold).
    """

    persona: str | None = None
    participant: str | None = None
    source: str | None = None
    stage: str | None = None
    not_coded: bool = False
    needs_review: bool = False


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    return frame[name].astype(object).where(frame[name].notna(), None).to_numpy(dtype=object)


def codable_positions(frame: pd.DataFrame) -> np.ndarray:
    """Positions of rows that are evidence (``speaker_role == participant``), in frame order."""
    if schema.SPEAKER_ROLE not in frame.columns:
        return np.arange(len(frame))
    role = frame[schema.SPEAKER_ROLE].astype("string").to_numpy(dtype=object, na_value="")
    return np.flatnonzero(role == schema.ROLE_PARTICIPANT)


def low_confidence_mask(frame: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """True where a proposal needs a human look: ``needs_review`` or confidence < threshold.

    A missing confidence counts as low.
    """
    flag = np.zeros(len(frame), dtype=bool)
    if schema.NEEDS_REVIEW in frame.columns:
        flag = frame[schema.NEEDS_REVIEW].astype("boolean").to_numpy(dtype=bool, na_value=False)
    if schema.STAGE_CONFIDENCE in frame.columns:
        confidence = pd.to_numeric(frame[schema.STAGE_CONFIDENCE], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        flag = flag | ~(confidence >= threshold)
    return flag


def source_order(frame: pd.DataFrame, positions: Sequence[int]) -> np.ndarray:
    """``positions`` sorted by source path, turn, character offset, then row (file order)."""
    positions = np.asarray(positions, dtype=int)
    keys = [positions]  # ties (e.g. survey answers of one turn) keep frame order
    for name in (schema.CHAR_START, schema.TURN):
        if name in frame.columns:
            keys.append(
                pd.to_numeric(frame[name], errors="coerce").fillna(-1).to_numpy()[positions]
            )
    source = pd.factorize(_column(frame, schema.SOURCE_PATH)[positions], sort=True)[0]
    keys.append(source)
    return positions[np.lexsort(keys)] if len(positions) else positions


def fallback_order(frame: pd.DataFrame, positions: Sequence[int]) -> np.ndarray:
    """Least confident first, spread over participants (one per participant per round).

    Also the pool :func:`active_order` draws from. Ties are broken by a seeded shuffle, not in
    file order: on a sorted export that the rules leave blank (every segment equally unsure),
    file order put only the first 1,000 rows, 4 of 27 intents, in the pool.
    """
    positions = np.asarray(positions, dtype=int)
    if not len(positions):
        return positions
    positions = positions[np.random.default_rng(TIE_SEED).permutation(len(positions))]
    confidence = np.zeros(len(positions))
    if schema.STAGE_CONFIDENCE in frame.columns:
        values = pd.to_numeric(frame[schema.STAGE_CONFIDENCE], errors="coerce")
        confidence = values.fillna(0.0).to_numpy(dtype=float)[positions]
    by_confidence = positions[np.argsort(confidence, kind="stable")]
    people = pd.Series(_column(frame, schema.PARTICIPANT_ID)[by_confidence]).fillna("")
    rounds = people.groupby(people, sort=False).cumcount().to_numpy()
    return by_confidence[np.argsort(rounds, kind="stable")]


def active_order(
    frame: pd.DataFrame, positions: Sequence[int], *, pool: int = ACTIVE_POOL
) -> np.ndarray:
    """Active-learning order of ``positions`` (``next_to_code``), falling back gracefully.

    The ``pool`` least confident segments (by :func:`fallback_order`) are ordered by
    :func:`workbench.tag.active.next_to_code` (uncertainty, no near-duplicates, spread over
    participants); the rest follow in :func:`fallback_order`, so opening stays fast on 100k
    segments. Segments ``next_to_code`` leaves out (already human-coded rows) go last.
    """
    positions = np.asarray(positions, dtype=int)
    try:
        from workbench.tag.active import next_to_code
    except ImportError:
        return fallback_order(frame, positions)
    ordered = fallback_order(frame, positions)
    head, tail = ordered[:pool], ordered[pool:]
    subset = frame.iloc[np.sort(head)]
    ids = next_to_code(subset)
    picked = pd.Index(subset[schema.SEGMENT_ID].astype(object)).get_indexer(ids)
    chosen = np.sort(head)[picked[picked >= 0]]
    left = np.setdiff1d(head, chosen)
    return np.concatenate([chosen, tail, source_order(frame, left)]).astype(int)


def order_positions(frame: pd.DataFrame, order: str = "active") -> np.ndarray:
    """All codable positions in the requested order (``"active"`` or ``"source"``)."""
    if order not in ORDERS:
        raise ConfigError(f"coding order {order!r} (expected one of {', '.join(ORDERS)})")
    positions = codable_positions(frame)
    return active_order(frame, positions) if order == "active" else source_order(frame, positions)


def filter_positions(
    frame: pd.DataFrame,
    order: Sequence[int],
    filters: Filters,
    *,
    coded: np.ndarray | None = None,
    low_confidence: np.ndarray | None = None,
    columns: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The positions of ``order`` that pass ``filters``, order kept.

    Parameters
    ----------
    frame : DataFrame
        The coded frame.
    order : sequence of int
        Positions in coding order.
    filters : Filters
    coded : bool array, optional
        One per frame row: already coded by the current coder (for ``not_coded``).
    low_confidence : bool array, optional
        One per frame row (for ``needs_review``); default :func:`low_confidence_mask`.
    columns : dict, optional
        Precomputed object arrays of the filtered columns (the widget caches them).
    """
    order = np.asarray(order, dtype=int)
    keep = np.ones(len(order), dtype=bool)
    columns = columns or {}
    wanted = {
        schema.PERSONA: filters.persona,
        schema.PARTICIPANT_ID: filters.participant,
        schema.SOURCE_PATH: filters.source,
        schema.STAGE: filters.stage,
    }
    for name, value in wanted.items():
        if value is not None:
            values = columns.get(name)
            if values is None:
                values = _column(frame, name)
            keep &= values[order] == value
    if filters.not_coded and coded is not None:
        keep &= ~np.asarray(coded, dtype=bool)[order]
    if filters.needs_review:
        flags = low_confidence_mask(frame) if low_confidence is None else low_confidence
        keep &= np.asarray(flags, dtype=bool)[order]
    return order[keep]


def choices(frame: pd.DataFrame, name: str, positions: Sequence[int] | None = None) -> list[str]:
    """Sorted distinct non-missing values of a column (over ``positions`` when given)."""
    values = _column(frame, name)
    if positions is not None:
        values = values[np.asarray(positions, dtype=int)]
    return sorted({str(v) for v in values if v is not None})
