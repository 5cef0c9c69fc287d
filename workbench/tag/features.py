"""Text features shared by every coder, tuned for speed without changing their values.

:class:`TextTfidf` is word 1–2-gram TF-IDF next to char_wb 2–5-gram TF-IDF (sublinear tf, each
block L2-normalised), exactly what a :class:`~sklearn.pipeline.FeatureUnion` of two
:class:`~sklearn.feature_extraction.text.TfidfVectorizer` gives; a test compares them. It is
fitted by scikit-learn; only ``transform`` differs. Both analyzers work inside whitespace-separated
words: char_wb n-grams never cross a word boundary, and the word pattern ``\\b\\w\\w+\\b`` never
spans whitespace. So each distinct word is analysed **once** (the columns it counts in, word
1-gram and char n-grams, and its word tokens are cached), and the counts of a batch of texts are
one sparse product, (texts × rows) @ (rows × columns), where a row is a distinct word or a
vocabulary word 2-gram (found through a sorted array of token-id pairs).

A study's vocabulary is a few thousand words, so the Python work per text is a split and a dict
lookup per word; the rest is numpy and scipy. Coding 1M segments is dominated by this transform
(measured by ``benchmarks/tag.py``).
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Tags
from sklearn.utils.extmath import row_norms
from sklearn.utils.validation import check_is_fitted

#: scikit-learn's word pattern (TfidfVectorizer's default ``token_pattern``).
TOKEN_PATTERN = r"(?u)\b\w\w+\b"

#: Distinct words kept per fitted featurizer; a large study has well under this many.
WORD_CACHE = 500_000

#: Per fitted featurizer: its word cache. Outside the estimator, so it is never saved.
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Word caches by fingerprint of the fitted state: equal featurizers (the models ``workbench
#: train`` fits share one, saved in each model file) share a cache and its last result.
_SHARED: dict[str, _WordCache] = {}
SHARED_CACHES = 4


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


def _texts(X: Any) -> list[str]:
    """Texts from a list, array, Series or one-column frame; missing values become ``""``."""
    if hasattr(X, "ndim") and getattr(X, "ndim", 1) == 2:
        X = X.iloc[:, 0] if hasattr(X, "iloc") else np.asarray(X)[:, 0]
    return [t if isinstance(t, str) else "" for t in X]


class TextTfidf(TransformerMixin, BaseEstimator):
    """Word n-gram TF-IDF and char_wb n-gram TF-IDF side by side, with a cached transform.

    Parameters
    ----------
    word_ngram_range : tuple of int
        Word n-gram sizes, within 1–2.
    char_ngram_range : tuple of int
        Character n-gram sizes within word boundaries.
    sublinear_tf : bool
        Use ``1 + log(tf)`` term frequencies.

    Attributes
    ----------
    word_features_, char_features_ : ndarray of str
        The word and char n-grams, in column order (word features come first).
    word_idf_, char_idf_ : ndarray of float
        Their idf weights.

    Examples
    --------
    >>> features = TextTfidf().fit(["card arrived", "card declined"])
    >>> X = features.transform(["my card arrived"])
    >>> X.shape == (1, len(features.get_feature_names_out()))
    True
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        sublinear_tf: bool = True,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.sublinear_tf = sublinear_tf

    def __sklearn_tags__(self) -> Tags:
        """scikit-learn's tags: texts in, as its own vectorizers take them (no 2-D arrays)."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def fit(self, X: Iterable[str], y: Any = None) -> TextTfidf:
        """Learn both vocabularies and idf weights (scikit-learn's own fit)."""
        low, high = self.word_ngram_range
        if not 1 <= low <= high <= 2:
            raise ValueError(f"word_ngram_range must lie within (1, 2), got {(low, high)}")
        texts = _texts(X)
        words = TfidfVectorizer(ngram_range=(low, high), sublinear_tf=self.sublinear_tf)
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngram_range),
            sublinear_tf=self.sublinear_tf,
        )
        for name, vectorizer in (("word", words), ("char", chars)):
            vectorizer.fit(texts)
            setattr(self, f"{name}_features_", vectorizer.get_feature_names_out().astype(str))
            setattr(self, f"{name}_idf_", np.asarray(vectorizer.idf_, dtype=np.float64))
        _CACHES.pop(self, None)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The TF-IDF matrix, word features first, then char features."""
        check_is_fitted(self, ["word_features_", "char_features_"])
        texts = _texts(X)
        cache = _CACHES.get(self)
        if cache is None:
            cache = _CACHES[self] = _shared_cache(self)
        with cache.lock:
            last = cache.last
            if last is not None and len(last[0]) == len(texts) and last[0] == texts:
                return last[1].copy()  # the same texts again (several models, one featurizer)
            X = self._tfidf(cache, texts)
            cache.last = (texts, X)
            return X.copy()

    def _tfidf(self, cache: _WordCache, texts: list[str]) -> sp.csr_matrix:
        counts = cache.counts(texts)
        data, indices = counts.data, counts.indices
        weights = cache.idf[indices]  # most n-grams occur once in a text: tf 1, weight idf
        if self.sublinear_tf:
            repeated = np.flatnonzero(data > 1.0)
            weights[repeated] *= np.log(data[repeated]) + 1.0
        else:
            weights *= data
        data = counts.data = weights
        # each block is L2-normalised on its own, as a FeatureUnion of two vectorizers does;
        # word entries are few (about one in seven), so whole rows are scaled for the char block
        # and the word entries corrected afterwards
        indptr = counts.indptr
        word_at = np.flatnonzero(indices < cache.n_words)
        word_row = np.searchsorted(indptr, word_at, side="right") - 1
        word = np.bincount(word_row, data[word_at] ** 2, minlength=counts.shape[0])
        char = np.sqrt(np.maximum(row_norms(counts, squared=True) - word, 0.0))
        word = np.sqrt(word)
        word[word == 0.0] = 1.0
        char[char == 0.0] = 1.0
        data /= np.repeat(char, np.diff(indptr))
        data[word_at] *= (char / word)[word_row]
        return counts

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names, ``words__…`` then ``chars__…`` (as a FeatureUnion names them)."""
        check_is_fitted(self, ["word_features_", "char_features_"])
        words = [f"words__{name}" for name in self.word_features_]
        chars = [f"chars__{name}" for name in self.char_features_]
        return np.asarray(words + chars, dtype=object)


class SparseScaler(StandardScaler):
    """:class:`~sklearn.preprocessing.StandardScaler` whose output is a CSR matrix.

    Next to sparse text features in a ``ColumnTransformer``, a dense block sends scipy's
    ``hstack`` through COO and a full sort of the indices; an all-CSR stack is a plain copy
    (measured: 0.6 s → 0.1 s per 25,000 texts).
    """

    def transform(self, X: Any, copy: bool | None = None) -> sp.csr_matrix:
        """Standardise ``X`` as StandardScaler does, returned as a CSR matrix."""
        return sp.csr_matrix(super().transform(X, copy=copy))


def _shared_cache(features: TextTfidf) -> _WordCache:
    """The word cache of ``features``, shared with any featurizer with the same fitted state."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(sorted(features.get_params().items())).encode())
    for array in (features.word_features_, features.char_features_):
        digest.update("\n".join(array.tolist()).encode("utf-8", "surrogatepass"))
    for array in (features.word_idf_, features.char_idf_):
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    key = digest.hexdigest()
    if key not in _SHARED:
        while len(_SHARED) >= SHARED_CACHES:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = _WordCache(features)
    return _SHARED[key]


class _Pool:
    """A growable CSR-like table: one row of (column, value) pairs per key."""

    def __init__(self, columns: np.ndarray, values: np.ndarray, sizes: np.ndarray) -> None:
        self.columns, self.values = columns, values
        self.indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def extend(self, columns: list[int], values: list[float], sizes: list[int]) -> None:
        self.columns = np.concatenate([self.columns, np.asarray(columns, self.columns.dtype)])
        self.values = np.concatenate([self.values, np.asarray(values, self.values.dtype)])
        ends = self.indptr[-1] + np.cumsum(np.asarray(sizes, dtype=np.int64))
        self.indptr = np.concatenate([self.indptr, ends])

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Concatenated columns of ``rows`` (in order) and the position each came from."""
        starts, sizes = self.indptr[rows], np.diff(self.indptr)[rows]
        total = int(sizes.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return self.columns[np.repeat(starts, sizes) + offsets], np.repeat(
            np.arange(len(rows)), sizes
        )


class _WordCache:
    """Per distinct word: the columns it counts in (word 1-grams and char n-grams) and its tokens.

    Columns are those of the stacked matrix: word features first, then char features. The
    counts of a batch are one sparse product, (texts × rows) @ (rows × columns), where a row is
    a vocabulary word 2-gram (one column each) or a distinct word seen so far.
    """

    def __init__(self, features: TextTfidf) -> None:
        words = features.word_features_.tolist()
        self.char_vocabulary = {g: i for i, g in enumerate(features.char_features_.tolist())}
        self.char_range = tuple(features.char_ngram_range)
        self.n_words = len(words)
        self.n_columns = self.n_words + len(self.char_vocabulary)
        self.idf = np.concatenate([features.word_idf_, features.char_idf_])
        self.pattern = re.compile(TOKEN_PATTERN)
        # every word token of the vocabulary's terms gets an id; 1-grams also have a column
        self.token_id: dict[str, int] = {}
        unigram_column: list[int] = []
        for index, term in enumerate(words):
            for token in term.split(" "):
                if token not in self.token_id:
                    self.token_id[token] = len(unigram_column)
                    unigram_column.append(-1)
            if " " not in term:
                unigram_column[self.token_id[term]] = index
        self.unigram_column = unigram_column
        self.n_tokens = max(1, len(unigram_column))
        keys, ids = [], []
        for index, term in enumerate(words):
            if " " in term:
                first, second = term.split(" ")
                keys.append(self.token_id[first] * self.n_tokens + self.token_id[second])
                ids.append(index)
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        self.bigram_keys = np.asarray(keys, dtype=np.int64)[order]
        self.bigram_ids = np.asarray(ids, dtype=np.int32)[order]
        self.lock = threading.Lock()
        self.last: tuple[list[str], sp.csr_matrix] | None = None
        self._reset()

    def _reset(self) -> None:
        n = len(self.bigram_ids)
        self.type_of: dict[str, int] = {}  # word -> its row (after the 2-gram rows)
        self.rows = _Pool(self.bigram_ids.copy(), np.ones(n), np.ones(n, dtype=np.int64))
        self.tokens = _Pool(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))

    def _add(self, words: list[str]) -> None:
        """Analyse new words once: their columns with counts, and their word tokens."""
        vocabulary, offset = self.char_vocabulary, self.n_words
        token_id, unigram_column = self.token_id, self.unigram_column
        columns: list[int] = []
        values: list[float] = []
        sizes: list[int] = []
        token_ids: list[int] = []
        token_sizes: list[int] = []
        for word in words:
            tokens = [token_id.get(t, -1) for t in self.pattern.findall(word)]
            found: dict[int, float] = {}
            for token in tokens:
                column = unigram_column[token] if token >= 0 else -1
                if column >= 0:
                    found[column] = found.get(column, 0.0) + 1.0
            for gram in word_char_ngrams(word, *self.char_range):
                column = vocabulary.get(gram)
                if column is not None:
                    found[column + offset] = found.get(column + offset, 0.0) + 1.0
            columns.extend(found)
            values.extend(found.values())
            sizes.append(len(found))
            token_ids.extend(tokens)
            token_sizes.append(len(tokens))
            self.type_of[word] = len(self.type_of)
        self.rows.extend(columns, values, sizes)
        self.tokens.extend(token_ids, [0.0] * len(token_ids), token_sizes)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Raw word and char n-gram counts of ``texts`` (rows), as scikit-learn counts them."""
        if len(self.type_of) > WORD_CACHE:
            self._reset()
        split = [text.lower().split() for text in texts]
        n_texts = len(split)
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=n_texts)
        flat = np.fromiter(chain.from_iterable(split), dtype=object, count=int(lengths.sum()))
        inverse, uniques = pd.factorize(flat)
        known = self.type_of
        new = [w for w in uniques.tolist() if w not in known]
        if new:
            self._add(new)
        word_type = np.fromiter((known[w] for w in uniques.tolist()), np.int64, len(uniques))
        occurrence_type = word_type[inverse]  # the type of every word occurrence, in order
        text_of_word = np.repeat(np.arange(n_texts, dtype=np.int64), lengths)
        left_text = [text_of_word]
        left_row = [occurrence_type + len(self.bigram_ids)]
        if len(self.bigram_keys):
            bigram_text, bigram_row = self._bigrams(occurrence_type, text_of_word)
            left_text.append(bigram_text)
            left_row.append(bigram_row)
        text, row = np.concatenate(left_text), np.concatenate(left_row)
        order = np.argsort(text, kind="stable")
        left = sp.csr_matrix(
            (np.ones(len(row)), row[order].astype(np.int32),
             np.concatenate([[0], np.cumsum(np.bincount(text, minlength=n_texts))])),
            shape=(n_texts, len(self.rows.indptr) - 1),
        )  # fmt: skip
        right = sp.csr_matrix(
            (self.rows.values, self.rows.columns, self.rows.indptr),
            shape=(len(self.rows.indptr) - 1, self.n_columns),
            copy=False,
        )
        return sp.csr_matrix(left @ right)

    def _bigrams(
        self, occurrence_type: np.ndarray, text_of_word: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Text and row of every word 2-gram in the vocabulary, in order of occurrence."""
        tokens, word = self.tokens.gather(occurrence_type)
        text_of = text_of_word[word]
        first, second = tokens[:-1], tokens[1:]
        pair = (text_of[:-1] == text_of[1:]) & (first >= 0) & (second >= 0)
        keys = first[pair] * self.n_tokens + second[pair]
        at = np.searchsorted(self.bigram_keys, keys).clip(0, len(self.bigram_keys) - 1)
        hit = self.bigram_keys[at] == keys
        return text_of[:-1][pair][hit], at[hit]
