"""Saving and loading coders with skops: round trip, allow-list, codebook check."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import skops.io as sio
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from tests.tag.test_models import corpus
from workbench.errors import ModelError
from workbench.tag import models, persistence
from workbench.tag.calibration import TemperatureScaled


@pytest.fixture(scope="module")
def stage_model() -> models.TrainedModel:
    texts, labels = corpus(20)
    return models.fit_model("stage", texts, labels, codebook_hash="abc123", cv=3, C=1.0)


def test_save_load_round_trip(tmp_path, stage_model):
    path = persistence.save_model(tmp_path / "stage.skops", stage_model)
    loaded = persistence.load_model(path, codebook_hash="abc123")
    texts, _ = corpus(3, seed=5)
    np.testing.assert_allclose(loaded.predict_proba(texts), stage_model.predict_proba(texts))
    assert loaded.metrics["macro_f1"] == stage_model.metrics["macro_f1"]
    assert loaded.classes == stage_model.classes


def test_load_refuses_other_codebook(tmp_path, stage_model):
    path = persistence.save_model(tmp_path / "stage.skops", stage_model)
    with pytest.raises(ModelError, match=r"abc123.*zzz999"):
        persistence.load_model(path, codebook_hash="zzz999")


def test_load_refuses_untrusted_types(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump({"model": random.Random(0), "meta": json.dumps({})}, path)
    with pytest.raises(ModelError, match=r"untrusted type\(s\) random\.Random"):
        persistence.load_model(path, codebook_hash="abc123")


def test_load_missing_file(tmp_path):
    with pytest.raises(ModelError, match="no saved model"):
        persistence.load_model(tmp_path / "nope.skops", codebook_hash="x")


def test_saved_types_are_all_allow_listed(tmp_path, stage_model):
    path = persistence.save_model(tmp_path / "stage.skops", stage_model)
    assert set(sio.get_untrusted_types(file=path)) <= set(persistence.TRUSTED_TYPES)


def test_the_types_skops_asks_about_are_exactly_ours(tmp_path):
    """skops trusts scikit-learn's own types (FrozenEstimator among them); what it asks about
    in calibrated models around frozen pipelines and shared features is ours, all allow-listed."""
    texts, labels = corpus(10)
    shared = models.text_features().fit(texts)
    polarity = ["positive" if i % 2 else "negative" for i in range(len(texts))]
    frame = models.sentiment_features(texts)
    sentiment = models.fit_model("sentiment", frame, polarity, cv=3, C=1.0, features=shared)
    stage = models.fit_model("stage", texts, labels, cv=3, C=1.0, features=shared)
    assert isinstance(sentiment.model.estimator, FrozenEstimator)
    asked = set()
    for trained in (stage, sentiment):
        path = persistence.save_model(tmp_path / f"{trained.kind}.skops", trained)
        asked |= set(sio.get_untrusted_types(file=path))
        loaded = persistence.load_model(path, codebook_hash="")
        assert loaded.model.estimator_ is loaded.model.estimator  # saved once, loaded once
        X = frame if trained.kind == "sentiment" else texts
        np.testing.assert_array_equal(loaded.predict_proba(X), trained.predict_proba(X))
    assert asked == {
        "workbench.tag.calibration.TemperatureScaled",
        "workbench.tag.features.SparseScaler",
        "workbench.tag.features.TextTfidf",
    }
    assert asked <= set(persistence.TRUSTED_TYPES)


def test_a_calibrated_model_saved_by_the_previous_version_loads_and_predicts(tmp_path, stage_model):
    """Format 1: the TemperatureScaled held the fitted pipeline as ``estimator``, no
    ``estimator_`` (its whole state was ``{"estimator", "temperature"}``)."""
    old = TemperatureScaled.__new__(TemperatureScaled)
    old.__dict__.update(
        estimator=stage_model.model.estimator_.estimator,
        temperature=stage_model.model.temperature,
    )
    old_trained = models.TrainedModel("stage", old, stage_model.classes, codebook_hash="abc123")
    path = persistence.save_model(tmp_path / "old.skops", old_trained)
    loaded = persistence.load_model(path, codebook_hash="abc123")
    check_is_fitted(loaded.model)
    texts, _ = corpus(3, seed=5)
    np.testing.assert_array_equal(loaded.predict_proba(texts), stage_model.predict_proba(texts))
    old.__dict__.update(estimator=models.build_pipeline("stage"))  # nothing fitted inside
    path = persistence.save_model(tmp_path / "broken.skops", old_trained)
    with pytest.raises(ModelError, match=r"broken\.skops: .*run workbench train again"):
        persistence.load_model(path, codebook_hash="abc123")
