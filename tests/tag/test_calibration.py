"""Temperature scaling on out-of-fold scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from workbench.errors import ModelError, ModelValueError
from workbench.tag import models
from workbench.tag.calibration import TemperatureScaled, as_logits, fit_temperature, upgrade


@parametrize_with_checks([TemperatureScaled(LogisticRegression())])
def test_keeps_scikit_learns_estimator_contract(estimator, check):
    check(estimator)


def test_fit_fits_a_clone_and_leaves_the_parameter_alone():
    X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array(["a", "a", "b", "b"])
    unfitted = LogisticRegression()
    model = TemperatureScaled(unfitted)
    with pytest.raises(NotFittedError):
        model.predict_proba(X)
    model.fit(X, y)
    check_is_fitted(model)
    with pytest.raises(NotFittedError):
        check_is_fitted(unfitted)
    assert model.estimator is unfitted and model.estimator_ is not unfitted
    assert model.classes_.tolist() == ["a", "b"] and model.n_features_in_ == 1
    with pytest.raises(ModelValueError, match=r"finite positive number, got 0\.0"):
        TemperatureScaled(LogisticRegression(), temperature=0.0).fit(X, y)


def test_a_frozen_fitted_classifier_is_recorded_not_refitted():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(60, 3)), np.array(["a", "b", "c"] * 20)
    plain = LogisticRegression().fit(X, y)
    before = plain.coef_.copy()
    model = TemperatureScaled(FrozenEstimator(plain), temperature=2.0).fit(X[:6], y[:6])
    np.testing.assert_array_equal(plain.coef_, before)
    assert model.estimator_.estimator is plain
    assert clone(model).fit(X[:3], y[:3]).estimator_.estimator is plain
    expected = softmax(plain.decision_function(X) / 2.0, axis=1)
    np.testing.assert_array_equal(model.predict_proba(X), expected)


def test_a_model_of_the_previous_version_is_upgraded_to_the_same_probabilities():
    """Before, the fitted classifier was the parameter ``estimator`` and there was no
    ``estimator_``: what a file saved then holds once loaded."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(60, 3)), np.array(["a", "b"] * 30)
    plain = LogisticRegression().fit(X, y)
    old = TemperatureScaled.__new__(TemperatureScaled)
    old.__dict__.update(estimator=plain, temperature=1.7)
    new = upgrade(old)
    check_is_fitted(new)
    assert isinstance(new.estimator, FrozenEstimator) and new.estimator_ is new.estimator
    expected = softmax(as_logits(plain.decision_function(X)) / 1.7, axis=1)
    np.testing.assert_array_equal(new.predict_proba(X), expected)
    assert upgrade(new) is new and upgrade(plain) is plain
    old.__dict__.update(estimator=LogisticRegression())
    with pytest.raises(ModelError, match=r"no fitted classifier.*run workbench train again"):
        upgrade(old)


def test_fit_temperature_recovers_how_overconfident_scores_are():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2.0, size=(20_000, 3))
    y = np.array([rng.choice(3, p=p) for p in softmax(true_logits, axis=1)])
    assert fit_temperature(4.0 * true_logits, y, [0, 1, 2]) == pytest.approx(4.0, rel=0.05)
    assert fit_temperature(0.5 * true_logits, y, [0, 1, 2]) == pytest.approx(0.5, rel=0.05)
    with pytest.raises(ModelError, match=r"code 7 is not one of the classes \[0, 1, 2\]"):
        fit_temperature(true_logits[:3], [0, 7, 1], [0, 1, 2])


def test_temperature_keeps_the_ranking_and_one_is_the_models_own():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 4))
    for labels in (np.array(["a", "b"]), np.array(["a", "b", "c"])):
        y = labels[rng.integers(0, len(labels), 200)]
        plain = LogisticRegression().fit(X, y)
        same = TemperatureScaled(FrozenEstimator(plain)).fit(X, y).predict_proba(X)
        np.testing.assert_allclose(same, plain.predict_proba(X))
        hot = TemperatureScaled(FrozenEstimator(plain), temperature=3.0).fit(X, y)
        assert (hot.predict(X) == plain.predict(X)).all()
        assert hot.predict_proba(X).max(axis=1).mean() < plain.predict_proba(X).max(axis=1).mean()
        assert as_logits(plain.decision_function(X)).shape == (200, len(labels))


def test_fit_model_takes_the_temperature_from_its_cross_validated_scores(shared_data):
    """Banking77 stages, 300 codes: the temperature is the one of the out-of-fold scores, and
    on 1,000 held-out queries it makes an overconfident model's confidence honest."""
    read = {"dtype": str, "keep_default_na": False}
    folder = shared_data / "banking77"
    stage = pd.read_csv(folder / "journey_map.csv", **read).set_index("category")["stage"]
    train = pd.read_csv(folder / "train.csv", **read).sample(300, random_state=0)
    test = pd.read_csv(folder / "test.csv", **read).sample(1000, random_state=0)
    texts, codes = train["text"].tolist(), train["category"].map(stage).to_numpy(dtype=object)
    trained = models.fit_model("stage", texts, codes, cv=5, seed=0, C=1000.0)
    assert trained.metrics["calibrated"] is True
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    scores = cross_val_predict(
        models.build_pipeline("stage", C=1000.0),
        texts,
        codes,
        cv=folds,
        method="decision_function",
    )
    assert trained.metrics["temperature"] == pytest.approx(
        fit_temperature(scores, codes, trained.classes), rel=1e-6
    )
    truth = test["category"].map(stage)
    raw = trained.model.estimator_.predict_proba(test["text"].tolist())
    calibrated = trained.predict_proba(test["text"].tolist())
    assert (raw.argmax(axis=1) == calibrated.argmax(axis=1)).all()
    # weakly regularised (C=1000), the raw model is overconfident; measured: accuracy 0.763,
    # mean confidence 0.863 raw and 0.764 calibrated; log-loss 0.806 raw and 0.682 calibrated
    accuracy = (np.asarray(trained.classes)[calibrated.argmax(axis=1)] == truth).mean()
    assert trained.metrics["temperature"] > 1
    assert raw.max(axis=1).mean() > accuracy + 0.05
    assert calibrated.max(axis=1).mean() == pytest.approx(accuracy, abs=0.03)
    labels = trained.classes
    assert log_loss(truth, calibrated, labels=labels) < log_loss(truth, raw, labels=labels) - 0.05
