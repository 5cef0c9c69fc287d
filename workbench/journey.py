"""The journey map model: coded segments → tidy, evidence-backed tables per persona × stage.

:func:`build_journey_map` is the entry point; it returns a :class:`JourneyMap` of tidy frames
that charts and reports read (aggregates only; raw text only in the evidence frames).

Decisions
---------
* **Codable rows.** Only rows with ``speaker_role == participant`` and a stage count. A missing
  persona is grouped as ``UNASSIGNED``. A codable row without a participant id is its own
  participant (one cluster per segment).
* **Grid.** Every persona gets every codebook stage in codebook order (``stage_order``); stages
  outside the codebook follow in sorted order. A stage without evidence has ``n_segments == 0``,
  ``no_evidence`` True and NaN sentiment. ``weak_evidence`` is ``n_participants <
  min_participants`` (so empty stages are weak too).
* **Sentiment interval: cluster bootstrap over participants.** Segments of one participant are
  not independent, so each replicate resamples the cell's *participants* with replacement and
  takes the ratio mean (sum of their segment scores / number of their segments); the interval
  is the percentile interval (default 1,000 replicates, seeded ``numpy`` Generator). A cell with
  one participant falls back to resampling segments (its interval then shows only that person's
  spread; the cell is flagged weak anyway); a cell with one segment has CI = mean. To bound the
  cost, a cell with more than ``max_resample`` (200) participants draws ``max_resample`` per
  replicate and scales the deviations from the mean by ``sqrt(max_resample / m)``
  (m-out-of-n bootstrap; for a mean this matches the full bootstrap's spread).
* ``share_negative`` is the share of the cell's segments with sentiment label ``negative``
  (from the sentiment score ≤ -0.05 where the label is missing). ``n_pain_points`` counts
  segments coded as pain points; ``top_pain_points`` lists up to 3 pain categories
  (``pain_category``; ``"unspecified"`` when not categorised), most frequent first;
  ``top_goals`` lists up to 3 short goal quotes (≤ 80 characters) of the best-ranked goal
  segments, different participants first — the coded table has no goal category.
* ``evidence_ids`` lists every segment behind a row, best evidence first (see
  :mod:`workbench.evidence`). Opportunities and their notes: :mod:`workbench.opportunities`;
  comparing two maps: :mod:`workbench.compare` (both re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench import evidence as ev
from workbench import opportunities as opp
from workbench import schema
from workbench.codebook import Codebook
from workbench.evidence import UNASSIGNED, UNSPECIFIED, Codable, _codes, codable_rows
from workbench.opportunities import OPPORTUNITY_ID, OpportunityNotes

__all__ = [
    "NO_EVIDENCE", "OPPORTUNITY_ID", "UNASSIGNED", "UNSPECIFIED", "VALENCE", "Codable",
    "JourneyMap", "OpportunityNotes", "build_journey_map", "cell_stats", "cluster_bootstrap_ci",
    "codable_rows", "compare_maps", "emotion_mix", "stage_table", "touchpoint_table",
]  # fmt: skip
NO_EVIDENCE = "no_evidence"
VALENCE = "valence"
N_BOOT = 1000
MAX_RESAMPLE = 200
LEVEL = 0.95
TOP_N = 3
DENSE_LIMIT = 50_000_000


def distinct(
    key: np.ndarray, space: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sorted distinct non-negative int ``key`` values (< ``space``), their counts and weight sums.

    Dense counting (``bincount``) when the key space is small, else ``np.unique``.

    >>> distinct(np.array([3, 1, 3]), 4, np.array([1.0, 2.0, 3.0]))
    (array([1, 3]), array([1, 2]), array([2., 4.]))
    """
    if space <= DENSE_LIMIT:
        counts = np.bincount(key, minlength=space)
        keys = np.flatnonzero(counts)
        sums = None if weights is None else np.bincount(key, weights, minlength=space)[keys]
        return keys, counts[keys], sums
    keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return keys, counts, None if weights is None else np.bincount(inverse, weights)


def _replicates(
    packed: np.ndarray,
    start: np.ndarray,
    m: np.ndarray,
    k: np.ndarray,
    mean: np.ndarray,
    n_boot: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Bootstrap means (n_boot × cells): each cell draws k of its m clusters (sum + i·count)."""
    draw = np.repeat(np.arange(len(k)), k)
    itype = np.int32 if len(packed) < 2**31 else np.int64
    base, size = start[draw].astype(itype), m[draw].astype(np.float32)
    top = (m[draw] - 1).astype(itype)
    equal = bool(np.all(k == k[0]))
    offsets = np.concatenate([[0], np.cumsum(k)[:-1]])
    scale = np.sqrt(k / m)
    out = np.empty((n_boot, len(k)))
    chunk = max(1, 2_000_000 // len(draw))
    for at in range(0, n_boot, chunk):
        b = min(chunk, n_boot - at)
        u = rng.random((b, len(draw)), dtype=np.float32)
        u *= size
        idx = u.astype(itype)
        np.minimum(idx, top, out=idx)
        idx += base
        picked = packed[idx]
        z = (
            picked.reshape(b, len(k), -1).sum(axis=2)
            if equal
            else np.add.reduceat(picked, offsets, axis=1)
        )
        out[at : at + b] = mean + (z.real / z.imag - mean) * scale
    return out


def cluster_bootstrap_ci(
    cell: np.ndarray,
    cluster: np.ndarray,
    values: np.ndarray,
    n_cells: int,
    *,
    rng: np.random.Generator,
    n_boot: int = N_BOOT,
    level: float = LEVEL,
    max_resample: int = MAX_RESAMPLE,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of the mean of ``values`` per cell, resampling clusters.

    Parameters
    ----------
    cell, cluster : array of int
        Cell (0 .. n_cells-1) and cluster (participant) code of each value.
    values : array of float
        Values without NaN.
    n_cells : int
        Number of cells; cells without values get NaN.
    rng : numpy.random.Generator
        Source of randomness (seed it for reproducible intervals).
    n_boot, level, max_resample
        Replicates, confidence level, clusters drawn per replicate at most (see module doc).

    Returns
    -------
    (low, high) : arrays of float, one per cell

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> low, high = cluster_bootstrap_ci(np.zeros(4, int), np.arange(4), np.array([0., 1, 0, 1]),
    ...                                  1, rng=rng)
    >>> bool(low[0] < 0.5 < high[0])
    True
    """
    cell = np.asarray(cell, dtype=np.int64)
    cluster = np.asarray(cluster, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    low = np.full(n_cells, np.nan)
    high = np.full(n_cells, np.nan)
    if len(values) == 0:
        return low, high
    width = int(cluster.max()) + 1
    first, _, _ = distinct(cell * width + cluster, n_cells * width)
    single = (np.bincount(first // width, minlength=n_cells) == 1)[cell]
    # cells of one participant: every segment is its own cluster
    cluster = np.where(single, width + np.cumsum(single) - 1, cluster)
    width += int(single.sum())
    pairs, counts, sums = distinct(cell * width + cluster, n_cells * width, values)
    counts = counts.astype(np.float64)
    pair_cell = pairs // width
    m = np.bincount(pair_cell, minlength=n_cells)
    start = np.concatenate([[0], np.cumsum(m)[:-1]])
    mean = np.bincount(pair_cell, weights=sums, minlength=n_cells) / np.maximum(
        np.bincount(pair_cell, weights=counts, minlength=n_cells), 1
    )
    k = np.minimum(m, max_resample)
    present = np.flatnonzero(k)
    estimates = np.empty((n_boot, n_cells))
    packed = sums + 1j * counts  # one gather fetches both
    # capped cells all draw max_resample clusters: a reshape-sum; the others: reduceat
    for block in (present[k[present] == max_resample], present[k[present] < max_resample]):
        if len(block):
            estimates[:, block] = _replicates(
                packed, start[block], m[block], k[block], mean[block], n_boot, rng
            )
    alpha = (1 - level) / 2
    low[present], high[present] = np.quantile(estimates[:, present], [alpha, 1 - alpha], axis=0)
    # guard against float noise: the interval always contains the point estimate
    low[present] = np.minimum(low[present], mean[present])
    high[present] = np.maximum(high[present], mean[present])
    return low, high


def cell_stats(
    cell: np.ndarray,
    n_cells: int,
    participant: np.ndarray,
    sentiment: np.ndarray,
    negative: np.ndarray,
    pain: np.ndarray,
    *,
    rng: np.random.Generator,
    n_boot: int = N_BOOT,
    max_resample: int = MAX_RESAMPLE,
) -> dict[str, np.ndarray]:
    """Counts, reach, sentiment mean with bootstrap interval and shares per cell."""
    n = np.bincount(cell, minlength=n_cells)
    width = int(participant.max(initial=0)) + 1
    pairs, _, _ = distinct(cell * width + participant, n_cells * width)
    reach = np.bincount(pairs // width, minlength=n_cells)
    valid = ~np.isnan(sentiment)
    total = np.bincount(cell[valid], weights=sentiment[valid], minlength=n_cells)
    n_valid = np.bincount(cell[valid], minlength=n_cells)
    low, high = cluster_bootstrap_ci(
        cell[valid],
        participant[valid],
        sentiment[valid],
        n_cells,
        rng=rng,
        n_boot=n_boot,
        max_resample=max_resample,
    )
    n_pain = np.bincount(cell, weights=pain, minlength=n_cells).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            schema.N_SEGMENTS: n,
            schema.N_PARTICIPANTS: reach,
            schema.SENTIMENT_MEAN: np.where(n_valid > 0, total / n_valid, np.nan),
            schema.SENTIMENT_CI_LOW: low,
            schema.SENTIMENT_CI_HIGH: high,
            schema.SHARE_NEGATIVE: np.bincount(cell, weights=negative, minlength=n_cells) / n,
            schema.N_PAIN_POINTS: n_pain,
            schema.SHARE_PAIN_POINT: n_pain / n,
        }


def _grid(rows: Codable, stats: dict[str, np.ndarray], min_participants: int) -> pd.DataFrame:
    n_stages = len(rows.stages)
    out = pd.DataFrame(
        {
            schema.PERSONA: np.repeat(rows.personas, n_stages),
            schema.STAGE: np.tile(rows.stages, len(rows.personas)),
            schema.STAGE_ORDER: np.tile(np.arange(n_stages), len(rows.personas)),
            **stats,
        }
    )
    out[schema.WEAK_EVIDENCE] = out[schema.N_PARTICIPANTS] < min_participants
    out[NO_EVIDENCE] = out[schema.N_SEGMENTS] == 0
    return out


def _split(ids: np.ndarray, cell: np.ndarray, n_cells: int) -> list[list[str]]:
    """Ids grouped by cell (``cell`` sorted ascending), one list per cell 0..n_cells-1."""
    bounds = np.searchsorted(cell, np.arange(1, n_cells))
    return [part.tolist() for part in np.split(ids, bounds)]


def stage_table(
    rows: Codable,
    *,
    rng: np.random.Generator,
    min_participants: int = 3,
    n_boot: int = N_BOOT,
    order: ev.Ranking | None = None,
) -> pd.DataFrame:
    """The persona × stage table (every codebook stage for every persona)."""
    n_cells = len(rows.personas) * len(rows.stages)
    cell = rows.cell
    stats = cell_stats(
        cell,
        n_cells,
        rows.participant,
        rows.sentiment,
        rows.negative,
        rows.pain,
        rng=rng,
        n_boot=n_boot,
    )
    out = _grid(rows, stats, min_participants)
    order = order or ev.rank_rows(rows, cell, stats[schema.SENTIMENT_MEAN])
    ids = rows.frame[schema.SEGMENT_ID].to_numpy(dtype=object)[rows.positions]
    out[schema.TOP_PAIN_POINTS] = ev.top_categories(rows, cell, n_cells, TOP_N)
    out[schema.TOP_GOALS] = ev.top_goal_quotes(rows, order, n_cells, TOP_N)
    out[schema.N_GOALS] = np.bincount(cell[rows.goal], minlength=n_cells)[: len(out)]
    out[schema.EVIDENCE_IDS] = _split(ids[order.order], cell[order.order], n_cells)
    return out


def touchpoint_table(
    rows: Codable,
    codebook: Codebook,
    *,
    rng: np.random.Generator,
    min_participants: int = 3,
    n_boot: int = N_BOOT,
    order: ev.Ranking | None = None,
) -> pd.DataFrame:
    """The persona × stage × touchpoint table (a segment counts once per touchpoint it names)."""
    frame = rows.frame
    if schema.TOUCHPOINTS in frame.columns:
        lists = pa.array(frame[schema.TOUCHPOINTS].iloc[rows.positions], from_pandas=True)
        if not pa.types.is_list(lists.type) and not pa.types.is_large_list(lists.type):
            lists = pa.array([[]] * len(rows.positions), type=pa.list_(pa.string()))
    else:
        lists = pa.array([[]] * len(rows.positions), type=pa.list_(pa.string()))
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy()
    flat = pd.Series(lists.flatten().to_pandas(), dtype="string")
    touch, touches = _codes(flat, codebook.codes("touchpoints"))
    row = np.repeat(np.arange(len(rows.positions)), lengths)
    keep = touch >= 0
    row, touch = row[keep], touch[keep]
    n_t = len(touches)
    n_cells = len(rows.personas) * len(rows.stages) * n_t
    cell = rows.cell[row] * n_t + touch
    stats = cell_stats(
        cell,
        n_cells,
        rows.participant[row],
        rows.sentiment[row],
        rows.negative[row],
        rows.pain[row],
        rng=rng,
        n_boot=n_boot,
    )
    n_grid = len(rows.personas) * len(rows.stages)
    out = pd.DataFrame(
        {
            schema.PERSONA: np.repeat(rows.personas, len(rows.stages) * n_t),
            schema.STAGE: np.tile(np.repeat(rows.stages, n_t), len(rows.personas)),
            schema.STAGE_ORDER: np.tile(
                np.repeat(np.arange(len(rows.stages)), n_t), n_grid // max(len(rows.stages), 1)
            ),
            schema.TOUCHPOINT: np.tile(touches, n_grid),
            **stats,
        }
    )
    out[schema.WEAK_EVIDENCE] = out[schema.N_PARTICIPANTS] < min_participants
    out[NO_EVIDENCE] = out[schema.N_SEGMENTS] == 0
    rank = np.empty(len(rows.positions), dtype=np.int64)
    if order is not None:
        rank[order.order] = np.arange(len(order.order))
    else:
        rank[:] = np.arange(len(rows.positions))
    sort = np.lexsort((rank[row], cell))
    ids = rows.frame[schema.SEGMENT_ID].to_numpy(dtype=object)[rows.positions]
    out[schema.EVIDENCE_IDS] = _split(ids[row[sort]], cell[sort], n_cells)
    return out


def emotion_mix(rows: Codable, codebook: Codebook) -> pd.DataFrame:
    """Tidy persona × stage × emotion counts; ``share`` of the cell's emotion-coded segments."""
    n_stages, n_e = len(rows.stages), len(rows.emotions)
    n_cells = len(rows.personas) * n_stages
    coded = rows.emotion >= 0
    key = rows.cell[coded] * n_e + rows.emotion[coded]
    count = np.bincount(key, minlength=n_cells * n_e).reshape(n_cells, n_e)
    total = count.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, count / total, 0.0)
    valence = codebook.valence
    return pd.DataFrame(
        {
            schema.PERSONA: np.repeat(rows.personas, n_stages * n_e),
            schema.STAGE: np.tile(np.repeat(rows.stages, n_e), len(rows.personas)),
            schema.STAGE_ORDER: np.tile(np.repeat(np.arange(n_stages), n_e), len(rows.personas)),
            schema.EMOTION: np.tile(rows.emotions, n_cells),
            VALENCE: np.tile([valence.get(e, "neutral") for e in rows.emotions], n_cells),
            schema.COUNT: count.ravel(),
            schema.SHARE: share.ravel(),
        }
    )


@dataclass
class JourneyMap:
    """An evidence-backed journey map: tidy frames plus the codebook it was built with."""

    stages: pd.DataFrame
    touchpoints: pd.DataFrame
    emotions: pd.DataFrame
    evidence: pd.DataFrame
    opportunities: pd.DataFrame
    survey: pd.DataFrame
    codebook_hash: str
    opportunity_evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Choice answers per persona (:func:`workbench.survey_choices.choice_shares`).
    survey_choices: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Metrics per answer of each choice question, per persona and for everyone (persona
    #: None) (:func:`workbench.survey_choices.metrics_by_answer`).
    survey_by_answer: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Rating questions whose answers break their scale (never averaged).
    survey_not_averaged: pd.DataFrame = field(default_factory=pd.DataFrame)
    min_participants: int = 3
    warnings: list[str] = field(default_factory=list)


def build_journey_map(
    coded: pd.DataFrame,
    codebook: Codebook,
    *,
    questions: pd.DataFrame | None = None,
    responses: pd.DataFrame | None = None,
    stage_metrics: pd.DataFrame | None = None,
    persona: str | Sequence[str] | None = None,
    min_participants: int = 3,
    seed: int = 0,
    k: int = 5,
    n_boot: int = N_BOOT,
    notes: dict[str, str] | None = None,
) -> JourneyMap:
    """Build the journey map of ``coded`` (every persona, or only ``persona``).

    ``questions``/``responses`` (survey tables) and ``stage_metrics`` (``metrics.csv``) give
    the survey measures. ``k`` quotes per cell go into ``evidence``; ``notes`` (opportunity
    id → note, e.g. ``OpportunityNotes(project).notes()``) fill the opportunities' ``note``
    column.

    Examples
    --------
    >>> from workbench.codebook import builtin_codebook
    >>> coded = pd.DataFrame({"segment_id": ["s1"], "participant_id": ["P1"],
    ...     "persona": ["a"], "speaker_role": ["participant"], "stage": ["support"],
    ...     "sentiment": [-0.5]})
    >>> jm = build_journey_map(coded, builtin_codebook())
    >>> row = jm.stages.set_index("stage").loc["support"]
    >>> int(row["n_segments"]), float(row["sentiment_ci_low"]), bool(row["weak_evidence"])
    (1, -0.5, True)
    """
    rng = np.random.default_rng(seed)
    rows = codable_rows(coded, codebook, persona)
    n_cells = len(rows.personas) * len(rows.stages)
    means = np.bincount(rows.cell, weights=np.nan_to_num(rows.sentiment), minlength=n_cells)
    means = means / np.maximum(
        np.bincount(rows.cell, weights=~np.isnan(rows.sentiment), minlength=n_cells), 1
    )
    order = ev.rank_rows(rows, rows.cell, means)
    stages = stage_table(
        rows, rng=rng, min_participants=min_participants, n_boot=n_boot, order=order
    )
    touch = touchpoint_table(
        rows, codebook, rng=rng, min_participants=min_participants, n_boot=n_boot, order=order
    )
    negative = {e for e, v in codebook.valence.items() if v == "negative"}
    opportunities, opp_evidence = opp.opportunities(
        rows, order, negative, min_participants=min_participants, k=k, notes=notes
    )
    survey = None
    if (questions is not None and responses is not None) or stage_metrics is not None:
        from workbench.survey_tables import survey_tables  # imports scipy: only when needed

        survey = survey_tables(
            questions if questions is not None else schema.empty_frame(schema.QUESTIONS),
            responses if responses is not None else schema.empty_frame(schema.RESPONSES),
            coded=coded,
            persona=persona,
            stage_metrics=stage_metrics,
            labels={c.code: c.label for c in codebook.pain_points},
        )
    warnings = []
    if schema.CODEBOOK_HASH in coded.columns:
        hashes = set(coded[schema.CODEBOOK_HASH].dropna().unique()) - {codebook.hash}
        if hashes:
            warnings.append(
                f"coded table: rows coded with codebook(s) {sorted(hashes)}, map built with "
                f"{codebook.hash}; re-run `workbench tag` to refresh the codes"
            )
    return JourneyMap(
        stages=stages,
        touchpoints=touch,
        emotions=emotion_mix(rows, codebook),
        evidence=ev.evidence_quotes(rows, order, k=k),
        opportunities=opportunities,
        survey=survey.metrics if survey else pd.DataFrame(),
        survey_choices=survey.choices if survey else pd.DataFrame(),
        survey_by_answer=survey.by_answer if survey else pd.DataFrame(),
        survey_not_averaged=survey.not_averaged if survey else pd.DataFrame(),
        codebook_hash=codebook.hash,
        opportunity_evidence=opp_evidence,
        min_participants=min_participants,
        warnings=warnings,
    )


def compare_maps(
    a: JourneyMap | pd.DataFrame, b: JourneyMap | pd.DataFrame, *, threshold: float = 0.15
) -> pd.DataFrame:
    """Compare two maps; see :func:`workbench.compare.compare_maps`."""
    from workbench.compare import compare_maps as compare

    return compare(a, b, threshold=threshold)
