"""The cached text features give exactly scikit-learn's features, and are shared safely."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks as checks
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from workbench.tag import features as features_module
from workbench.tag.features import SparseScaler, TextTfidf, word_char_ngrams

TEXTS = [
    "The engineer didn't turn up, so I rang the helpline twice!",
    "a ab abc", "Ünïcode CAPS and  double\tspaces\nnew line", "", "app apply happy",
    "Price rise letter: £5 more a month", "x", "the the the THE the. the, (the)",
    "rang the helpline helpline rang", "ΣΟΦΟΣ σοφός", "tab\tand\u00a0nbsp and\u2003em space",
]  # fmt: skip


def scikit_learn(word_range, char_range):
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=char_range, sublinear_tf=True)
    words = TfidfVectorizer(ngram_range=word_range, sublinear_tf=True)
    return FeatureUnion([("words", words), ("chars", chars)])


def assert_same(ours: sp.spmatrix, theirs: sp.spmatrix) -> None:
    assert ours.shape == theirs.shape
    difference = (ours - theirs).tocsr()
    difference.eliminate_zeros()
    assert difference.nnz == 0 or np.abs(difference.data).max() < 1e-12
    assert ours.nnz == theirs.nnz


@pytest.mark.parametrize(
    ("word_range", "char_range"), [((1, 2), (2, 5)), ((1, 1), (1, 3)), ((2, 2), (3, 3))]
)
def test_features_identical_to_a_union_of_scikit_learn_vectorizers(word_range, char_range):
    fitted_on = TEXTS[:5] + TEXTS[7:9]
    ours = TextTfidf(word_ngram_range=word_range, char_ngram_range=char_range).fit(fitted_on)
    theirs = scikit_learn(word_range, char_range).fit(fitted_on)
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert_same(ours.transform(TEXTS), theirs.transform(TEXTS))
    # warm cache, other texts (new words arrive in the middle of a batch)
    more = [t[::-1] for t in TEXTS] + TEXTS[::-1]
    assert_same(ours.transform(more), theirs.transform(more))
    assert_same(ours.fit_transform(TEXTS), theirs.fit_transform(TEXTS))


def test_features_on_real_sentences_match_scikit_learn(shared_data):
    import pandas as pd

    texts = pd.read_csv(shared_data / "banking77" / "test.csv")["text"].tolist()
    ours = TextTfidf().fit(texts[:500])
    theirs = scikit_learn((1, 2), (2, 5)).fit(texts[:500])
    pairs = [f"{a} {b}" for a, b in zip(texts[::2], texts[1::2], strict=False)]
    assert_same(ours.transform(pairs), theirs.transform(pairs))


def test_equal_featurizers_share_one_cache_and_one_transform(tmp_path):
    import skops.io as sio

    ours = TextTfidf().fit(TEXTS)
    path = tmp_path / "f.skops"
    sio.dump(ours, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    first = ours.transform(TEXTS)
    again = loaded.transform(list(TEXTS))  # equal texts: the remembered result, as a copy
    assert features_module._CACHES[loaded] is features_module._CACHES[ours]
    assert_same(again, first)
    again.data[:] = 0.0  # a caller changing its copy does not change the next result
    assert_same(ours.transform(TEXTS), first)
    other = TextTfidf().fit(TEXTS[:3])
    assert features_module._CACHES.get(other) is None
    other.transform(TEXTS)
    assert features_module._CACHES[other] is not features_module._CACHES[ours]


def test_refit_forgets_the_old_vocabulary():
    ours = TextTfidf().fit(["card arrived"])
    before = ours.transform(["card declined"])
    ours.fit(["card declined", "card arrived"])
    after = ours.transform(["card declined"])
    assert after.shape[1] > before.shape[1]
    assert_same(after, scikit_learn((1, 2), (2, 5)).fit(["card declined", "card arrived"])
                .transform(["card declined"]))  # fmt: skip


def test_word_ngrams_above_two_are_refused():
    with pytest.raises(ValueError, match="word_ngram_range"):
        TextTfidf(word_ngram_range=(1, 3)).fit(TEXTS)


def test_missing_texts_count_as_empty():
    ours = TextTfidf().fit(TEXTS)
    X = ours.transform(["card", None, float("nan")])
    assert X.shape[0] == 3 and X[1].nnz == 0 and X[2].nnz == 0


def test_word_char_ngrams_match_scikit_learn_char_wb():
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    for word in ("a", "ab", "abc", "helpline", "£5"):
        assert list(word_char_ngrams(word, 2, 5)) == analyzer(word)


def test_sparse_scaler_is_standard_scaler_as_csr():
    X = np.array([[0.1, 0.9, 0.0, -0.5], [0.0, 0.5, 0.5, 0.7], [0.3, 0.2, 0.5, 0.1]])
    ours = SparseScaler().fit(X)
    out = ours.transform(X)
    assert sp.issparse(out) and out.format == "csr"
    np.testing.assert_allclose(out.toarray(), StandardScaler().fit_transform(X))
    np.testing.assert_allclose(ours.fit_transform(X).toarray(), out.toarray())


@parametrize_with_checks([TextTfidf(), SparseScaler()])
def test_keeps_scikit_learns_estimator_contract(estimator, check):
    check(estimator)


def test_text_tfidf_keeps_the_contract_on_texts():
    """scikit-learn's checks feed numeric arrays, so for an estimator tagged as taking strings
    (as its own vectorizers are) it only checks cloning: here the rest of the contract, on
    texts, with its checks that need no data and the others done by hand."""
    tags = get_tags(TextTfidf())
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    for check in (
        checks.check_no_attributes_set_in_init,
        checks.check_parameters_default_constructible,
        checks.check_get_params_invariance,
        checks.check_set_params,
        checks.check_do_not_raise_errors_in_init_or_set_params,
        checks.check_estimator_repr,
        checks.check_mixin_order,
        checks.check_valid_tag_types,
        checks.check_estimator_tags_renamed,
    ):
        check("TextTfidf", TextTfidf())
    features = TextTfidf(char_ngram_range=(2, 3))
    params = features.get_params()
    with pytest.raises(NotFittedError):
        features.transform(TEXTS)
    assert features.fit(TEXTS) is features
    assert features.get_params() == params  # fitting changes no parameter
    check_is_fitted(features)
    first = features.transform(TEXTS)
    assert len(features.get_feature_names_out()) == first.shape[1]
    assert_same(features.fit(TEXTS).transform(TEXTS), first)  # fitting again: the same
    assert_same(clone(features).fit_transform(TEXTS), first)
    assert not hasattr(clone(features), "word_features_")
    assert_same(pickle.loads(pickle.dumps(features)).transform(TEXTS), first)
    order = np.random.default_rng(0).permutation(len(TEXTS))
    assert_same(features.transform([TEXTS[i] for i in order]), first[order])  # row order
    assert_same(features.transform(TEXTS[2:5]), first[2:5])  # rows one by one or in a batch
    assert_same(features.transform(np.array(TEXTS, dtype=object)), first)
