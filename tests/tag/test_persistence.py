"""Saving and loading coders with skops: round trip, allow-list, codebook check."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import skops.io as sio

from tests.tag.test_models import corpus
from workbench.errors import ModelError
from workbench.tag import models, persistence


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
