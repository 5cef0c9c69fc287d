"""Temperature scaling fitted on cross-validated scores.

A classifier's confidence is made honest by dividing its scores (logits) by one number, the
temperature, chosen to minimise the log-loss of **out-of-fold** scores: those that
:func:`workbench.tag.models.fit_model` already computes to report cross-validated metrics. So
calibration costs no extra fits, and the temperature describes the model whose metrics are shown.
Dividing by a positive number never changes which class scores highest.

A binary classifier's single score ``z`` is read as the logits ``(0, z)``, so a temperature of 1
gives the logistic regression's own probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils import Tags, get_tags
from sklearn.utils.validation import check_is_fitted

from workbench.errors import ModelError, ModelValueError


def as_logits(scores: np.ndarray) -> np.ndarray:
    """Scores of shape (n,) (binary) or (n, n_classes) as logits of shape (n, n_classes).

    >>> as_logits(np.array([2.0, -1.0])).tolist()
    [[0.0, 2.0], [0.0, -1.0]]
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return np.column_stack([np.zeros_like(scores), scores])
    return scores


def fit_temperature(scores: np.ndarray, y: Sequence[Any], classes: Sequence[Any]) -> float:
    """The temperature minimising the log-loss of ``softmax(logits / T)`` on codes ``y``.

    Parameters
    ----------
    scores : ndarray
        Out-of-fold scores (``decision_function``), one row per code.
    y : sequence
        The codes.
    classes : sequence
        Classes in the order of the score columns.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 50_000)
    >>> z = 3.0 * (2 * y - 1) + rng.normal(0, 3.0, 50_000)  # true logit: z * 2/3
    >>> round(fit_temperature(10 * z, y, [0, 1]) / 10, 1)
    1.5
    """
    logits = as_logits(scores)
    position = {c: i for i, c in enumerate(classes)}
    try:
        target = np.array([position[v] for v in y])
    except KeyError as exc:
        raise ModelError(f"code {exc.args[0]!r} is not one of the classes {list(classes)}") from exc
    rows = np.arange(len(target))

    def loss(log_t: float) -> float:
        return -float(log_softmax(logits / np.exp(log_t), axis=1)[rows, target].mean())

    best = minimize_scalar(loss, bounds=(-10.0, 10.0), method="bounded")
    return float(np.exp(best.x))


class TemperatureScaled(ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are ``softmax(logits / temperature)``.

    Parameters
    ----------
    estimator : classifier with ``decision_function``
        Cloned and fitted by :meth:`fit`. A classifier fitted beforehand is wrapped in a
        :class:`~sklearn.frozen.FrozenEstimator`: its clone is itself and its ``fit`` does
        nothing, so :meth:`fit` only records it.
    temperature : float
        From :func:`fit_temperature` on out-of-fold scores; positive.

    Attributes
    ----------
    estimator_ : classifier
        The fitted classifier whose scores are scaled.
    classes_ : ndarray
        Its classes, in the order of the probability columns.
    n_features_in_ : int
        Its number of input columns, where it has one (text pipelines have none).

    Examples
    --------
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), ["a", "a", "b", "b"]
    >>> plain = LogisticRegression().fit(X, y)
    >>> same = TemperatureScaled(FrozenEstimator(plain)).fit(X, y)
    >>> np.allclose(same.predict_proba(X), plain.predict_proba(X))
    True
    >>> hot = TemperatureScaled(FrozenEstimator(plain), temperature=100.0).fit(X, y)
    >>> hot.predict_proba(X).round(2)[0].tolist()
    [0.5, 0.5]
    """

    def __init__(self, estimator: Any, temperature: float = 1.0) -> None:
        self.estimator = estimator
        self.temperature = temperature

    def fit(self, X: Any, y: Sequence[Any]) -> TemperatureScaled:
        """Fit a clone of :attr:`estimator` (the temperature is a parameter, see above).

        Raises
        ------
        ModelValueError
            When the temperature is not a finite positive number.
        """
        temperature = self.temperature
        if not isinstance(temperature, Real) or not 0 < temperature < np.inf:
            raise ModelValueError(
                f"temperature must be a finite positive number, got {temperature!r}"
            )
        self._fitted(clone(self.estimator).fit(X, y))
        return self

    def _fitted(self, estimator: Any) -> None:
        """Record ``estimator`` (fitted) as the classifier whose scores are scaled."""
        self.estimator_ = estimator
        self.classes_ = estimator.classes_

    @property
    def n_features_in_(self) -> int:
        """The fitted classifier's number of input columns (AttributeError where it has none)."""
        return self.estimator_.n_features_in_

    def __sklearn_tags__(self) -> Tags:
        """scikit-learn's tags: sparse input as far as :attr:`estimator` takes it."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = get_tags(self.estimator).input_tags.sparse
        return tags

    def decision_function(self, X: Any) -> np.ndarray:
        """The fitted classifier's scores, unscaled."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, columns in :attr:`classes_` order."""
        return softmax(as_logits(self.decision_function(X)) / self.temperature, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The highest-scoring class (the same with any temperature)."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


def upgrade(model: Any) -> Any:
    """``model`` as this version builds it, when an older workbench saved it.

    Until model format 2 a :class:`TemperatureScaled` held the fitted classifier as its
    parameter ``estimator`` and had no ``estimator_``. Such a one is rebuilt around a
    :class:`~sklearn.frozen.FrozenEstimator` of that classifier: the same object, so the same
    probabilities. Anything else is returned as it is.

    Raises
    ------
    ModelError
        When an old-style :class:`TemperatureScaled` holds no fitted classifier.
    """
    if not isinstance(model, TemperatureScaled) or "estimator_" in vars(model):
        return model
    try:
        check_is_fitted(model.estimator)
    except (NotFittedError, TypeError) as exc:
        raise ModelError(
            "the calibrated model holds no fitted classifier (expected one fitted by "
            "workbench train; run workbench train again)"
        ) from exc
    frozen = FrozenEstimator(model.estimator)
    upgraded = TemperatureScaled(frozen, temperature=model.temperature)
    upgraded._fitted(frozen)
    return upgraded
