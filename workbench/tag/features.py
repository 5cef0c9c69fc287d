"""Text features shared by every coder, tuned for speed without changing a single value.

``char_wb`` n-grams never cross a word boundary, so the n-grams of a text are the n-grams of its
words, one after another. :class:`CharWbTfidf` caches them per word: the features are exactly
those of ``TfidfVectorizer(analyzer="char_wb")`` (a test checks it), but a study's vocabulary of
a few thousand words is analysed once instead of once per occurrence.
"""

from __future__ import annotations

import weakref
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

#: Distinct (word, n-gram range) pairs kept; a large study has well under this many words.
WORD_CACHE = 500_000

#: Per fitted vectorizer: word -> feature ids. Outside the estimator, so it is never saved.
_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@lru_cache(maxsize=WORD_CACHE)
def word_char_ngrams(word: str, min_n: int, max_n: int) -> tuple[str, ...]:
    """The space-padded character n-grams of one word, as scikit-learn's ``char_wb`` makes them.

    Examples
    --------
    >>> word_char_ngrams("app", 2, 3)
    (' a', 'ap', 'pp', 'p ', ' ap', 'app', 'pp ')
    """
    padded = f" {word} "
    size = len(padded)
    grams: list[str] = []
    for n in range(min_n, max_n + 1):
        grams.extend(padded[i : i + n] for i in range(max(1, size - n + 1)))
        if size <= n:  # a short word counts once, as in scikit-learn
            break
    return tuple(grams)


class CharWbTfidf(TfidfVectorizer):
    """``TfidfVectorizer(analyzer="char_wb")`` with the n-grams of each word cached."""

    def __init__(self, *, ngram_range=(2, 5), sublinear_tf=True, lowercase=True):
        super().__init__(
            analyzer="char_wb",
            ngram_range=ngram_range,
            sublinear_tf=sublinear_tf,
            lowercase=lowercase,
        )

    def _count_vocab(self, raw_documents, fixed_vocab):
        """Counts per document; with a fitted vocabulary, word → feature ids are cached."""
        if not fixed_vocab:
            return super()._count_vocab(raw_documents, fixed_vocab)
        vocabulary = self.vocabulary_
        preprocess = self.build_preprocessor()
        min_n, max_n = self.ngram_range
        ids_of = _IDS.setdefault(self, {})  # word -> its feature ids, kept while self lives
        if len(ids_of) > WORD_CACHE:
            ids_of.clear()
        parts: list[np.ndarray] = []
        indptr = [0]
        total = 0
        for document in raw_documents:
            for word in preprocess(self.decode(document)).split():
                ids = ids_of.get(word)
                if ids is None:
                    grams = word_char_ngrams(word, min_n, max_n)
                    ids = [vocabulary[g] for g in grams if g in vocabulary]
                    ids = ids_of[word] = np.asarray(ids, dtype=np.intc)
                if len(ids):
                    parts.append(ids)
                    total += len(ids)
            indptr.append(total)
        indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intc)
        counts = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.intc), indices, indptr),
            shape=(len(indptr) - 1, len(vocabulary)),
            dtype=self.dtype,
        )
        counts.sum_duplicates()
        return vocabulary, counts

    def _char_wb_ngrams(self, text_document: str) -> list[str]:
        min_n, max_n = self.ngram_range
        grams: list[str] = []
        for word in text_document.split():
            grams.extend(word_char_ngrams(word, min_n, max_n))
        return grams
