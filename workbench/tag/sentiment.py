"""Sentiment of segments: nltk's VADER, offline, exact and fast.

The reference is nltk's :class:`~nltk.sentiment.vader.SentimentIntensityAnalyzer` — not the
``vaderSentiment`` package, whose algorithm differs (emoji, "no", punctuation). nltk reads its
lexicon only from under ``nltk.data.path``, and its own data is not installed, so the lexicon is
the ``vader_lexicon.txt`` that ``vaderSentiment`` ships: its folder is put on ``nltk.data.path``
and nltk parses the file itself. Nothing is ever downloaded.

:class:`VaderScorer` gives the very same scores as nltk's ``polarity_scores`` (tested on every
text of the VADER ground truth and the UCI sentences), 4-5 times faster on one core: nltk builds
a word×punctuation dictionary for every text, while here each whitespace token is normalised
once (and cached), each distinct lexicon word is scored once per text, the zeros are only
counted, and repeated texts are cached. Large inputs are split into chunks scored by a process
pool (``benchmarks/sentiment.py`` measures it).

Examples
--------
>>> scorer = VaderScorer()
>>> scorer.polarity_scores("The new app is GREAT, but the wait was awful!")["compound"]
-0.3347
>>> sentiment_label(0.05), sentiment_label(-0.0499)
('positive', 'neutral')
"""

from __future__ import annotations

import math
import os
import string
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import schema
from workbench.errors import ConfigError, InputError, WorkbenchError

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
SENTIMENT_LABELS = (NEGATIVE, NEUTRAL, POSITIVE)
SCORE_COLUMNS = ("neg", "neu", "pos", "compound")
LEXICON_FILE = "vader_lexicon.txt"

PARALLEL_MIN = 50_000  # with workers=None, fewer texts than this are scored in-process
CHUNK = 20_000  # texts per task sent to a worker process
_MIN_CHUNK = 1_000
_TOKEN_CACHE = 500_000  # distinct whitespace tokens remembered (then forgotten at once)


class LexiconMissingError(WorkbenchError):
    """The VADER lexicon (shipped by the ``vaderSentiment`` package) cannot be found."""


class NotTextError(WorkbenchError, TypeError):
    """A value to score is neither a string nor missing."""


@lru_cache(maxsize=1)
def load_analyzer():
    """Return nltk's ``SentimentIntensityAnalyzer`` built offline from vaderSentiment's lexicon.

    Raises
    ------
    LexiconMissingError
        When ``vaderSentiment`` (which ships ``vader_lexicon.txt``) is not installed.
    """
    import nltk.data
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    try:
        import vaderSentiment
    except ImportError as exc:
        raise LexiconMissingError(
            "the VADER lexicon is missing: install the 'vaderSentiment' package "
            f"(it ships {LEXICON_FILE}; expected vadersentiment>=3.3.2)"
        ) from exc
    folder = os.path.dirname(vaderSentiment.__file__)
    if not os.path.isfile(os.path.join(folder, LEXICON_FILE)):
        raise LexiconMissingError(f"{folder}: no {LEXICON_FILE} (expected vaderSentiment>=3.3.2)")
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    return SentimentIntensityAnalyzer(lexicon_file=LEXICON_FILE)


def sentiment_label(
    compound: float, pos_threshold: float = 0.05, neg_threshold: float = -0.05
) -> str:
    """Name the sentiment of a VADER compound score.

    Thresholds are inclusive, as VADER's authors recommend: ``>= 0.05`` is positive,
    ``<= -0.05`` negative, anything between neutral.

    Examples
    --------
    >>> [sentiment_label(c) for c in (0.05, 0.0, -0.05)]
    ['positive', 'neutral', 'negative']
    """
    if compound >= pos_threshold:
        return POSITIVE
    if compound <= neg_threshold:
        return NEGATIVE
    return NEUTRAL


class _TokenCache(dict):
    """Whitespace token -> nltk's normalised token, computed on first sight."""

    def __init__(self, strip) -> None:
        super().__init__()
        self.strip = strip

    def __missing__(self, token: str) -> str:
        if len(self) >= _TOKEN_CACHE:
            self.clear()
        word = self[token] = self.strip(token)
        return word


class _Vader:
    """nltk's VADER algorithm, step for step, with the slow parts replaced.

    Every arithmetic step is done in nltk's order so that floats come out bit-identical.
    """

    def __init__(self, cache_size: int) -> None:
        sia = load_analyzer()
        c = sia.constants
        self.lexicon: dict[str, float] = sia.lexicon
        self.booster: dict[str, float] = c.BOOSTER_DICT
        self.idioms: dict[str, float] = c.SPECIAL_CASE_IDIOMS
        self.negate = frozenset(c.NEGATE)
        self.c_incr, self.b_decr, self.n_scalar = c.C_INCR, c.B_DECR, c.N_SCALAR
        self.punct = frozenset(string.punctuation)
        self.punc_list = frozenset(c.PUNC_LIST)
        self.cache_size = cache_size
        self.texts: dict[str, tuple[float, float, float, float]] = {}
        self.tokens = _TokenCache(self._strip)

    # --- tokenizer: SentiText._words_and_emoticons without the per-text dictionaries --------
    def _strip(self, we: str) -> str:
        """nltk maps ``p+w`` and ``w+p`` to ``w`` when ``p`` is in PUNC_LIST and ``w`` (2+ chars,
        no punctuation) is a word of the text; ``w`` is then always a word of the text."""
        punct = self.punct
        n = len(we)
        if we[0] in punct:
            k = 1
            while k < n and we[k] in punct:
                k += 1
            rest = we[k:]
            if len(rest) > 1 and we[:k] in self.punc_list and punct.isdisjoint(rest):
                return rest
        elif we[-1] in punct:
            k = n - 1
            while k > 0 and we[k - 1] in punct:
                k -= 1
            rest = we[:k]
            if len(rest) > 1 and we[k:] in self.punc_list and punct.isdisjoint(rest):
                return rest
        return we

    # --- scoring -------------------------------------------------------------------------
    def _negated(self, word: str) -> bool:
        low = word.lower()
        return low in self.negate or "n't" in low

    def _valence(self, words, lows, i, is_cap_diff) -> float:
        """nltk's ``sentiment_valence`` for a lexicon word at (first) index ``i``."""
        lex, booster, c_incr = self.lexicon, self.booster, self.c_incr
        item = words[i]
        valence = lex[lows[i]]
        if is_cap_diff and item.isupper():
            valence = valence + c_incr if valence > 0 else valence - c_incr
        for start_i in range(3):
            j = i - (start_i + 1)
            if j >= 0 and lows[j] not in lex:
                s = 0.0
                if lows[j] in booster:  # nltk's scalar_inc_dec
                    s = booster[lows[j]]
                    if valence < 0:
                        s *= -1
                    if words[j].isupper() and is_cap_diff:
                        s = s + c_incr if valence > 0 else s - c_incr
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s
                valence = self._never(valence, words, start_i, i)
                if start_i == 2:
                    valence = self._idioms(valence, words, i)
        # nltk's _least_check
        if i > 1 and lows[i - 1] not in lex and lows[i - 1] == "least":
            if lows[i - 2] != "at" and lows[i - 2] != "very":
                valence = valence * self.n_scalar
        elif i > 0 and lows[i - 1] not in lex and lows[i - 1] == "least":
            valence = valence * self.n_scalar
        return valence

    def _never(self, valence, words, start_i, i):
        so_this = ("so", "this")
        if start_i == 0:
            if self._negated(words[i - 1]):
                valence = valence * self.n_scalar
        elif start_i == 1:
            if words[i - 2] == "never" and words[i - 1] in so_this:
                valence = valence * 1.5
            elif self._negated(words[i - 2]):
                valence = valence * self.n_scalar
        elif (words[i - 3] == "never" and words[i - 2] in so_this) or words[i - 1] in so_this:
            valence = valence * 1.25
        elif self._negated(words[i - 3]):
            valence = valence * self.n_scalar
        return valence

    def _idioms(self, valence, w, i):
        idioms = self.idioms
        for seq in (
            f"{w[i - 1]} {w[i]}",
            f"{w[i - 2]} {w[i - 1]} {w[i]}",
            f"{w[i - 2]} {w[i - 1]}",
            f"{w[i - 3]} {w[i - 2]} {w[i - 1]}",
            f"{w[i - 3]} {w[i - 2]}",
        ):
            if seq in idioms:
                valence = idioms[seq]
                break
        if len(w) - 1 > i and (seq := f"{w[i]} {w[i + 1]}") in idioms:
            valence = idioms[seq]
        if len(w) - 1 > i + 1 and (seq := f"{w[i]} {w[i + 1]} {w[i + 2]}") in idioms:
            valence = idioms[seq]
        if f"{w[i - 3]} {w[i - 2]}" in self.booster or f"{w[i - 2]} {w[i - 1]}" in self.booster:
            valence = valence + self.b_decr
        return valence

    def scores(self, text: str) -> tuple[float, float, float, float]:
        """Return ``(neg, neu, pos, compound)`` exactly as nltk's ``polarity_scores``.

        Only lexicon words get a non-zero valence in nltk (boosters and "kind of" get 0), and
        every occurrence of a word is scored at its first index (nltk's ``first_index``), so
        each distinct lexicon word is scored once and the zeros are only counted.
        """
        hit = self.texts.get(text)
        if hit is not None:
            return hit
        tokens = self.tokens
        words = [tokens[we] for we in text.split() if len(we) > 1]
        n = len(words)
        lows = list(map(str.lower, words))
        lex = self.lexicon
        lexpos = [p for p, low in enumerate(lows) if low in lex]
        pairs: list[tuple[int, float]] = []
        if lexpos:
            booster = self.booster
            is_cap_diff = 0 < n - sum(map(str.isupper, words)) < n
            first = dict(zip(reversed(words), range(n - 1, -1, -1), strict=True))
            memo: dict[str, float] = {}
            for p in lexpos:
                item = words[p]
                value = memo.get(item)
                if value is None:
                    i = first[item]
                    low = lows[i]
                    if (i < n - 1 and low == "kind" and lows[i + 1] == "of") or low in booster:
                        value = 0.0
                    else:
                        value = self._valence(words, lows, i, is_cap_diff)
                    memo[item] = value
                if value != 0:
                    pairs.append((p, value))
        values = [v for _, v in pairs]
        if pairs and "but" in lows:  # nltk's _but_check
            bi = lows.index("but")
            values = [v * 0.5 if p < bi else v * 1.5 if p > bi else v for p, v in pairs]
        result = _score_valence(values, n - len(values), text)
        if self.cache_size:
            if len(self.texts) >= self.cache_size:
                self.texts.clear()
            self.texts[text] = result
        return result


def _score_valence(values, neu_count: int, text: str) -> tuple[float, float, float, float]:
    """nltk's ``score_valence`` given the non-zero sentiments in order and the count of zeros.

    Zeros add nothing to nltk's sums, so leaving them out changes no bit of the result.
    """
    if not values and not neu_count:
        return (0.0, 0.0, 0.0, 0.0)
    sum_s = float(sum(values))
    ep_count = min(text.count("!"), 4)
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
    pos_sum = 0.0
    neg_sum = 0.0
    for score in values:
        if score > 0:
            pos_sum += float(score) + 1
        else:
            neg_sum += float(score) - 1
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    return (
        round(math.fabs(neg_sum / total), 3),
        round(math.fabs(neu_count / total), 3),
        round(math.fabs(pos_sum / total), 3),
        round(compound, 4),
    )


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# one scorer per worker process, built by the pool's initializer
_WORKER: _Vader | None = None


def _init_worker(cache_size: int) -> None:
    global _WORKER
    _WORKER = _Vader(cache_size)


def _score_chunk(texts: list[str]) -> np.ndarray:
    assert _WORKER is not None
    return np.array([_WORKER.scores(t) for t in texts], dtype=np.float64).reshape(-1, 4)


class VaderScorer:
    """nltk's VADER sentiment, identical scores, faster; picklable for process pools.

    Parameters
    ----------
    pos_threshold, neg_threshold : float
        Inclusive label thresholds on the compound score (see :func:`sentiment_label`).
    cache_size : int
        At most this many distinct texts are remembered with their scores (the cache is
        emptied when full); ``0`` turns the text cache off. Tokens are always cached.

    Examples
    --------
    >>> scorer = VaderScorer()
    >>> scorer.score(["I love it", "It broke", "It is blue"])[["compound", "sentiment_label"]]
       compound sentiment_label
    0    0.6369        positive
    1   -0.4215        negative
    2    0.0000         neutral
    """

    def __init__(
        self,
        pos_threshold: float = 0.05,
        neg_threshold: float = -0.05,
        *,
        cache_size: int = 200_000,
    ) -> None:
        if not neg_threshold <= pos_threshold:
            raise ConfigError(
                f"sentiment thresholds: neg_threshold {neg_threshold} is above pos_threshold "
                f"{pos_threshold} (expected neg_threshold <= pos_threshold, e.g. -0.05 and 0.05)"
            )
        self.pos_threshold = float(pos_threshold)
        self.neg_threshold = float(neg_threshold)
        self.cache_size = int(cache_size)
        self._vader: _Vader | None = None

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_vader": None}

    @property
    def lexicon(self) -> dict[str, float]:
        """The lexicon in use (nltk's parse of vaderSentiment's ``vader_lexicon.txt``)."""
        return self._engine().lexicon

    def _engine(self) -> _Vader:
        if self._vader is None:
            self._vader = _Vader(self.cache_size)
        return self._vader

    def polarity_scores(self, text: str) -> dict[str, float]:
        """Return ``{"neg", "neu", "pos", "compound"}`` exactly as nltk's ``polarity_scores``.

        Raises
        ------
        NotTextError
            When ``text`` is not a string (nltk fails on those too).
        """
        if not isinstance(text, str):
            raise NotTextError(f"cannot score {type(text).__name__} {text!r}: expected a string")
        return dict(zip(SCORE_COLUMNS, self._engine().scores(text), strict=True))

    def label(self, compound: float) -> str:
        """Label a compound score with this scorer's thresholds."""
        return sentiment_label(compound, self.pos_threshold, self.neg_threshold)

    def score(
        self, texts: Iterable[str], *, workers: int | None = None, progress: bool = False
    ) -> pd.DataFrame:
        """Score many texts.

        Parameters
        ----------
        texts : iterable of str
            Missing values (None, NaN, ``pd.NA``) give NaN scores and a missing label. A
            :class:`pandas.Series` keeps its index.
        workers : int, optional
            Processes to use. ``None``: all available cores when there are at least
            ``PARALLEL_MIN`` texts, else in-process. ``1``: in-process.
        progress : bool
            Show a tqdm progress bar (per chunk of texts).

        Returns
        -------
        pandas.DataFrame
            Columns ``neg, neu, pos, compound``, ``schema.SENTIMENT`` (the compound score) and
            ``schema.SENTIMENT_LABEL``, one row per text, in order.
        """
        index = texts.index if isinstance(texts, pd.Series) else None
        items = list(texts)
        present: list[str] = []
        where: list[int] = []
        for position, text in enumerate(items):
            if isinstance(text, str):
                present.append(text)
                where.append(position)
            elif not _is_missing(text):
                raise NotTextError(
                    f"text number {position + 1} is {type(text).__name__} {text!r}: "
                    "expected a string or a missing value"
                )
        values = np.full((len(items), 4), np.nan)
        if present:
            values[where] = self._score_all(present, workers, progress)
        frame = pd.DataFrame(values, columns=list(SCORE_COLUMNS), index=index)
        frame[schema.SENTIMENT] = frame["compound"]
        labels = [self.label(c) if not math.isnan(c) else pd.NA for c in frame["compound"].tolist()]
        frame[schema.SENTIMENT_LABEL] = pd.array(labels, dtype=schema.STRING)
        return frame

    def _score_all(self, texts: list[str], workers: int | None, progress: bool) -> np.ndarray:
        n = len(texts)
        if workers is None:
            workers = _available_cores() if n >= PARALLEL_MIN else 1
        if workers < 1:
            raise ConfigError(f"workers: {workers} (expected a positive number of processes)")
        size = max(_MIN_CHUNK, min(CHUNK, math.ceil(n / (workers * 4))))
        chunks = [texts[start : start + size] for start in range(0, n, size)]
        if workers == 1 or len(chunks) < 2:
            engine = self._engine()

            def run() -> Iterator[np.ndarray]:
                for chunk in chunks:
                    yield np.array([engine.scores(t) for t in chunk]).reshape(-1, 4)

            return np.concatenate(list(_progress(run(), len(chunks), n, progress)))
        context = get_context(_start_method())
        if context.get_start_method() == "forkserver":  # import nltk once, in the server
            context.set_forkserver_preload([__name__, "nltk.sentiment.vader"])
        with ProcessPoolExecutor(
            max_workers=min(workers, len(chunks)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.cache_size,),
        ) as pool:
            parts = list(_progress(pool.map(_score_chunk, chunks), len(chunks), n, progress))
        return np.concatenate(parts)


def _start_method() -> str:
    """Fork when it is safe (one thread: scripts, the CLI, tests) as it costs nothing; in a
    threaded process (a Jupyter kernel) fork can deadlock, so use a fork server there."""
    methods = get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _progress(parts: Iterable[np.ndarray], n_chunks: int, n: int, show: bool):
    if not show:
        return parts
    from tqdm.auto import tqdm

    return tqdm(parts, total=n_chunks, desc=f"VADER sentiment ({n:,} texts)", unit="chunk")


def score_csv(
    in_path: str | os.PathLike[str],
    *,
    text_column: str,
    out_path: str | os.PathLike[str],
    workers: int | None = None,
) -> pd.DataFrame:
    """Add VADER sentiment columns to a CSV file and write the result atomically.

    Every column is read as a string (``dtype=str``, no NA guessing), so identifiers such as
    ``007`` survive. Adds ``neg, neu, pos, compound``, ``schema.SENTIMENT`` and
    ``schema.SENTIMENT_LABEL``; the output is written to a temporary file beside ``out_path``
    and moved into place. A progress bar shows on long inputs.

    Raises
    ------
    InputError
        When ``text_column`` is not a column of the file (the message lists those found).
    """
    in_path, out_path = Path(in_path), Path(out_path)
    try:
        frame = pd.read_csv(in_path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise InputError(str(in_path), "file not found", expected="a CSV file") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(str(in_path), f"cannot be read as CSV ({exc})") from exc
    if text_column not in frame.columns:
        raise InputError(
            str(in_path),
            f"no text column {text_column!r}",
            line=1,
            column=text_column,
            expected=f"one of the columns found: {', '.join(map(repr, frame.columns))}",
        )
    scores = VaderScorer().score(
        frame[text_column], workers=workers, progress=len(frame) >= PARALLEL_MIN
    )
    out = frame.drop(columns=[c for c in scores.columns if c in frame.columns]).join(scores)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            out.to_csv(stream, index=False)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
