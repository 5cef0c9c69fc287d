"""Learning from uncoded segments: sampling, neighbour smoothing, self-training."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler, normalize
from sklearn.utils.estimator_checks import parametrize_with_checks

from workbench.errors import ModelError, ModelValueError
from workbench.tag import semi
from workbench.tag.models import build_pipeline, text_features

# Each class has a large vocabulary of made-up words (random letters, so that no character
# n-gram ties a word to its class); the few coded texts see only part of it, the many uncoded
# texts use all of it. Words absent from the codes can only be learned from the uncoded texts.
_LETTERS = random.Random(0)
VOCAB = {
    label: ["".join(_LETTERS.choices("abcdefghijklmnopqrstuvwxyz", k=7)) for _ in range(12)]
    for label in ("onboarding", "everyday_use", "problem_resolution")
}
FILLER = ["".join(_LETTERS.choices("abcdefghijklmnopqrstuvwxyz", k=7)) for _ in range(6)]


def texts_of(
    n_per_class: int, *, words: slice, seed: int, k: int = 3
) -> tuple[list[str], list[str]]:
    """Texts of ``k`` class words (from ``words`` of each vocabulary) and ``3 - k`` fillers."""
    rng = random.Random(seed)
    texts, labels = [], []
    for label, vocab in VOCAB.items():
        for _ in range(n_per_class):
            tokens = rng.sample(vocab[words], k) + rng.sample(FILLER, 3 - k)
            rng.shuffle(tokens)
            texts.append(" ".join(tokens))
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def bridge():
    """Codes use the first 4 words of each class, uncoded texts all 12, tests the last 6."""
    coded, codes = texts_of(8, words=slice(0, 4), seed=1)
    uncoded, _ = texts_of(60, words=slice(0, 12), seed=2)
    test, truth = texts_of(20, words=slice(6, 12), seed=3)
    return coded, codes, uncoded, test, truth


@parametrize_with_checks(
    [semi.SelfTraining(Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]))]
)
def test_keeps_scikit_learns_estimator_contract(estimator, check):
    """On numbers: scikit-learn's checks feed arrays, and a text pipeline takes texts."""
    check(estimator)


def test_uncoded_sample_is_distinct_bounded_and_seeded():
    texts = [f"text {i % 50}" for i in range(200)] + ["", "   ", None]
    assert semi.uncoded_sample(texts, limit=100) == [f"text {i}" for i in range(50)]
    a = semi.uncoded_sample(texts, limit=10, seed=4)
    assert len(a) == len(set(a)) == 10 and a == semi.uncoded_sample(texts, limit=10, seed=4)
    assert a != semi.uncoded_sample(texts, limit=10, seed=5)
    assert [int(t.split()[1]) for t in a] == sorted(int(t.split()[1]) for t in a)  # input order
    positions = semi.uncoded_positions(texts, limit=10, seed=4)
    assert [texts[i] for i in positions] == a


def test_neighbourhoods_start_with_the_row_itself_and_rank_by_cosine():
    vectors = sparse.csr_matrix([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    nearest, similarity = semi.neighbourhoods(vectors, np.array([0, 2]), neighbours=2)
    assert nearest[:, 0].tolist() == [0, 2]
    assert nearest[0].tolist() == [0, 1, 2]
    cosine = normalize(vectors) @ normalize(vectors).T
    np.testing.assert_allclose(similarity[0], np.clip(cosine[0, [0, 1, 2]].toarray()[0], 0, None))
    assert (similarity >= 0).all()  # the opposite row never counts against a class


def test_smoothed_proba_is_the_weighted_neighbourhood_mix():
    proba = np.array([[1.0, 0.0], [0.2, 0.8], [0.6, 0.4]])
    nearest = np.array([[1, 0, 2], [2, 1, 0]])
    similarity = np.array([[1.0, 0.5, 0.0], [1.0, 0.0, 0.0]])
    out = semi.smoothed_proba(proba, np.array([1, 2]), nearest, similarity, smoothing=0.5)
    mean = (1.0 * proba[1] + 0.5 * proba[0]) / 1.5
    np.testing.assert_allclose(out[0], 0.5 * proba[1] + 0.5 * mean)
    np.testing.assert_allclose(out[1], proba[2])  # only itself: unchanged
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    lonely = semi.smoothed_proba(
        proba, np.array([1]), np.array([[1, 0]]), np.zeros((1, 2)), smoothing=0.5
    )
    np.testing.assert_allclose(lonely[0], proba[1])  # no similar row: keeps its own
    # a coded row with the same vector may come first: the row's own part is still its own
    twin = semi.smoothed_proba(
        proba, np.array([1]), np.array([[0, 1]]), np.array([[1.0, 1.0]]), smoothing=0.5
    )
    np.testing.assert_allclose(twin[0], 0.5 * proba[1] + 0.5 * (proba[0] + proba[1]) / 2)


def test_self_training_learns_words_only_uncoded_texts_have(bridge):
    coded, codes, uncoded, test, truth = bridge
    plain = build_pipeline("stage").fit(coded, codes)
    model = semi.SelfTraining(build_pipeline("stage"), uncoded).fit(coded, codes)
    plain_acc = (plain.predict(test) == np.array(truth)).mean()
    semi_acc = (model.predict(test) == np.array(truth)).mean()
    assert plain_acc < 0.7  # the test words never occur in a code (chance: 1/3)
    assert semi_acc >= 0.95 and model.n_pseudo_ > len(uncoded) // 2
    # what it learned is a plain pipeline: features (frozen) then the logistic regression
    assert isinstance(model.pipeline_, Pipeline)
    np.testing.assert_allclose(model.predict_proba(test), model.pipeline_.predict_proba(test))
    assert model.classes_.tolist() == sorted(VOCAB)


def test_without_rounds_only_the_features_see_uncoded_texts(bridge):
    coded, codes, uncoded, test, _ = bridge
    model = semi.SelfTraining(build_pipeline("stage"), uncoded, rounds=0).fit(coded, codes)
    assert model.n_pseudo_ == 0
    reference = build_pipeline("stage", features=text_features().fit(coded + uncoded))
    np.testing.assert_allclose(
        model.predict_proba(test), reference.fit(coded, codes).predict_proba(test), atol=1e-6
    )


def test_no_smoothing_and_no_uncoded_texts(bridge):
    coded, codes, uncoded, test, truth = bridge
    plain = semi.SelfTraining(build_pipeline("stage"), uncoded, smoothing=0).fit(coded, codes)
    assert (plain.predict(test) == np.array(truth)).mean() >= 0.9
    alone = semi.SelfTraining(build_pipeline("stage"), []).fit(coded, codes)
    reference = build_pipeline("stage").fit(coded, codes)
    np.testing.assert_allclose(alone.predict_proba(test), reference.predict_proba(test))


def test_sentiment_frames_with_vader_columns(bridge):
    from workbench.tag.models import sentiment_features

    coded, codes, uncoded, test, truth = bridge
    model = semi.SelfTraining(build_pipeline("sentiment"), sentiment_features(uncoded))
    model.fit(sentiment_features(coded), codes)
    predicted = model.predict(sentiment_features(test))
    assert (predicted == np.array(truth)).mean() >= 0.9


def test_mismatched_input_is_refused(bridge):
    from workbench.tag.models import sentiment_features

    coded, codes, uncoded, *_ = bridge
    with pytest.raises(ModelValueError, match=r"24 coded rows but 23 codes"):
        semi.SelfTraining(build_pipeline("stage"), uncoded).fit(coded, codes[:-1])
    with pytest.raises(ModelValueError, match="requires y to be passed"):
        semi.SelfTraining(build_pipeline("stage"), uncoded).fit(coded, None)
    with pytest.raises(NotFittedError):
        semi.SelfTraining(build_pipeline("stage"), uncoded).predict(coded)
    frame = sentiment_features(coded)
    with pytest.raises(ModelError, match="both texts or both DataFrames"):
        semi.SelfTraining(build_pipeline("sentiment"), uncoded).fit(frame, codes)
    with pytest.raises(ModelError, match=r"uncoded rows have columns \['text'\]"):
        semi.SelfTraining(build_pipeline("sentiment"), frame[["text"]]).fit(frame, codes)


def test_smoothing_lends_confidence_from_similar_rows():
    # "plom" alone is unknown (0.5/0.5); its neighbour "xqzv plom" is confidently A. Only with
    # smoothing does "plom" clear the threshold and become a pseudo-label itself.
    coded, codes = ["xqzv"] * 4 + ["kwjb"] * 4, ["A"] * 4 + ["B"] * 4
    uncoded = ["xqzv plom", "plom", "kwjb rtyu", "rtyu"]

    def fit(smoothing: float) -> semi.SelfTraining:
        model = semi.SelfTraining(
            build_pipeline("stage"), uncoded, threshold=0.55, rounds=1, smoothing=smoothing
        )
        return model.fit(coded, codes)

    alone, smoothed = fit(0.0), fit(0.5)
    assert alone.n_pseudo_ == 2 and smoothed.n_pseudo_ == 4
    assert smoothed.predict_proba(["plom"])[0, 0] > alone.predict_proba(["plom"])[0, 0] + 0.1
