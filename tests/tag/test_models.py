"""Supervised coders: pipelines, calibrated confidence, CV metrics, skops persistence, policy."""

from __future__ import annotations

import random

import numpy as np
import pytest
import skops.io as sio

from workbench import schema
from workbench.errors import ModelError
from workbench.tag import models, persistence

VOCAB = {
    "onboarding": ["signup", "register", "verify", "identity", "welcome", "setup"],
    "everyday_use": ["transfer", "payment", "balance", "statement", "spend", "topup"],
    "problem_resolution": ["declined", "broken", "refund", "fraud", "stolen", "error"],
}
FILLER = ["my", "the", "please", "today", "again", "i", "need", "with"]


def corpus(n_per_class: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Sentences built from per-class vocabularies plus shared filler words."""
    rng = random.Random(seed)
    texts, labels = [], []
    for label, words in VOCAB.items():
        for _ in range(n_per_class):
            tokens = rng.sample(words, 2) + rng.sample(FILLER, 3)
            rng.shuffle(tokens)
            texts.append(" ".join(tokens))
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def stage_model() -> models.TrainedModel:
    texts, labels = corpus(20)
    return models.fit_model("stage", texts, labels, codebook_hash="abc123", cv=3, C=1.0)


def test_stage_model_predicts_held_out_sentences(stage_model):
    texts, labels = corpus(10, seed=99)
    frame = stage_model.predict_frame(texts)
    assert (frame[models.LABEL].to_numpy() == np.array(labels)).mean() >= 0.9
    assert stage_model.classes == sorted(VOCAB)


def test_calibrated_probabilities_sum_to_one(stage_model):
    texts, _ = corpus(5, seed=3)
    proba = stage_model.predict_proba(texts)
    assert stage_model.metrics["calibrated"] is True
    assert proba.shape == (len(texts), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_needs_review_flags_low_confidence(stage_model):
    clear = "signup register verify identity welcome"
    mixed = "signup transfer declined"  # one cue word of each class
    frame = stage_model.predict_frame([clear, mixed])
    assert frame[models.CONFIDENCE][0] > frame[models.CONFIDENCE][1]
    strict = models.TrainedModel(
        "stage",
        stage_model.model,
        stage_model.classes,
        threshold=frame[models.CONFIDENCE][1] + 1e-6,
    )
    flags = strict.predict_frame([clear, mixed])[schema.NEEDS_REVIEW].tolist()
    assert flags == [False, True]


def test_cv_metrics_keys_and_confusion_shape(stage_model):
    m = stage_model.metrics
    for key in ("accuracy", "macro_f1", "kappa", "per_class", "confusion", "class_counts"):
        assert key in m
    assert set(m["per_class"]) == set(VOCAB)
    matrix = np.array(m["confusion"]["matrix"])
    assert matrix.shape == (3, 3)
    assert matrix.sum() == m["n"] == 60
    assert m["class_counts"] == {label: 20 for label in VOCAB}


def test_touchpoints_multilabel():
    rng = random.Random(1)
    texts, tags = [], []
    for _ in range(60):
        chosen = [t for t in ("app", "phone", "branch") if rng.random() < 0.5]
        words = {"app": "mobile app screen", "phone": "called hotline", "branch": "visited branch"}
        texts.append(" ".join([words[t] for t in chosen] + ["about", "my", "account"]))
        tags.append(chosen)
    trained = models.fit_model("touchpoints", texts, tags, cv=3, C=1.0)
    frame = trained.predict_frame(["called hotline then visited branch", "about my account"])
    assert sorted(frame[models.LABEL][0]) == ["branch", "phone"]
    assert frame[models.LABEL][1] == []
    assert np.array(trained.metrics["confusion"]["matrix"]).shape == (3, 2, 2)


def test_binary_pain_point_with_rules_baseline():
    texts, labels = corpus(15)
    pain = [str(label == "problem_resolution") for label in labels]
    rules = ["True" if "error" in t else "False" for t in texts]  # a weak rule
    trained = models.fit_model("pain_point", texts, pain, baseline=rules, cv=3, C=1.0)
    assert trained.metrics["baseline"]["name"] == "rules"
    assert trained.metrics["macro_f1"] > trained.metrics["baseline"]["macro_f1"]


def test_sentiment_model_uses_vader_scores():
    texts = ["I love it", "great and lovely", "awful mess", "terrible, I hate it"] * 6
    labels = ["positive", "positive", "negative", "negative"] * 6
    X = models.sentiment_features(texts)
    assert list(X.columns) == [schema.TEXT, *models.VADER_COLUMNS]
    trained = models.fit_model("sentiment", X, labels, baseline_name="vader", cv=3, C=1.0)
    out = trained.predict_frame(models.sentiment_features(["lovely", "hate"]))
    assert out[models.LABEL].tolist() == ["positive", "negative"]


def test_takeover_policy_decisions():
    base = {"macro_f1": 0.8, "n": 100, "class_counts": {"a": 50, "b": 50}}
    better = models.takeover({**base, "baseline": {"name": "rules", "macro_f1": 0.6}})
    assert better.use_model and "against rules" in better.reason
    worse = models.takeover({**base, "baseline": {"name": "vader", "macro_f1": 0.85}})
    assert not worse.use_model and worse.reason.startswith("keep vader")
    thin = models.takeover(
        {**base, "class_counts": {"a": 50, "b": 3}, "baseline": {"macro_f1": 0.1}}
    )
    assert not thin.use_model and "'b' has 3" in thin.reason
    margin = models.takeover({**base, "baseline": {"macro_f1": 0.78}}, margin=0.05)
    assert not margin.use_model


def test_unknown_kind_and_single_class_raise():
    with pytest.raises(ModelError, match="unknown model kind"):
        models.build_pipeline("colour")
    with pytest.raises(ModelError, match="at least 2 different codes"):
        models.fit_model("stage", ["a b", "c d"], ["x", "x"])


def test_models_on_shared_features_keep_their_metrics_and_share_one_transform(tmp_path):
    from workbench.tag import features as features_module

    texts, labels = corpus(20)
    shared = models.text_features().fit(texts)
    alone = models.fit_model("stage", texts, labels, cv=3, C=1.0)
    stage = models.fit_model("stage", texts, labels, cv=3, C=1.0, features=shared)
    # cross-validation refits features per fold either way; the kept model uses `shared`,
    # fitted on the same texts, so it predicts what the model fitted alone predicts
    assert stage.metrics["macro_f1"] == alone.metrics["macro_f1"]
    new, _ = corpus(5, seed=7)
    np.testing.assert_allclose(stage.predict_proba(new), alone.predict_proba(new), atol=1e-12)
    polarity = ["positive" if i % 2 else "negative" for i in range(len(texts))]
    sentiment = models.fit_model(
        "sentiment", models.sentiment_features(texts), polarity, cv=3, C=1.0, features=shared
    )
    paths = [persistence.save_model(tmp_path / f"{m.kind}.skops", m) for m in (stage, sentiment)]
    loaded = [persistence.load_model(path, codebook_hash="") for path in paths]
    assert set(sio.get_untrusted_types(file=paths[0])) <= set(persistence.TRUSTED_TYPES)
    loaded[0].predict_frame(new)
    loaded[1].predict_frame(models.sentiment_features(new))
    first, second = (text_featurizer(m) for m in loaded)
    assert first is not second  # each file holds its own copy ...
    assert features_module._CACHES[first] is features_module._CACHES[second]  # ... one cache


def text_featurizer(trained: models.TrainedModel):
    """The TextTfidf inside a trained model (calibrated or not, sentiment or not)."""
    estimator = trained.model
    if hasattr(estimator, "temperature"):
        estimator = estimator.estimator_.estimator  # TemperatureScaled(FrozenEstimator(...))
    step = estimator.named_steps["features"]
    if hasattr(step, "named_transformers_"):
        step = step.named_transformers_["text"]
    return step.estimator


@pytest.fixture(scope="module")
def bridge():
    """Codes of one class word each (so a held-out code often has a word no other code has),
    and many uncoded texts of three, which tie the words of a class together (the made-up
    vocabulary of ``tests/tag/test_semi.py``)."""
    from tests.tag.test_semi import texts_of

    coded, codes = texts_of(8, words=slice(0, 12), seed=1, k=1)
    uncoded, _ = texts_of(60, words=slice(0, 12), seed=2)
    test, truth = texts_of(20, words=slice(0, 12), seed=3, k=1)
    return coded, codes, uncoded, test, truth


def test_uncoded_texts_are_kept_only_when_cross_validation_says_they_help(tmp_path, bridge):
    import zipfile

    coded, codes, uncoded, test, truth = bridge
    trained = models.fit_model("stage", coded, codes, uncoded=uncoded, cv=4, seed=0)
    info = trained.metrics["uncoded"]
    f1 = info["macro_f1"]
    assert set(f1) == {"codes only", "with uncoded"} and info["n"] == len(uncoded)
    assert f1["with uncoded"] > f1["codes only"] and info["used"] is True
    assert trained.metrics["macro_f1"] == f1["with uncoded"] and info["pseudo_labelled"] > 0
    assert trained.metrics["calibrated"] is True
    codes_only = models.fit_model("stage", coded, codes, cv=4, seed=0)
    assert "uncoded" not in codes_only.metrics

    def accuracy(model):
        return (model.predict_frame(test)[models.LABEL].to_numpy() == np.array(truth)).mean()

    assert accuracy(trained) >= accuracy(codes_only) + 0.1  # measured: 0.70 vs 0.58
    # what is saved is the plain pipeline: allow-listed types and no uncoded segment's text
    path = persistence.save_model(tmp_path / "stage.skops", trained)
    assert set(sio.get_untrusted_types(file=path)) <= set(persistence.TRUSTED_TYPES)
    with zipfile.ZipFile(path) as archive:
        stored = b"".join(archive.read(name) for name in archive.namelist())
    assert not [text for text in uncoded if text.encode() in stored]
    loaded = persistence.load_model(path, codebook_hash="")
    np.testing.assert_allclose(loaded.predict_proba(test), trained.predict_proba(test))
    # texts about something else cannot help: the codes alone are kept (a tie keeps them too)
    other = [f"weather {w} forecast" for w in ("rain", "sun", "snow", "fog", "wind", "hail")]
    unrelated = models.fit_model("stage", coded, codes, uncoded=other, cv=4, seed=0)
    f1 = unrelated.metrics["uncoded"]["macro_f1"]
    assert unrelated.metrics["uncoded"]["used"] is False and f1["with uncoded"] <= f1["codes only"]
    assert unrelated.metrics["macro_f1"] == f1["codes only"]


def test_kept_model_with_uncoded_uses_the_shared_featurizer(bridge):
    coded, codes, uncoded, test, _ = bridge
    shared = models.text_features().fit(coded + uncoded)
    trained = models.fit_model(
        "stage", coded, codes, uncoded=uncoded, cv=4, features=models.text_features().fit(coded),
        uncoded_features=shared, calibrate=False,
    )  # fmt: skip
    assert trained.metrics["uncoded"]["used"] and trained.metrics["calibrated"] is False
    assert text_featurizer(trained) is shared
    alone = models.fit_model("stage", coded, codes, uncoded=uncoded, cv=4, calibrate=False)
    # the same texts make the same features: the shared one predicts what the model alone does
    np.testing.assert_allclose(trained.predict_proba(test), alone.predict_proba(test), atol=1e-9)


def test_multilabel_kinds_ignore_uncoded_texts(bridge):
    coded, codes, uncoded, *_ = bridge
    tags = [[c] if i % 3 else [c, "extra"] for i, c in enumerate(codes)]
    trained = models.fit_model("touchpoints", coded, tags, uncoded=uncoded, cv=3)
    assert "uncoded" not in trained.metrics


def test_cross_validation_keeps_each_source_in_one_fold():
    from workbench.tag.models import _cv

    y = np.array(["a", "b"] * 60)
    groups = [f"doc{i // 4}" for i in range(120)]  # four chunks per source document
    for train, test in _cv(y, 5, 0, False, groups):
        assert not {groups[i] for i in train} & {groups[i] for i in test}
    mixed = _cv(y, 5, 0, False)
    assert any({groups[i] for i in tr} & {groups[i] for i in te} for tr, te in mixed)
