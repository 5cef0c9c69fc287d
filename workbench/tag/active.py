"""What to code next: uncertainty first, spread over participants, no near-duplicates.

Active learning asks the researcher to code the segments the model is least sure about, so
every code teaches it something. Pure uncertainty sampling picks clumps of near-identical
segments (the same question answered alike) and over-samples talkative participants; the order
here corrects both:

1. **uncertainty** – margin (``1 - (p1 - p2)``, the default) or entropy of the predicted class
   probabilities; with no model yet, ``1 - stage_confidence`` (the rules' confidence), and with
   no confidence at all a **diverse** cold start (segments nearest to k-means centres);
2. **one per cluster** – picks come in batches of ``batch`` (what gets coded before the model
   is retrained): a batch is the most uncertain segment of each of ``batch`` k-means clusters
   of the ``CANDIDATES × batch`` most uncertain segments not yet picked, so it covers several
   kinds of doubt instead of one (:func:`leader_batches`; up to :data:`MAX_BATCHES` batches
   ahead, then plain uncertainty order);
3. **no near-duplicates** – a candidate whose cosine similarity (word 1–2-gram hashing vectors)
   to an earlier pick is at least ``dup_threshold`` is moved behind all the others;
4. **spread over participants** – within each batch (and then within the rest) picks go in
   rounds, one per participant per round, so nobody gets a second pick while another
   participant still has a segment in it.

The same :func:`select_batch` drives the ``active`` strategy of ``workbench evaluate``
(:mod:`workbench.tag.evaluate`), with the product's TF-IDF features, the model's margin and
batches of about a tenth of the budget. There, on banking77 stages
(``benchmarks/evaluate_banking77.py``, 1,000 codes, seeds 0–8), step 2 raised the macro-F1 of
a model trained on the chosen codes from 0.919 ± 0.006 to 0.926 ± 0.003 (clusters among
3 × or 5 × batch: 0.923), and of the model ``workbench train`` keeps from 0.928 to 0.933.

Examples
--------
>>> import pandas as pd
>>> coded = pd.DataFrame({"segment_id": ["a", "b", "c"], "text": ["x y", "x y", "z w"],
...                       "participant_id": ["1", "1", "2"], "stage_confidence": [0.2, 0.3, 0.9],
...                       "code_source": ["rule", "rule", "rule"]})
>>> next_to_code(coded)
['a', 'c', 'b']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from workbench import schema
from workbench.errors import ConfigError

STRATEGIES = ("active", "random")
UNCERTAINTIES = ("margin", "entropy")
DUP_THRESHOLD = 0.9
WINDOW = 2_000  # at most this many of the most uncertain segments are diversified
BATCH = 20  # segments coded between retrainings: one per cluster
CANDIDATES = 10  # a batch's clusters are made of the CANDIDATES × batch most uncertain
MAX_BATCHES = 10  # batches of cluster leaders ordered ahead (what n asks for, at most this)


def margin_uncertainty(proba: np.ndarray) -> np.ndarray:
    """``1 - (p1 - p2)``: 1 when the top two classes tie, 0 when one class is certain.

    >>> margin_uncertainty(np.array([[0.5, 0.5], [1.0, 0.0]])).tolist()
    [1.0, 0.0]
    """
    proba = np.asarray(proba, dtype=float)
    if proba.ndim != 2 or proba.shape[1] < 2:
        return np.zeros(len(proba)) if proba.ndim == 2 else 1 - np.abs(2 * proba - 1)
    top2 = np.partition(proba, proba.shape[1] - 2, axis=1)[:, -2:]
    return 1.0 - (top2[:, 1] - top2[:, 0])


def entropy_uncertainty(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row, divided by ``log(n_classes)`` (0..1)."""
    proba = np.clip(np.asarray(proba, dtype=float), 1e-12, 1.0)
    if proba.shape[1] < 2:
        return np.zeros(len(proba))
    return -(proba * np.log(proba)).sum(axis=1) / np.log(proba.shape[1])


def text_vectors(texts: Sequence[str], *, n_features: int = 2**18) -> sparse.csr_matrix:
    """L2-normalised word 1–2-gram hashing vectors (no fitting, fast) for duplicate checks."""
    vectorizer = HashingVectorizer(ngram_range=(1, 2), n_features=n_features, alternate_sign=False)
    return vectorizer.transform(["" if t is None else str(t) for t in texts]).tocsr()


def _kmeans(k: int, seed: int) -> MiniBatchKMeans:
    """The k-means of the cold start and of the batches (fit it on L2-normalised rows)."""
    return MiniBatchKMeans(k, random_state=seed, n_init=1, batch_size=1024)


def diverse_seed(X: Any, k: int, *, seed: int = 0) -> np.ndarray:
    """Row indices of ``k`` diverse items: the member nearest to each k-means centre.

    ``X`` is a (sparse) feature matrix; rows are L2-normalised first (spherical k-means).
    """
    n = X.shape[0]
    k = int(min(max(k, 1), n))
    Xn = normalize(X)
    km = _kmeans(k, seed).fit(Xn)
    distances = km.transform(Xn)
    labels = km.labels_
    order = np.argsort(distances[np.arange(n), labels], kind="stable")
    picked: dict[int, int] = {}
    for i in order:
        picked.setdefault(int(labels[i]), int(i))
    chosen = np.array(sorted(picked.values()), dtype=int)
    if len(chosen) < k:  # empty clusters: fill with the items farthest from their centre
        rest = np.setdiff1d(order[::-1], chosen, assume_unique=False)
        chosen = np.concatenate([chosen, rest[: k - len(chosen)]])
    return chosen


def _leaders(candidates: np.ndarray, k: int, vectors: Any, seed: int) -> np.ndarray:
    """Mask over ``candidates``: the first member of each k-means cluster of the first
    ``CANDIDATES × k`` (rows without any word take no part)."""
    mask = np.zeros(len(candidates), dtype=bool)
    head = candidates[: CANDIDATES * max(int(k), 1)]
    rows = vectors[head]
    if sparse.issparse(rows):
        rows = sparse.csr_matrix(rows)
        rows.eliminate_zeros()
        usable = np.diff(rows.indptr) > 0
        rows = rows[usable]
        rows = rows[:, np.unique(rows.indices)]  # the columns these rows use: same geometry, fast
    else:
        rows = np.asarray(rows, dtype=float)
        usable = np.abs(rows).sum(axis=1) > 0
        rows = rows[usable]
    k = min(int(k), rows.shape[0])
    if k < 2 or rows.shape[1] == 0:
        return mask
    with warnings.catch_warnings():  # identical rows can leave fewer distinct clusters than k
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        labels = _kmeans(k, seed).fit(normalize(rows)).labels_
    _, first = np.unique(labels, return_index=True)
    mask[np.flatnonzero(usable)[first]] = True
    return mask


def cluster_leaders(candidates: np.ndarray, k: int, *, vectors: Any, seed: int = 0) -> np.ndarray:
    """Reorder ``candidates`` so the most uncertain member of each of ``k`` clusters leads.

    The first ``CANDIDATES × k`` candidates (most uncertain first) are grouped by spherical
    k-means on their ``vectors`` rows; the first member of each cluster (in candidate order)
    comes first, in candidate order, then every other candidate in its old order. Rows without
    any word (empty texts) are never leaders.

    Parameters
    ----------
    candidates : array of int
        Row positions in ``vectors``, most uncertain first.
    k : int
        Number of clusters (the batch size); below 2 the order is unchanged.
    vectors : matrix
        One row per position (sparse or dense); normalised here.
    seed : int
        Seeds k-means.

    Returns
    -------
    ndarray of int
        The same positions, leaders first; nothing is dropped.

    Examples
    --------
    >>> v = np.array([[1.0, 0.0], [0.99, 0.1], [0.98, 0.2], [0.0, 1.0]])
    >>> cluster_leaders(np.array([0, 1, 2, 3]), 2, vectors=v).tolist()
    [0, 3, 1, 2]
    """
    order, _ = leader_batches(candidates, k, vectors=vectors, batches=1, seed=seed)
    return order


def leader_batches(
    candidates: np.ndarray, k: int, *, vectors: Any, batches: int = 1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates in batches of cluster leaders: each batch is :func:`cluster_leaders` of what
    the earlier batches left.

    Returns
    -------
    order : ndarray of int
        The positions, batch by batch, then the rest in their old order.
    batch : ndarray of int
        Batch number of each position in ``order`` (``batches`` for the rest).

    Examples
    --------
    >>> v = np.array([[1.0, 0.0], [0.99, 0.1], [0.98, 0.2], [0.0, 1.0]])
    >>> order, batch = leader_batches(np.arange(4), 2, vectors=v, batches=2)
    >>> order.tolist(), batch.tolist()
    ([0, 3, 1, 2], [0, 0, 1, 1])
    """
    rest = np.asarray(candidates, dtype=int)
    parts, numbers = [], []
    for number in range(max(int(batches), 0)):
        mask = _leaders(rest, k, vectors, seed)
        if not mask.any():
            break
        parts.append(rest[mask])
        numbers.append(np.full(int(mask.sum()), number))
        rest = rest[~mask]
    parts.append(rest)
    numbers.append(np.full(len(rest), max(int(batches), 0)))
    return np.concatenate(parts).astype(int), np.concatenate(numbers).astype(int)


def select_batch(
    candidates: np.ndarray,
    n: int,
    *,
    vectors: Any = None,
    groups: Sequence[Any] | None = None,
    dup_threshold: float = DUP_THRESHOLD,
    clusters: int | None = None,
    seed: int = 0,
) -> list[int]:
    """Order ``candidates`` (already sorted, most uncertain first) and return the first ``n``.

    Parameters
    ----------
    candidates : array of int
        Row positions, best first.
    n : int
        How many to return.
    vectors : matrix, optional
        Row vectors (sparse or dense, L2-normalised) indexed by position; near-duplicates
        (cosine ``>= dup_threshold``) of an earlier pick go behind all the others.
    groups : sequence, optional
        Group (participant) of each position; one pick per group per round (within each
        batch of cluster leaders, then within the rest).
    clusters : int, optional
        Needs ``vectors`` (ignored without): the picks come in batches of this many cluster
        leaders (:func:`leader_batches`), as many batches as ``n`` needs (at most
        :data:`MAX_BATCHES`), then the rest.
    seed : int
        Seeds the clustering.

    Returns
    -------
    list of int
        At most ``n`` positions.
    """
    candidates = np.asarray(candidates, dtype=int)
    n = min(int(n), len(candidates))
    if n <= 0:
        return []
    batch = np.zeros(len(candidates), dtype=int)
    if clusters is not None and vectors is not None and clusters >= 1:
        batches = min(MAX_BATCHES, -(-n // int(clusters)))
        candidates, batch = leader_batches(
            candidates, clusters, vectors=vectors, batches=batches, seed=seed
        )
    duplicate = np.zeros(len(candidates), dtype=bool)
    if vectors is not None and dup_threshold < 1.0:
        V = vectors[candidates]
        sim = (V @ V.T).tocsr() if sparse.issparse(V) else sparse.csr_matrix(V @ V.T)
        sim.data[sim.data < dup_threshold] = 0
        sim.eliminate_zeros()
        kept = np.zeros(len(candidates), dtype=bool)
        for i in range(len(candidates)):  # a candidate is a duplicate of an earlier kept one
            row = sim.indices[sim.indptr[i] : sim.indptr[i + 1]]
            if kept[row[row < i]].any():
                duplicate[i] = True
            else:
                kept[i] = True
    block = np.where(duplicate, batch.max() + 1, batch)  # duplicates after everything else
    rounds = np.zeros(len(candidates), dtype=int)
    if groups is not None:
        seen: dict[Any, int] = {}
        for j, position in enumerate(candidates):  # earlier picks of this group in this block
            key = (int(block[j]), groups[int(position)])
            rounds[j] = seen.get(key, 0)
            seen[key] = rounds[j] + 1
    final = np.lexsort((np.arange(len(candidates)), rounds, block))
    return [int(candidates[i]) for i in final[:n]]


def next_to_code(
    coded: pd.DataFrame,
    *,
    n: int | None = None,
    model: Any = None,
    proba: np.ndarray | None = None,
    strategy: str = "active",
    uncertainty: str = "margin",
    dup_threshold: float = DUP_THRESHOLD,
    batch: int = BATCH,
    seed: int = 0,
) -> list[str]:
    """Segment ids to code next, best first; rows already coded by a human are left out.

    Parameters
    ----------
    coded : DataFrame
        The coded table (``schema.SEGMENT_ID``, ``schema.TEXT``; optionally
        ``schema.PARTICIPANT_ID``, ``schema.STAGE_CONFIDENCE``, ``schema.CODE_SOURCE``).
    n : int, optional
        How many ids (default: all uncoded). Only the ``max(3 n, WINDOW)`` (at most
        ``3 WINDOW``) most uncertain segments are diversified; the rest follow in uncertainty
        order.
    model : estimator, optional
        Anything with ``predict_proba(texts)``; used when ``proba`` is not given.
    proba : array, optional
        Class probabilities, one row per row of ``coded`` (fastest: nothing is predicted).
    strategy : {"active", "random"}
        ``random`` is a seeded shuffle (the baseline of ``workbench evaluate``).
    uncertainty : {"margin", "entropy"}
    batch : int
        Codes between retrainings: the ids come in batches of the most uncertain segment of
        each of ``batch`` clusters of the ``CANDIDATES × batch`` most uncertain segments left
        (:func:`leader_batches`, at most :data:`MAX_BATCHES` batches; not at a cold start,
        which is diverse already). 1: plain uncertainty order.
    seed : int
        Seeds the random order, the cold start and the clustering.

    Returns
    -------
    list of str
    """
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy {strategy!r} (expected one of {', '.join(STRATEGIES)})")
    if uncertainty not in UNCERTAINTIES:
        raise ConfigError(f"uncertainty {uncertainty!r} (expected {' or '.join(UNCERTAINTIES)})")
    if int(batch) < 1:
        raise ConfigError(f"batch {batch} (expected 1 or more codes between retrainings)")
    schema.require(coded, [schema.SEGMENT_ID, schema.TEXT], name="coded")
    if proba is not None and len(proba) != len(coded):
        raise ConfigError(
            f"proba has {len(proba)} rows for {len(coded)} coded rows (expected one per row)"
        )
    human = np.zeros(len(coded), dtype=bool)
    if schema.CODE_SOURCE in coded.columns:
        human = (coded[schema.CODE_SOURCE].astype("string") == schema.SOURCE_HUMAN).to_numpy(
            dtype=bool, na_value=False
        )
    rows = np.flatnonzero(~human)
    ids = coded[schema.SEGMENT_ID].to_numpy(dtype=object)
    n = len(rows) if n is None else min(int(n), len(rows))
    if n <= 0:
        return []
    if strategy == "random":
        order = np.random.default_rng(seed).permutation(rows)
        return [str(ids[i]) for i in order[:n]]
    texts = coded[schema.TEXT].to_numpy(dtype=object)
    score: np.ndarray | None = None
    if proba is None and model is not None:
        proba = model.predict_proba(list(texts[rows]))
        proba_rows = np.asarray(proba, dtype=float)
    elif proba is not None:
        proba_rows = np.asarray(proba, dtype=float)[rows]
    if proba is not None:
        measure = margin_uncertainty if uncertainty == "margin" else entropy_uncertainty
        score = measure(proba_rows)
    elif schema.STAGE_CONFIDENCE in coded.columns:
        confidence = pd.to_numeric(coded[schema.STAGE_CONFIDENCE], errors="coerce")
        score = 1.0 - confidence.fillna(0.0).to_numpy(dtype=float)[rows]
    window = min(len(rows), max(3 * min(n, WINDOW), WINDOW))
    if score is None:  # cold start: diverse segments first (k-means on small hashing vectors)
        shuffled = np.random.default_rng(seed).permutation(rows)[:window]
        vectors = text_vectors(texts[shuffled], n_features=2**12)
        head = shuffled[diverse_seed(vectors, min(n, window, 200), seed=seed)]
        rest = np.setdiff1d(rows, head)
        order = np.concatenate([head, np.random.default_rng(seed).permutation(rest)])
        local = np.arange(len(order))
        candidates_rows = order
    else:
        # ties (every segment the rules leave blank is equally uncertain) are broken at random,
        # not in file order: a sorted export (Bitext: 300 rows per intent, in intent order) gave
        # 300 codes from 3 of 8 stages and a model right on 26% of the rest
        shuffled = np.random.default_rng(seed).permutation(len(rows))
        candidates_rows = rows[shuffled][np.argsort(-score[shuffled], kind="stable")]
        local = np.arange(len(candidates_rows))
    head_rows = candidates_rows[:window]
    groups = None
    if schema.PARTICIPANT_ID in coded.columns:
        participants = coded[schema.PARTICIPANT_ID].to_numpy(dtype=object)[head_rows]
        groups = [
            p if p is not None and p == p else f"\0row{i}" for i, p in enumerate(participants)
        ]
    picked = select_batch(
        local[:window],
        min(n, window),
        vectors=text_vectors(texts[head_rows]),
        groups=groups,
        dup_threshold=dup_threshold,
        clusters=None if score is None else batch,
        seed=seed,
    )
    order = list(head_rows[picked])
    if len(order) < n:
        chosen = np.zeros(len(coded), dtype=bool)
        chosen[order] = True
        order += [int(r) for r in candidates_rows[~chosen[candidates_rows]][: n - len(order)]]
    return [str(ids[i]) for i in order]
