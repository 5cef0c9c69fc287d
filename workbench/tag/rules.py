"""Cold-start rule tagger: codebook cue phrases → stage, touchpoints, emotion, pain point, goal.

Before anyone has coded a segment, the codebook's cues give a first suggestion. Text and cues go
through the same pipeline: lower-case, drop apostrophes (``didn't`` → ``didnt``), split into words
with a regular expression (letters and digits; hyphens and punctuation separate words), stem each
word with nltk's Snowball English stemmer (no data files needed). A cue matches where its stemmed
words occur consecutively in the text's stemmed words, so ``install`` matches "installed" and
"installation", ``sign up`` matches "signed-up", and ``app`` never matches "happy" or "apply".
A ``*`` in a cue stands for any one word (``cut * off`` matches "cut us off").

Within a section (stages, touchpoints, ...), matches do not overlap: at each position the longest
matching cue wins ("first bill" beats "bill"). Cues of different sections are matched
independently. An emotion cue preceded within two words by a negator ("not", "wasn't", "never")
is ignored, so "not happy" does not count as satisfaction (a codebook may list "not happy" itself).

Scores and decisions
--------------------
* **Stage.** Each stage scores the sum of the word lengths of its *distinct* matched cues (a
  three-word phrase is stronger evidence than one word; repeating a cue adds nothing). The top
  stage wins (ties: more distinct cues, then the earlier first match). With ``top`` and ``second``
  the two best scores::

      confidence = (1 - exp(-top / 2)) * top / (top + second)

  The first factor grows with the strength of the evidence (one one-word cue 0.39, four words
  0.86); the second is 1 without a rival and 0.5 on a tie. It lies in [0, 1) and is 0 (with
  stage ``None``) when no stage cue matches.
* **Touchpoints.** Every touchpoint with a matched cue, in codebook order (multi-label).
* **Emotion.** The top-scoring emotion as for stages, ``None`` without an emotion cue.
* **Pain point.** ``True`` when a pain point's *strong* cue matches ("didn't turn up",
  "overcharged"), or when a plain pain cue ("on hold", "kept") matches in a negative segment: VADER
  compound ≤ ``NEGATIVE_COMPOUND`` (-0.05) when ``sentiment`` is given, or a matched emotion with
  negative valence.
* **Goal.** ``True`` when any goal cue matches ("I wanted to", "so that", "I need").

Examples
--------
>>> from workbench.codebook import builtin_codebook
>>> tagger = RuleTagger(builtin_codebook()).fit()
>>> row = tagger.predict_frame(["The engineer never turned up to install the router."]).iloc[0]
>>> row["stage"], row["touchpoints"], bool(row["pain_point"])
('onboarding', ['in_person'], True)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from nltk.stem.snowball import SnowballStemmer
from sklearn.exceptions import NotFittedError

from workbench import schema
from workbench.codebook import Codebook

NEGATIVE_COMPOUND = -0.05
NEGATION_WINDOW = 2
WILDCARD = "*"
_SECTIONS = ("stages", "touchpoints", "emotions", "pain_points", "goals")
_STAGE, _TOUCH, _EMOTION, _PAIN, _GOAL = range(5)
_NEGATORS = frozenset(
    "not no never nor isnt wasnt arent werent dont didnt doesnt cant couldnt wont wouldnt "
    "shouldnt hardly barely nt".split()
)
_TOKEN_RE = re.compile(r"[^\W_]+")
_APOSTROPHES = ("'", "’", "‘", "`", "´")
_STEMMER = SnowballStemmer("english")
_NO_MATCH = (None, 0.0, [], None, False, False, None)


class _StemCache(dict):
    """word → stem; a dict lookup (C speed) for known words, the stemmer for new ones."""

    max_size = 1 << 19

    def __missing__(self, word: str) -> str:
        if len(self) >= self.max_size:  # bound memory on unbounded vocabularies
            self.clear()
        value = self[word] = _STEMMER.stem(word)
        return value


_STEMS = _StemCache()
_stem_cached = _STEMS.__getitem__


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Snowball English stem of one lower-case word (cached).

    >>> stem("installation"), stem("installed"), stem("happy")
    ('instal', 'instal', 'happi')
    """
    return _STEMMER.stem(word)


def tokenize(text: str) -> list[str]:
    """Lower-case words of ``text``, apostrophes dropped, split on anything else.

    >>> tokenize("Didn't turn-up at 9:30, app/website!")
    ['didnt', 'turn', 'up', 'at', '9', '30', 'app', 'website']
    """
    text = text.lower()
    for mark in _APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "")
    return _TOKEN_RE.findall(text)


def stem_tokens(text: str) -> tuple[str, ...]:
    """Stemmed words of ``text`` (the sequence cues are matched against)."""
    return tuple(map(_stem_cached, tokenize(text)))


def cue_pattern(cue: str) -> tuple[str, ...]:
    """Stemmed word sequence of a cue phrase; ``*`` is kept as a one-word wildcard.

    >>> cue_pattern("Didn't turn up"), cue_pattern("cut * off")
    (('didnt', 'turn', 'up'), ('cut', '*', 'off'))
    """
    out: list[str] = []
    for chunk in cue.split():
        out.extend([WILDCARD] if chunk == WILDCARD else map(stem, tokenize(chunk)))
    return tuple(out)


def _split_entries(entries: list[tuple]) -> tuple[dict[str, list[tuple]], list[tuple], list[tuple]]:
    """Group cues sharing a first word by their second word (longest first within each group)."""
    entries = sorted(entries, key=lambda e: (-e[1], e[2], e[5]))
    by_second: dict[str, list[tuple]] = {}
    wild_second, singles = [], []
    for entry in entries:
        rest = entry[0]
        if not rest:
            singles.append(entry)
        elif rest[0] == WILDCARD:
            wild_second.append(entry)
        else:
            by_second.setdefault(rest[0], []).append(entry)
    return by_second, wild_second, singles


class RuleTagger:
    """Tag texts with a codebook's cue phrases (no training data needed).

    Parameters
    ----------
    codebook : Codebook
        Stages, touchpoints, emotions, pain points and goals with their cues.

    Attributes
    ----------
    index_ : dict[str, tuple[dict[str, list[tuple]], list[tuple], list[tuple]]]
        First stemmed word → ``(by second word, second word is "*", one-word cues)``; each a
        list of cues ``(rest, length, section, code, strong, cue_id, has_wildcard)``,
        longest first.
    cues_ : list[tuple[str, str, str]]
        ``(section, code, cue text)`` by cue id; cues of one code that stem alike
        ("install", "installation") are compiled once.
    conflicts_ : list[tuple[str, tuple[str, ...], list[str]]]
        ``(section, stemmed pattern, codes)`` for cues that stem alike under different codes of
        one section (they score for every such code; worth fixing in the codebook).
    codebook_hash_ : str
        Hash of the codebook the patterns were compiled from.
    """

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook

    def __repr__(self) -> str:
        return f"RuleTagger(codebook={self.codebook.name!r} [{self.codebook.hash}])"

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Estimator parameters (scikit-learn convention)."""
        return {"codebook": self.codebook}

    def set_params(self, **params: Any) -> RuleTagger:
        """Set estimator parameters (scikit-learn convention)."""
        for key, value in params.items():
            if key != "codebook":
                raise ValueError(f"RuleTagger has no parameter {key!r}; expected 'codebook'")
            self.codebook = value
        return self

    # --- fitting ------------------------------------------------------------------------------

    def fit(self, X: Any = None, y: Any = None) -> RuleTagger:
        """Compile the codebook's cues into stemmed patterns; ``X`` and ``y`` are ignored."""
        cb = self.codebook
        index: dict[str, list[tuple]] = {}
        cues: list[tuple[str, str, str]] = []
        owners: dict[tuple[int, tuple[str, ...]], set[str]] = {}
        for sec, name in enumerate(_SECTIONS):
            for code_idx, code in enumerate(getattr(cb, name)):
                # Strong cues first: a phrase listed both ways (or stemming alike) counts as strong.
                patterns: dict[tuple[str, ...], tuple[str, bool]] = {}
                for phrase, strong in [(c, True) for c in code.strong_cues] + [
                    (c, False) for c in code.cues
                ]:
                    pattern = cue_pattern(phrase)
                    if pattern and pattern[0] != WILDCARD:
                        patterns.setdefault(pattern, (phrase, strong))
                for pattern, (phrase, strong) in patterns.items():
                    owners.setdefault((sec, pattern), set()).add(code.code)
                    rest = pattern[1:]
                    entry = (rest, len(pattern), sec, code_idx, strong, len(cues), WILDCARD in rest)
                    index.setdefault(pattern[0], []).append(entry)
                    cues.append((name, code.code, phrase))
        self.index_ = {word: _split_entries(entries) for word, entries in index.items()}
        self.cues_ = cues
        self.conflicts_ = [
            (_SECTIONS[sec], pattern, sorted(codes))
            for (sec, pattern), codes in owners.items()
            if len(codes) > 1
        ]
        self.codebook_hash_ = cb.hash
        self._codes = [tuple(c.code for c in getattr(cb, name)) for name in _SECTIONS]
        self._negative_emotion = [c.valence == "negative" for c in cb.emotions]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("RuleTagger is not fitted yet; call fit() first")

    # --- matching -----------------------------------------------------------------------------

    def _match(self, stems: tuple[str, ...]) -> list[tuple[int, int, int, bool, int, int]]:
        """Longest matches, non-overlapping per section: (section, code, cue, strong, pos, len)."""
        index = self.index_
        n = len(stems)
        covered = [0, 0, 0, 0, 0]
        found: list[tuple[int, int, int, bool, int, int]] = []
        for i, word in enumerate(stems):
            slot = index.get(word)
            if slot is None:
                continue
            by_second, wild_second, singles = slot
            best = [0, 0, 0, 0, 0]
            groups = []
            if i + 1 < n:
                if by_second:
                    longer = by_second.get(stems[i + 1])
                    if longer:
                        groups.append(longer)
                if wild_second:
                    groups.append(wild_second)
            if singles:
                groups.append(singles)
            for entries in groups:
                for rest, length, sec, code, strong, cue_id, wild in entries:
                    if covered[sec] > i or length < best[sec]:
                        continue
                    if length > 2:
                        end = i + length
                        if end > n:
                            continue
                        if wild:
                            window = stems[i + 1 : end]
                            if any(
                                p != WILDCARD and p != w for p, w in zip(rest, window, strict=True)
                            ):
                                continue
                        elif stems[i + 2 : end] != rest[1:]:
                            continue
                    if sec == _EMOTION and _NEGATORS.intersection(
                        stems[max(0, i - NEGATION_WINDOW) : i]
                    ):
                        continue
                    best[sec] = length
                    found.append((sec, code, cue_id, strong, i, length))
            for sec in range(5):
                if best[sec]:
                    covered[sec] = i + best[sec]
        return found

    @staticmethod
    def _winner(scores: dict[int, list[int]]) -> tuple[int | None, float]:
        """Top code and confidence from {code: [score, n_cues, first_pos]}."""
        if not scores:
            return None, 0.0
        if len(scores) == 1:
            (code, (top, _, _)), second = next(iter(scores.items())), 0
        else:
            ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[1][2]))
            code, top, second = ranked[0][0], ranked[0][1][0], ranked[1][1][0]
        return code, (1.0 - math.exp(-top / 2.0)) * top / (top + second)

    def _tag(self, text: str, compound: float | None) -> tuple:
        found = self._match(stem_tokens(text)) if text else None
        if not found:
            return _NO_MATCH
        stage_scores: dict[int, list[int]] = {}
        emotion_scores: dict[int, list[int]] = {}
        touch: set[int] = set()
        seen: set[int] = set()
        strong = weak = goal = False
        pain_code: int | None = None
        strong_code: int | None = None
        for sec, code, cue_id, is_strong, pos, length in found:
            if sec in (_STAGE, _EMOTION):
                if cue_id in seen:
                    continue
                seen.add(cue_id)
                scores = stage_scores if sec == _STAGE else emotion_scores
                entry = scores.get(code)
                if entry is None:
                    scores[code] = [length, 1, pos]
                else:
                    entry[0] += length
                    entry[1] += 1
            elif sec == _TOUCH:
                touch.add(code)
            elif sec == _PAIN:
                if is_strong:
                    strong = True
                    strong_code = code if strong_code is None else strong_code
                else:
                    weak = True
                pain_code = code if pain_code is None else pain_code
            else:
                goal = True
        stage, confidence = self._winner(stage_scores)
        emotion, _ = self._winner(emotion_scores)
        pain = strong
        if weak and not pain:
            negative = compound is not None and compound <= NEGATIVE_COMPOUND
            pain = negative or (emotion is not None and self._negative_emotion[emotion])
        codes = self._codes
        return (
            None if stage is None else codes[_STAGE][stage],
            confidence,
            [codes[_TOUCH][t] for t in sorted(touch)],
            None if emotion is None else codes[_EMOTION][emotion],
            pain,
            goal,
            None if not pain else codes[_PAIN][strong_code if strong else pain_code],
        )

    # --- public prediction API ----------------------------------------------------------------

    def predict_frame(
        self, texts: Iterable[str] | pd.Series, sentiment: Sequence[float] | None = None
    ) -> pd.DataFrame:
        """Tag each text; one row per text (a Series keeps its index).

        Parameters
        ----------
        texts : iterable of str
            Segment texts; missing values are treated as empty text.
        sentiment : array-like of float, optional
            VADER compound score per text (NaN = unknown), used for the pain-point decision.

        Returns
        -------
        pandas.DataFrame
            Columns ``stage``, ``stage_confidence``, ``touchpoints`` (list of codes),
            ``emotion``, ``pain_point``, ``goal``, ``pain_category`` (the pain-point category whose
            cue fired: a strong cue's first, else the first) and ``code_source`` (``"rule"``).
        """
        self._check_fitted()
        index = texts.index if isinstance(texts, pd.Series) else None
        values = list(texts)
        if sentiment is None:
            compounds: list[float | None] = [None] * len(values)
        else:
            compounds = [None if v is None or v != v else float(v) for v in sentiment]
            if len(compounds) != len(values):
                raise ValueError(
                    f"sentiment has {len(compounds)} values for {len(values)} texts; "
                    "expected one compound score per text"
                )
        tag = self._tag
        rows = [
            tag(t if isinstance(t, str) else "", c) for t, c in zip(values, compounds, strict=True)
        ]
        stage, conf, touch, emotion, pain, goal, category = (
            zip(*rows, strict=True) if rows else ([],) * 7
        )
        touchpoints = np.empty(len(rows), dtype=object)
        for i, codes in enumerate(touch):
            touchpoints[i] = codes if codes else []  # a fresh list per row
        return pd.DataFrame(
            {
                schema.STAGE: pd.array(list(stage), dtype="string"),
                schema.STAGE_CONFIDENCE: np.asarray(conf, dtype="float64"),
                schema.TOUCHPOINTS: touchpoints,
                schema.EMOTION: pd.array(list(emotion), dtype="string"),
                schema.PAIN_POINT: np.asarray(pain, dtype=bool),
                schema.GOAL: np.asarray(goal, dtype=bool),
                schema.PAIN_CATEGORY: pd.array(list(category), dtype="string"),
                schema.CODE_SOURCE: pd.array([schema.SOURCE_RULE] * len(rows), dtype="string"),
            },
            index=index,
        )

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """Stage code per text (``None`` where no stage cue matches)."""
        return self.predict_frame(texts)[schema.STAGE].to_numpy(dtype=object, na_value=None)

    def explain(self, text: str) -> dict[str, list[tuple[str, str]]]:
        """Matched ``(code, cue)`` pairs per section, in text order — why a suggestion was made.

        >>> from workbench.codebook import builtin_codebook
        >>> RuleTagger(builtin_codebook()).fit().explain("I rang the helpline")["touchpoints"]
        [('phone', 'rang'), ('phone', 'helpline')]
        """
        self._check_fitted()
        out: dict[str, list[tuple[str, str]]] = {name: [] for name in _SECTIONS}
        for _sec, _code, cue_id, _strong, _pos, _len in self._match(stem_tokens(text)):
            name, code, phrase = self.cues_[cue_id]
            out[name].append((code, phrase))
        return out
