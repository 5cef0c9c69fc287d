"""Supervised coders trained on the human codes: pipelines, confidence, CV metrics, persistence.

One machinery serves every code of the codebook:

* ``stage``, ``emotion`` – multiclass text classifiers;
* ``pain_point``, ``goal`` – binary text classifiers;
* ``touchpoints`` – multi-label (one binary classifier per touchpoint);
* ``sentiment`` – text **plus** VADER's ``neg, neu, pos, compound`` scores as features
  (:class:`~sklearn.compose.ColumnTransformer`), so the model starts from what VADER knows and
  learns the study's own vocabulary on top.

Features are word 1–2-grams plus character 2–5-grams within word boundaries (robust to typos and
inflection), both TF-IDF with sublinear term frequency; the classifier is a class-balanced
logistic regression (:func:`make_classifier`). The same features and classifier are what
``workbench evaluate`` simulates (:mod:`workbench.tag.evaluate`), so its numbers describe this
model.

With a study's uncoded segments (``uncoded=``), the single-label coders are cross-validated twice
on the same folds, on the codes alone and self-training on the uncoded segments too
(:class:`~workbench.tag.semi.SelfTraining`); learning from uncoded texts is kept when its macro-F1
beats the codes alone by more than :data:`SEMI_MARGIN`, and both scores are recorded.

Confidence is calibrated by temperature scaling fitted on the same cross-validated scores that
give the metrics (:mod:`workbench.tag.calibration`) once every class has at least
:data:`MIN_CALIBRATION` codes; below that the logistic probabilities are used as they
are. A prediction whose confidence is below the threshold is flagged ``needs_review``.

Models are saved with **skops** (never pickle) together with their metrics and the hash of the
codebook they were trained for (:mod:`workbench.tag.persistence`).

The takeover policy (:func:`takeover`) decides when a model replaces the rules (or VADER) and
says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_predict,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from threadpoolctl import threadpool_limits

from workbench import schema
from workbench.errors import ModelError
from workbench.tag.calibration import TemperatureScaled, as_logits, fit_temperature
from workbench.tag.features import SparseScaler, TextTfidf
from workbench.tag.scoring import score_multilabel, score_predictions
from workbench.tag.semi import SelfTraining

KINDS = ("stage", "emotion", "touchpoints", "pain_point", "goal", "sentiment")
MULTILABEL_KINDS = ("touchpoints",)
SEMI_KINDS = ("stage", "emotion", "pain_point", "goal", "sentiment")  # learn from uncoded too
# Learning from uncoded texts is kept only when its CV macro-F1 beats the codes alone by more
# than this: the better of two noisy scores flatters the winner.
SEMI_MARGIN = 0.01
VADER_COLUMNS = ("neg", "neu", "pos", "compound")
LABEL = "label"
CONFIDENCE = "confidence"
DEFAULT_C = 30.0  # banking77 stage, 1,000 active codes: C=10 and C=30 within 0.005 macro-F1
DEFAULT_THRESHOLD = 0.6
MIN_CALIBRATION = 5  # codes per class needed before temperature scaling is fitted
MIN_PER_CLASS = 10  # takeover policy: human codes per class before a model may take over


# --- building blocks ------------------------------------------------------------------------
def text_features() -> TextTfidf:
    """Word 1–2-gram and char_wb 2–5-gram TF-IDF (sublinear tf), side by side.

    The values are those of a ``FeatureUnion`` of two ``TfidfVectorizer``; the transform is
    cached per word (:class:`~workbench.tag.features.TextTfidf`).

    Examples
    --------
    >>> X = text_features().fit_transform(["card arrived", "card declined"])
    >>> X.shape[0]
    2
    """
    return TextTfidf(word_ngram_range=(1, 2), char_ngram_range=(2, 5), sublinear_tf=True)


def single_blas_thread() -> threadpool_limits:
    """Context in which BLAS uses one thread.

    L-BFGS on our small, wide problems makes many tiny BLAS calls; on a busy 2-core machine
    threaded BLAS made each fit 15–30× slower (measured: 60 codes, 4.3 s → 0.28 s).
    """
    return threadpool_limits(limits=1, user_api="blas")


def make_classifier(C: float = DEFAULT_C) -> LogisticRegression:
    """The linear model behind every coder: class-balanced multinomial logistic regression."""
    return LogisticRegression(C=C, class_weight="balanced", max_iter=2000)


def build_pipeline(
    kind: str, *, C: float = DEFAULT_C, features: TextTfidf | None = None
) -> Pipeline:
    """Return the unfitted pipeline for one kind of code (see :data:`KINDS`).

    With ``features`` (a :class:`TextTfidf` already fitted, e.g. on a study's coded segments)
    the text features are frozen: fitting the pipeline fits only the classifier, and every
    model built on the same ``features`` shares one transform when coding (``workbench tag``
    computes it once per batch for all of them).

    ``sentiment`` expects a DataFrame with a ``schema.TEXT`` column and VADER's
    ``neg, neu, pos, compound`` columns (:func:`sentiment_features`); the others expect texts.
    ``touchpoints`` expects a binary indicator matrix (see :class:`TrainedModel`).
    """
    if kind not in KINDS:
        raise ModelError(f"unknown model kind {kind!r} (expected one of {', '.join(KINDS)})")
    clf: Any = make_classifier(C)
    if kind in MULTILABEL_KINDS:
        clf = OneVsRestClassifier(clf)
    text: Any = text_features() if features is None else FrozenEstimator(features)
    if kind == "sentiment":
        text = ColumnTransformer(
            [("text", text, schema.TEXT), ("vader", SparseScaler(), list(VADER_COLUMNS))]
        )
    return Pipeline([("features", text), ("clf", clf)])


def sentiment_features(texts: Sequence[str] | pd.Series) -> pd.DataFrame:
    """Texts plus VADER's four scores: the input of the ``sentiment`` pipeline."""
    from workbench.tag.sentiment import VaderScorer

    texts = pd.Series(list(texts), dtype=object).fillna("")
    scores = VaderScorer().score(texts, workers=1)
    frame = pd.DataFrame({schema.TEXT: texts.to_numpy(dtype=object)})
    for column in VADER_COLUMNS:
        frame[column] = scores[column].to_numpy(dtype=float)
    return frame


# --- the trained model ----------------------------------------------------------------------
@dataclass
class TrainedModel:
    """A fitted coder with what is needed to trust and reuse it.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    model : Pipeline or TemperatureScaled
        The fitted estimator (calibrated when there were enough codes).
    classes : list of str
        Class labels (touchpoint codes for the multi-label kind).
    threshold : float
        Confidence below which a prediction is flagged ``needs_review``.
    metrics : dict
        Cross-validated metrics (:func:`~workbench.tag.scoring.score_predictions`), plus
        ``baseline`` when given.
    codebook_hash : str
        Hash of the codebook the human codes were made with.
    """

    kind: str
    model: Any
    classes: list[str]
    threshold: float = DEFAULT_THRESHOLD
    metrics: dict[str, Any] = field(default_factory=dict)
    codebook_hash: str = ""

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in :attr:`classes` order."""
        return np.asarray(self.model.predict_proba(X), dtype=float)

    def predict_frame(self, X: Any) -> pd.DataFrame:
        """Label (list of codes for touchpoints), confidence and ``needs_review`` per row.

        Multi-label confidence is the least certain per-label decision, ``min(max(p, 1 - p))``.
        """
        proba = self.predict_proba(X)
        classes = np.asarray(self.classes, dtype=object)
        if self.kind in MULTILABEL_KINDS:
            chosen = proba >= 0.5
            labels = [list(classes[row]) for row in chosen]
            confidence = np.maximum(proba, 1 - proba).min(axis=1) if proba.size else proba[:, 0]
        else:
            labels = list(classes[proba.argmax(axis=1)])
            confidence = proba.max(axis=1)
        return pd.DataFrame(
            {
                LABEL: labels,
                CONFIDENCE: confidence.astype(float),
                schema.NEEDS_REVIEW: confidence < self.threshold,
            }
        )


def _cv(
    y: np.ndarray, n_splits: int, seed: int, multilabel: bool, groups: Sequence[Any] | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds; with ``groups`` (source document or respondent) a group never
    lands on both sides, so chunks of one answer do not score each other."""
    rows = np.zeros((len(y), 1))
    if multilabel:
        k = max(2, min(n_splits, len(y)))
        if groups is not None and len(set(groups)) >= k:
            return list(GroupKFold(n_splits=k).split(rows, y, groups))
        return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(rows, y))
    smallest = int(pd.Series(y).value_counts().min())
    if smallest < 2:
        raise ModelError(
            f"cannot cross-validate: class {pd.Series(y).value_counts().idxmin()!r} has "
            f"{smallest} code (expected at least 2 human codes per class)"
        )
    k = min(n_splits, smallest)
    if groups is not None and len(set(groups)) >= k:
        grouped = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(grouped.split(rows, y, groups))
    return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(rows, y))


def fit_model(
    kind: str,
    X: Any,
    y: Sequence[Any],
    *,
    codebook_hash: str = "",
    threshold: float = DEFAULT_THRESHOLD,
    baseline: Sequence[Any] | None = None,
    baseline_name: str = "rules",
    cv: int = 5,
    C: float = DEFAULT_C,
    seed: int = 0,
    features: TextTfidf | None = None,
    uncoded: Any = None,
    uncoded_features: TextTfidf | None = None,
    calibrate: bool = True,
    groups: Sequence[Any] | None = None,
) -> TrainedModel:
    """Fit a coder on human codes, with cross-validated metrics.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    X : sequence of str or DataFrame
        Texts (``sentiment``: :func:`sentiment_features` of the texts).
    y : sequence
        Human codes; for ``touchpoints`` one list of codes per text.
    codebook_hash : str
        Stored with the model; :func:`workbench.tag.persistence.load_model` checks it.
    threshold : float
        Confidence below which predictions are flagged ``needs_review``.
    baseline : sequence, optional
        What the rules (or VADER) predict for the same texts; scored on the same codes and
        stored as ``metrics["baseline"]`` for :func:`takeover`.
    cv : int
        Folds (fewer when the rarest class has fewer codes).
    C : float
        Inverse regularisation strength of the logistic regression.
    seed : int
        Seed of the cross-validation folds.
    features : TextTfidf, optional
        Text features fitted beforehand on the study's coded texts, shared by all its models
        (see :func:`build_pipeline`); cross-validation still refits features per fold.
    uncoded : sequence of str or DataFrame, optional
        Uncoded rows of the study, in the form of ``X``
        (:func:`workbench.tag.semi.uncoded_sample`). For :data:`SEMI_KINDS` a second
        candidate is then cross-validated on the same folds: the model that also learns from
        them (:class:`~workbench.tag.semi.SelfTraining`). It is kept when its macro-F1 beats
        the codes alone by more than :data:`SEMI_MARGIN`; ``metrics["uncoded"]`` shows both.
        The saved model is a plain pipeline either way and holds no uncoded text.
    uncoded_features : TextTfidf, optional
        Like ``features``, fitted on the coded **and** the ``uncoded`` texts: used when the
        model learning from uncoded texts is kept.
    calibrate : bool
        Fit temperature scaling (on the out-of-fold scores) when every class has
        :data:`MIN_CALIBRATION` codes.
    groups : sequence, optional
        One group per code (``workbench train`` passes the source document, or the respondent
        of a survey answer): cross-validation keeps each group in one fold.

    Returns
    -------
    TrainedModel
    """
    multilabel = kind in MULTILABEL_KINDS
    if multilabel:
        binarizer = MultiLabelBinarizer()
        target = binarizer.fit_transform([list(v) for v in y])
        classes = [str(c) for c in binarizer.classes_]
    else:
        target = np.asarray([str(v) for v in y], dtype=object)
        classes = sorted(set(target))
        if len(classes) < 2:
            raise ModelError(
                f"{kind}: all {len(target)} human codes are {classes!r} "
                "(expected at least 2 different codes to train a model)"
            )
    folds = _cv(target, cv, seed, multilabel, groups)
    candidates: dict[str, Any] = {"codes only": build_pipeline(kind, C=C)}
    if uncoded is not None and len(uncoded) and kind in SEMI_KINDS:
        candidates["with uncoded"] = SelfTraining(build_pipeline(kind, C=C), uncoded)
    scored, scores = {}, {}
    with single_blas_thread():
        for name, candidate in candidates.items():
            if multilabel:
                predicted = cross_val_predict(candidate, X, target, cv=folds)
                scored[name] = score_multilabel(target, predicted, classes)
                continue
            # out-of-fold scores give the metrics and, later, the temperature
            scores[name] = cross_val_predict(
                candidate, X, target, cv=folds, method="decision_function"
            )
            predicted = np.asarray(classes, dtype=object)[as_logits(scores[name]).argmax(axis=1)]
            scored[name] = score_predictions(target, predicted, labels=classes)
    semi = len(scored) > 1 and (
        scored["with uncoded"]["macro_f1"] > scored["codes only"]["macro_f1"] + SEMI_MARGIN
    )
    chosen = "with uncoded" if semi else "codes only"
    metrics = scored[chosen]
    if not multilabel:
        counts = pd.Series(target).value_counts()
        metrics["class_counts"] = {label: int(counts.get(label, 0)) for label in classes}
        if baseline is not None:
            metrics["baseline"] = {
                "name": baseline_name,
                **score_predictions(target, list(baseline), labels=classes),
            }
    metrics["cv_folds"] = len(folds)
    metrics["cv_grouped"] = groups is not None
    smallest = int(target.sum(axis=0).min()) if multilabel else int(counts.min())
    calibrated = calibrate and not multilabel and smallest >= MIN_CALIBRATION
    # Metrics and temperature come from the candidate's features refitted in every fold, as a
    # model meets unseen words in use. With shared features, the kept model uses them instead
    # (fitted on the same texts, so the two differ only by the words other kinds' codes add),
    # so that every model of a study sharing them shares one transform.
    shared = uncoded_features if semi else features
    kept = candidates[chosen] if shared is None else build_pipeline(kind, C=C, features=shared)
    if semi and shared is not None:
        kept = SelfTraining(kept, uncoded)
    with single_blas_thread():
        kept.fit(X, target)
    model: Any = kept.pipeline_ if semi else kept  # the plain pipeline: no uncoded text kept
    if calibrated:
        # the fitted model, frozen: fitting the wrapper only records it
        temperature = fit_temperature(scores[chosen], target, classes)
        model = TemperatureScaled(FrozenEstimator(model), temperature=temperature).fit(X, target)
    metrics["calibrated"] = calibrated
    if calibrated:
        metrics["temperature"] = model.temperature
    if len(candidates) > 1:
        metrics["uncoded"] = {
            "n": len(uncoded),
            "used": semi,
            "pseudo_labelled": int(kept.n_pseudo_) if semi else 0,
            "macro_f1": {name: float(scored[name]["macro_f1"]) for name in scored},
            "margin": SEMI_MARGIN,
        }
    return TrainedModel(kind, model, classes, threshold, metrics, codebook_hash)


# --- takeover policy ------------------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """Whether the model takes over from the baseline (rules or VADER), and why."""

    use_model: bool
    reason: str


def takeover(
    metrics: dict[str, Any], *, min_per_class: int = MIN_PER_CLASS, margin: float = 0.0
) -> Decision:
    """The policy deciding when a trained model replaces the rules (or VADER).

    The model takes over only when **both** hold:

    1. every class has at least ``min_per_class`` human codes (fewer make CV metrics noise);
    2. its cross-validated macro-F1 beats the baseline's macro-F1 on the same human codes by
       more than ``margin``. Without a baseline (nothing to compare), condition 1 suffices.

    Examples
    --------
    >>> m = {"macro_f1": 0.8, "class_counts": {"a": 30, "b": 12},
    ...      "baseline": {"name": "rules", "macro_f1": 0.6}}
    >>> takeover(m).use_model
    True
    >>> print(takeover({**m, "class_counts": {"a": 30, "b": 4}}).reason)
    keep rules: class 'b' has 4 human codes (policy: at least 10 per class)
    """
    base = metrics.get("baseline") or {}
    name = base.get("name", "rules")
    counts = metrics.get("class_counts") or {}
    thin = {label: n for label, n in counts.items() if n < min_per_class}
    if not counts or thin:
        label, n = min(thin.items(), key=lambda kv: kv[1]) if thin else ("(none)", 0)
        return Decision(
            False,
            f"keep {name}: class {label!r} has {n} human codes "
            f"(policy: at least {min_per_class} per class)",
        )
    model_f1 = float(metrics["macro_f1"])
    if "macro_f1" not in base:
        return Decision(True, f"use model: no baseline to compare; CV macro-F1 {model_f1:.3f}")
    base_f1 = float(base["macro_f1"])
    scores = (
        f"CV macro-F1 {model_f1:.3f} against {name} {base_f1:.3f} "
        f"({model_f1 - base_f1:+.3f}) on the same {metrics.get('n', '?')} human codes"
    )
    blank = base.get("blank_share")
    if blank is not None and blank >= 0.5:
        scores += (
            f"; the {name} gave no code to {blank:.0%} of them (codes chosen where the "
            f"{name} are unsure flatter the model)"
        )
    if model_f1 > base_f1 + margin:
        return Decision(True, f"use model: {scores}")
    return Decision(
        False, f"keep {name}: {scores} (policy: model better by more than {margin:.3f})"
    )
