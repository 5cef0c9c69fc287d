"""``workbench evaluate``: how good would auto-coding be if I coded N segments?

The answer is a simulation on any labelled CSV. The labelled rows are split into a *pool* (the
segments a researcher could code) and a held-out *test* set. Coding starts from a small seed set
and proceeds in batches chosen by the strategy, retraining after each batch, until the budget is
spent; after every batch the model is scored on the test set (the learning curve).

* ``random`` – seed and batches drawn at random (what coding in file order roughly gives);
* ``active`` – a diverse seed (the segment nearest each k-means centre) then, per batch, the
  most uncertain pool segment (by margin) of each of ``batch`` k-means clusters of the
  ``CANDIDATES × batch`` most uncertain, near-duplicates moved back
  (:func:`workbench.tag.active.select_batch`, which also orders the coding widget's queue,
  there on word hashing vectors, in batches of 20, with participants taking turns).

Between batches a fast stand-in is retrained: the product's features and classifier
(:func:`workbench.tag.models.text_features`, :func:`workbench.tag.models.make_classifier`), the
vectoriser fitted once on the pool texts and each retraining restricted to the columns seen in
the coded rows. The **final** point is the model ``workbench train`` would keep:
:func:`workbench.tag.models.fit_model` on the coded rows with the uncoded pool rows as the
study's uncoded segments, choosing by cross-validation between the codes alone and self-training
on the uncoded rows too (:mod:`workbench.tag.semi`), as ``train`` does.
With ``baseline="vader"`` the model also gets VADER's four scores as features (as the product's
sentiment model does) and VADER alone is scored on the same test rows.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.preprocessing import normalize

from workbench import schema
from workbench.errors import ConfigError, InputError, ModelError
from workbench.tag import active
from workbench.tag.models import (
    DEFAULT_C,
    VADER_COLUMNS,
    fit_model,
    make_classifier,
    single_blas_thread,
    text_features,
)
from workbench.tag.semi import uncoded_positions

STRATEGIES = ("random", "active")
BASELINES = (None, "vader")
SEED_FRACTION = 0.3  # share of the budget spent on the diverse seed set ...
MAX_SEED = 100  # ... up to this many (banking77: best at 100, 300 and 1,000 codes)
MIN_SEED = 10
BATCHES = 10  # the budget after the seed set is coded in about this many batches
_SENTIMENT_NAMES = {
    "negative": "negative",
    "neg": "negative",
    "-1": "negative",
    "0": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "positive": "positive",
    "pos": "positive",
    "1": "positive",
    "+1": "positive",
}


def _scores(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, float]:
    with np.errstate(all="ignore"):
        kappa = cohen_kappa_score(y_true, y_pred)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "kappa": float(kappa),
    }


class _Linear:
    """Logistic regression on the columns present in the coded rows, predicting on all rows."""

    def __init__(self, X: sparse.csr_matrix, y: np.ndarray, C: float, keep: np.ndarray) -> None:
        cols = np.union1d(np.unique(X.indices), keep)
        with single_blas_thread(), warnings.catch_warnings():
            # early in a learning curve many classes have one code: expected, not a problem
            warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
            clf = make_classifier(C).fit(X[:, cols], y)
        self.classes = clf.classes_
        coef, intercept = clf.coef_, clf.intercept_
        if len(self.classes) == 2:  # sigmoid(z) == softmax([-z/2, z/2])
            coef = np.vstack([-coef, coef]) / 2
            intercept = np.r_[-intercept, intercept] / 2
        self.W = np.zeros((X.shape[1], len(self.classes)))
        self.W[cols] = coef.T
        self.b = intercept

    def proba(self, X: sparse.csr_matrix) -> np.ndarray:
        z = np.asarray(X @ self.W) + self.b
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: sparse.csr_matrix) -> np.ndarray:
        return self.classes[self.proba(X).argmax(axis=1)]


def _vader(texts: Sequence[str]) -> pd.DataFrame:
    from workbench.tag.sentiment import VaderScorer

    return VaderScorer().score(list(texts), workers=1)


def simulate(
    pool_texts: Sequence[str],
    pool_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    *,
    budget: int = 300,
    strategy: str = "active",
    seed: int = 0,
    vader_features: bool = False,
    C: float = DEFAULT_C,
) -> dict[str, Any]:
    """Simulate coding ``budget`` pool items with ``strategy``; score on the test items.

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1``, ``kappa`` (final model on the test set), ``n_train``,
        ``n_test``, ``learning_curve`` (one ``{n_train, accuracy, macro_f1, kappa}`` per
        retraining), ``final_model`` (see below) and ``labelled`` (pool positions coded, in
        coding order).

    Notes
    -----
    Between batches a fast stand-in is retrained (logistic regression on features of the whole
    pool). The **final** point is the model ``workbench train`` would keep
    (:func:`workbench.tag.models.fit_model` with the uncoded pool items as uncoded texts);
    ``final_model`` says whether it learned from them (``learned_from_uncoded``), their number,
    the cross-validated macro-F1 of both candidates, and the stand-in's scores
    (``fast_estimate``). It is None when the codes were too few to cross-validate.
    """
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy {strategy!r} (expected one of {', '.join(STRATEGIES)})")
    y_pool = np.asarray([str(v) for v in pool_labels], dtype=object)
    y_test = np.asarray([str(v) for v in test_labels], dtype=object)
    n_pool = len(y_pool)
    if len(set(y_pool)) < 2:
        raise ConfigError(f"labels: only {sorted(set(y_pool))} in the pool (expected 2 or more)")
    budget = int(min(max(budget, 2), n_pool))
    features = text_features().fit(list(pool_texts))
    X_pool = features.transform(list(pool_texts)).tocsr()
    X_test = features.transform(list(test_texts)).tocsr()
    keep = np.array([], dtype=int)
    extra: list[np.ndarray] | None = None
    if vader_features:
        extra = [_vader(t)[list(VADER_COLUMNS)].to_numpy(float) for t in (pool_texts, test_texts)]
        mean, sd = extra[0].mean(axis=0), extra[0].std(axis=0) + 1e-9
        X_pool, X_test = (
            sparse.hstack([X, sparse.csr_matrix((e - mean) / sd)]).tocsr()
            for X, e in zip((X_pool, X_test), extra, strict=True)
        )
        keep = np.arange(X_pool.shape[1] - len(VADER_COLUMNS), X_pool.shape[1])
    rng = np.random.default_rng(seed)
    n_seed = min(budget, max(MIN_SEED, min(MAX_SEED, round(SEED_FRACTION * budget))))
    if budget >= n_pool:
        labelled = list(range(n_pool))
    elif strategy == "active":
        labelled = [int(i) for i in active.diverse_seed(X_pool, n_seed, seed=seed)]
    else:
        labelled = [int(i) for i in rng.choice(n_pool, n_seed, replace=False)]
    batch = max(1, int(np.ceil((budget - len(labelled)) / BATCHES)))
    vectors = normalize(X_pool) if strategy == "active" else None
    curve: list[dict[str, Any]] = []
    while True:
        is_labelled = np.zeros(n_pool, dtype=bool)
        is_labelled[labelled] = True
        if len(set(y_pool[labelled])) < 2:  # a model needs two classes: code one more at random
            labelled.append(int(rng.choice(np.flatnonzero(~is_labelled))))
            continue
        model = _Linear(X_pool[labelled], y_pool[labelled], C, keep)
        curve.append({"n_train": len(labelled), **_scores(y_test, model.predict(X_test))})
        if len(labelled) >= budget:
            break
        pool = np.flatnonzero(~is_labelled)
        size = min(batch, budget - len(labelled))
        if strategy == "random":
            new = rng.choice(pool, size, replace=False)
        else:
            uncertainty = active.margin_uncertainty(model.proba(X_pool[pool]))
            top = pool[np.argsort(-uncertainty, kind="stable")[: active.CANDIDATES * size]]
            new = np.asarray(
                active.select_batch(top, size, vectors=vectors, clusters=size, seed=seed)
            )
        labelled.extend(int(i) for i in new)
    final = _final_model(
        pool_texts, y_pool, labelled, test_texts, y_test,
        vader=extra, seed=seed, C=C,
    )  # fmt: skip
    if final is not None:
        final["fast_estimate"] = {k: curve[-1][k] for k in ("accuracy", "macro_f1", "kappa")}
        curve[-1] = {"n_train": len(labelled), **final.pop("scores")}
    return {
        **{k: curve[-1][k] for k in ("accuracy", "macro_f1", "kappa")},
        "n_train": len(labelled),
        "n_test": len(y_test),
        "learning_curve": curve,
        "final_model": final,
        "labelled": labelled,
    }


def _final_model(
    pool_texts: Sequence[str],
    y_pool: np.ndarray,
    labelled: list[int],
    test_texts: Sequence[str],
    y_test: np.ndarray,
    *,
    vader: list[np.ndarray] | None,
    seed: int,
    C: float,
) -> dict[str, Any] | None:
    """Score the model ``workbench train`` would keep after coding ``labelled``.

    That is :func:`workbench.tag.models.fit_model` on the coded pool items, with a sample of
    the uncoded ones (:func:`workbench.tag.semi.uncoded_positions`): it cross-validates the
    model on the codes alone and the one learning from uncoded texts too, and keeps the latter
    only when it is better by more than :data:`workbench.tag.models.SEMI_MARGIN`. None when
    the codes are too few to cross-validate (``train`` would keep no model).
    """
    is_labelled = np.zeros(len(y_pool), dtype=bool)
    is_labelled[labelled] = True
    rest = np.flatnonzero(~is_labelled)
    rest = rest[uncoded_positions([pool_texts[i] for i in rest], seed=seed)]

    def rows(texts: Sequence[str], positions: Any, scores: np.ndarray | None) -> Any:
        chosen = [texts[i] for i in positions]
        if scores is None:
            return chosen
        frame = pd.DataFrame({schema.TEXT: chosen})
        frame[list(VADER_COLUMNS)] = scores[positions]
        return frame

    pool_scores, test_scores = (None, None) if vader is None else vader
    kind = "stage" if vader is None else "sentiment"
    try:
        trained = fit_model(
            kind, rows(pool_texts, labelled, pool_scores), y_pool[labelled],
            uncoded=rows(pool_texts, rest, pool_scores), C=C, seed=seed, calibrate=False,
        )  # fmt: skip
    except ModelError:
        return None
    X_test = rows(test_texts, np.arange(len(y_test)), test_scores)
    predicted = np.asarray(trained.model.predict(X_test), dtype=object)
    uncoded = trained.metrics.get("uncoded") or {}
    return {
        "scores": _scores(y_test, predicted),
        "uncoded": int(uncoded.get("n", 0)),
        "learned_from_uncoded": bool(uncoded.get("used", False)),
        "cv_macro_f1": uncoded.get("macro_f1", {"codes only": trained.metrics["macro_f1"]}),
    }


def _read(path: str | os.PathLike[str], columns: Sequence[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise InputError(str(path), "file not found", expected="a CSV file") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(str(path), f"cannot be read as CSV ({exc})") from exc
    for column in columns:
        if column not in frame.columns:
            raise InputError(
                str(path),
                f"no column {column!r}",
                line=1,
                column=column,
                expected=f"one of the columns found: {', '.join(map(repr, frame.columns))}",
            )
    return frame[frame[columns[1]].str.strip() != ""]


def sentiment_names(labels: Sequence[str], *, path: str = "labels") -> list[str]:
    """Map sentiment labels to negative/neutral/positive (also neg/neu/pos, 0/1, -1/+1).

    >>> sentiment_names(["1", "0", "Positive"])
    ['positive', 'negative', 'positive']
    """
    out, unknown = [], set()
    for label in labels:
        name = _SENTIMENT_NAMES.get(str(label).strip().lower())
        if name is None:
            unknown.add(str(label))
        out.append(name)
    if unknown:
        raise InputError(
            path,
            f"labels {sorted(unknown)[:5]} cannot be read as sentiment for the VADER baseline",
            expected="negative/neutral/positive, neg/neu/pos, 0/1 or -1/0/+1",
        )
    return out


def evaluate_csv(
    path: str | os.PathLike[str],
    *,
    text_column: str,
    label_column: str,
    budget: int = 300,
    strategy: str = "random",
    baseline: str | None = None,
    seed: int = 0,
    test_size: float = 0.2,
    test_path: str | os.PathLike[str] | None = None,
    group_column: str | None = None,
) -> dict[str, Any]:
    """How good would auto-coding be if ``budget`` segments of this CSV were coded?

    Parameters
    ----------
    path : path
        A labelled CSV (read with ``dtype=str``, ``keep_default_na=False``); rows with an
        empty label are dropped.
    text_column, label_column : str
        Columns holding the text and the code.
    budget : int
        Number of codes to simulate.
    strategy : {"random", "active"}
    baseline : {None, "vader"}
        ``"vader"`` (sentiment labels only): also score VADER alone on the test rows, and give
        the model VADER's scores as features.
    seed : int
        Seeds the split, the seed set and the batches.
    test_size : float
        Share held out for testing (stratified) unless ``test_path`` names a separate test CSV.
    group_column : str, optional
        Rows sharing a value (a source document, a respondent) stay on one side of the split,
        so chunks of one answer never train the model that is scored on another chunk of it.

    Returns
    -------
    dict
        ``accuracy``, ``macro_f1``, ``kappa``, ``n_train``, ``n_test``, ``strategy``,
        ``budget``, ``seed``, ``labels``, ``learning_curve`` and, when asked, ``baseline``.

    Raises
    ------
    InputError
        Missing file or column (the message lists the columns found), unreadable CSV, or
        labels that are not sentiment when ``baseline="vader"``.
    """
    if baseline not in BASELINES:
        raise ConfigError(f"baseline {baseline!r} (expected none or 'vader')")
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy {strategy!r} (expected one of {', '.join(STRATEGIES)})")
    frame = _read(path, [text_column, label_column, *([group_column] if group_column else [])])
    texts, labels = frame[text_column].tolist(), frame[label_column].tolist()
    if baseline == "vader":
        labels = sentiment_names(labels, path=str(path))
    if test_path is not None:
        test = _read(test_path, [text_column, label_column])
        pool_x, pool_y = texts, labels
        test_x, test_y = test[text_column].tolist(), test[label_column].tolist()
        if baseline == "vader":
            test_y = sentiment_names(test_y, path=str(test_path))
    elif group_column:
        if not 0 < test_size < 1:
            raise ConfigError(f"test_size {test_size} (expected a share between 0 and 1)")
        split = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        pool, held = next(split.split(texts, labels, groups=frame[group_column].tolist()))
        pool_x, pool_y = [texts[i] for i in pool], [labels[i] for i in pool]
        test_x, test_y = [texts[i] for i in held], [labels[i] for i in held]
    else:
        if not 0 < test_size < 1:
            raise ConfigError(f"test_size {test_size} (expected a share between 0 and 1)")
        counts = pd.Series(labels).value_counts()
        stratify = labels if counts.min() >= 2 else None
        pool_x, test_x, pool_y, test_y = train_test_split(
            texts, labels, test_size=test_size, random_state=seed, stratify=stratify
        )
    result = simulate(
        pool_x,
        pool_y,
        test_x,
        test_y,
        budget=budget,
        strategy=strategy,
        seed=seed,
        vader_features=baseline == "vader",
    )
    result.pop("labelled")
    out: dict[str, Any] = {
        "strategy": strategy,
        "budget": int(budget),
        "seed": int(seed),
        "labels": sorted(set(pool_y) | set(test_y)),
        "group_column": group_column,
        **result,
    }
    if baseline == "vader":
        predicted = _vader(test_x)[schema.SENTIMENT_LABEL].astype(str).tolist()
        out["baseline"] = {"name": "vader", "n_test": len(test_y), **_scores(test_y, predicted)}
    return out
