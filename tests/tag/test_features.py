"""The cached char_wb vectorizer gives exactly scikit-learn's features."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from workbench.tag.features import CharWbTfidf

TEXTS = [
    "The engineer didn't turn up, so I rang the helpline twice!",
    "a ab abc", "Ünïcode CAPS and  double\tspaces\nnew line", "", "app apply happy",
    "Price rise letter: £5 more a month", "x",
]  # fmt: skip


def test_features_identical_to_scikit_learn_char_wb():
    for ngram_range in ((2, 5), (1, 3), (3, 3)):
        ours = CharWbTfidf(ngram_range=ngram_range).fit(TEXTS[:4])
        theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True)
        theirs.fit(TEXTS[:4])
        assert ours.vocabulary_ == theirs.vocabulary_
        difference = ours.transform(TEXTS) - theirs.transform(TEXTS)
        assert difference.nnz == 0 or np.abs(difference.data).max() < 1e-12
        assert ours.get_params()["ngram_range"] == ngram_range
