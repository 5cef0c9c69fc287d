"""What kind of question a survey column is, from its answers as well as its header.

Headers alone mislead on real exports: a ``ZIP code``, ``State``, ``Company``, ``Issue`` or
``URL`` column has no header cue, and was read as open text, so a 1,532-complaint export
became 13,374 "segments", 71% of them ZIP codes, state codes and company names. A 0/1
``Recommended IND`` column was read as NPS (-100 everywhere). :func:`classify` therefore reads
the answers first:

* **identifiers and codes** (``Clothing ID``, ZIP codes ``123XX``, SKUs), **dates**, **URLs**,
  **emails** and **names** (short, capitalised, mostly distinct) are never open text;
* **yes/no** answers (yes/no, y/n, true/false, 0/1) are a share, with ``recommend`` (or
  ``retention``) as their metric when the header says so; never NPS;
* **NPS** needs a recommend / likely header *and* a 0–10 scale (answers above 5);
* **ratings** get their scale: declared in the header (``(1-5)``, ``out of 10``), written in
  the answers (``4/5``) or the smallest usual scale holding every answer; a column whose
  answers break their declared scale, or carry two scales, is ``mixed`` and never averaged;
* **numbers** with many values (age, counts) are ``numeric``;
* **choices**: few distinct, repeated values (department, state, company, issue labels);
  comma- or semicolon-joined sets of them are **multiple choice**;
* **open text**: varied, sentence-like answers (lower-case words, several words each).

A guess that could reasonably be another kind carries ``unsure`` (the reason), which ingest
reports as a warning with the ``survey.kinds`` setting that overrides it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from workbench import schema
from workbench.errors import ConfigError

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.\w+")
_URL = re.compile(r"(https?://|www\.)\S+", re.I)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/.#]*")
_ON_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:/|out of|of)\s*(\d+)", re.I)
_DECLARED = re.compile(
    r"\(\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*\)|\b(\d+)\s*(?:-|–|to)\s*(\d+)\s*scale|"
    r"scale of\s*(\d+)\s*(?:-|–|to)\s*(\d+)|out of\s*(\d+)|/\s*(\d+)\s*\)?$",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+")
_LOWER_WORD = re.compile(r"\b[a-z]{2,}\b")
_SENTENCE = re.compile(r"[.!?,;:]")
_OPEN_CUES = re.compile(
    r"\b(why|describe|tell us|tell me|comments?|explain|anything else|free text|feedback|"
    r"suggest\w*|in your own words|please specify|what could|improve|review|narrative|"
    r"complaint|story|verbatim|reason)\b",
    re.I,
)
_CHOICE_CUES = re.compile(r"\b(choice|select|which of|choose|all that apply|tick)\b", re.I)
_ID_CUES = re.compile(r"\b(id|ids|identifier|code|number|no|zip|postcode|sku|ref)\b", re.I)
_CLOSED_CUES = re.compile(
    r"\b(zip|post ?code|postal|state|province|county|country|city|region|company|brand|"
    r"product|sub-?product|issue|sub-?issue|category|department|division|class|channel|"
    r"url|website|link|author|user ?name|reviewer|airport|lounge|airline|route|aircraft|"
    r"tags?|type)\b",
    re.I,
)
_NPS_CUES = re.compile(r"\brecommend|\bnps\b", re.I)
_LIKELY = re.compile(r"\blikely\b", re.I)
_RATING_CUES = re.compile(
    r"\b(rate|rating|ratings|score|satisf\w*|scale|stars?|agree|how (good|well|much|easy)|"
    r"likely|quality|overall|csat|ces|effort|eas(y|e|ier)|difficult)\b",
    re.I,
)
_CSAT_CUES = re.compile(r"satisf|\bcsat\b", re.I)
_CES_CUES = re.compile(r"\beas(y|e|ier|iest)\b|\beffort|\bces\b|\bdifficult", re.I)
_RETENTION_CUES = re.compile(r"\b(renew\w*|still a customer|retain\w*|retention)\b", re.I)
_CONVERSION_CUES = re.compile(r"\b(convert\w*|conversion)\b", re.I)
#: Answers that say "no answer" in a rating or number column (they are kept, never averaged).
NON_ANSWERS = frozenset(
    {"n/a", "na", "none", "-", "--", "dk", "don't know", "dont know", "not applicable",
     "prefer not to say", "no answer", "skip", "skipped", "?"}
)  # fmt: skip
YES = frozenset({"yes", "y", "true", "1", "1.0"})
NO = frozenset({"no", "n", "false", "0", "0.0"})
#: Usual rating scales, smallest first: a column's scale is the first holding every answer.
SCALES = ((1, 3), (1, 4), (1, 5), (0, 5), (1, 7), (0, 7), (1, 10), (0, 10))
MIXED = "mixed"
_SAMPLE = 2000

#: Kinds a study config may set (``survey.kinds``), with the metric each one implies.
KIND_SETTINGS: dict[str, tuple[str, str | None]] = {
    "open": (schema.KIND_OPEN, None),
    "open_text": (schema.KIND_OPEN, None),
    "text": (schema.KIND_OPEN, None),
    "nps": (schema.KIND_NPS, schema.METRIC_NPS),
    "recommend": (schema.KIND_YES_NO, schema.METRIC_RECOMMEND),
    "retention": (schema.KIND_YES_NO, schema.METRIC_RETENTION),
    "conversion": (schema.KIND_YES_NO, schema.METRIC_CONVERSION),
    "yes_no": (schema.KIND_YES_NO, None),
    "rating": (schema.KIND_RATING, None),
    "scale": (schema.KIND_RATING, None),
    "csat": (schema.KIND_RATING, schema.METRIC_CSAT),
    "ces": (schema.KIND_RATING, schema.METRIC_CES),
    "numeric": (schema.KIND_NUMERIC, None),
    "choice": (schema.KIND_CHOICE, None),
    "multiple_choice": (schema.KIND_MULTI, None),
    "id": (schema.KIND_ID, None),
    "date": (schema.KIND_DATE, None),
    "url": (schema.KIND_URL, None),
    "email": (schema.KIND_EMAIL, None),
    "name": (schema.KIND_NAME, None),
    "metadata": (schema.KIND_METADATA, None),
    "meta": (schema.KIND_METADATA, None),
}


@dataclass(frozen=True, slots=True)
class KindGuess:
    """What a column is: its kind, the metric it feeds, its scale and how sure the guess is.

    ``scale`` is ``"low-high"`` for ratings and NPS (``"mixed"`` when the answers break it);
    ``unsure`` is the reason a guess may be wrong, or None.
    """

    kind: str
    metric: str | None = None
    scale: str | None = None
    unsure: str | None = None


@dataclass(frozen=True, slots=True)
class ColumnFacts:
    """What the answers of a column look like (non-blank answers only)."""

    n: int
    distinct: int
    mean_words: float
    lower_share: float
    title_share: float
    sentence_share: float

    @property
    def distinct_ratio(self) -> float:
        return self.distinct / self.n if self.n else 0.0


def facts(values: list[str]) -> ColumnFacts:
    """Summarise the answers of a column (a sample of at most 2,000 distinct answers).

    Examples
    --------
    >>> f = facts(["Fits well, soft fabric", "Too small in the hips", "Fits well, soft fabric"])
    >>> f.n, f.distinct, round(f.mean_words, 1), f.lower_share
    (3, 2, 4.5, 1.0)
    """
    counts = Counter(values)
    sample = list(counts)[:_SAMPLE]
    words = [_WORD.findall(v) for v in sample]
    k = max(len(sample), 1)
    titled = sum(
        bool(w) and all(x[0].isupper() for x in w) and not _SENTENCE.search(v.rstrip("."))
        for v, w in zip(sample, words, strict=True)
    )
    return ColumnFacts(
        n=len(values),
        distinct=len(counts),
        mean_words=sum(map(len, words)) / k,
        lower_share=sum(bool(_LOWER_WORD.search(v)) for v in sample) / k,
        title_share=titled / k,
        sentence_share=sum(bool(_SENTENCE.search(v)) for v in sample) / k,
    )


def declared_scale(text: str) -> tuple[int, int] | None:
    """The scale a header declares (``Rate us (1-5)``, ``out of 10``), or None.

    Examples
    --------
    >>> declared_scale("Rate our app (1-5)"), declared_scale("Overall, out of 10")
    ((1, 5), (1, 10))
    >>> declared_scale("How likely are you to recommend us?") is None
    True
    """
    match = _DECLARED.search(text)
    if not match:
        return None
    groups = [g for g in match.groups() if g is not None]
    if len(groups) == 1:
        return 1, int(groups[0])
    low, high = int(groups[0]), int(groups[1])
    return (low, high) if low < high <= 100 else None


def usual_scale(low: float, high: float) -> tuple[int, int]:
    """The smallest usual scale holding answers from ``low`` to ``high``.

    Examples
    --------
    >>> usual_scale(1, 5), usual_scale(0, 9), usual_scale(2, 4)
    ((1, 5), (0, 10), (1, 4))
    """
    for a, b in SCALES:
        if a <= low and high <= b:
            return a, b
    return math.floor(low), math.ceil(high)


def scale_label(scale: tuple[int, int]) -> str:
    return f"{scale[0]}-{scale[1]}"


def on_scale(value: str) -> tuple[float, int] | None:
    """``(answer, top of scale)`` of an answer written with its scale (``4/5``, ``8 out of 10``).

    Examples
    --------
    >>> on_scale("4/5"), on_scale("8 out of 10"), on_scale("great")
    ((4.0, 5), (8.0, 10), None)
    """
    match = _ON_SCALE.fullmatch(value.strip())
    if not match:
        return None
    answer, top = float(match.group(1)), int(match.group(2))
    return (answer, top) if 0 <= answer <= top and top in (3, 4, 5, 7, 10) else None


def yes_no(value: str) -> float | None:
    """1 for a yes answer, 0 for a no, None otherwise.

    Examples
    --------
    >>> yes_no("Yes"), yes_no("FALSE"), yes_no("0"), yes_no("maybe")
    (1.0, 0.0, 0.0, None)
    """
    key = value.strip().casefold()
    if key in YES:
        return 1.0
    if key in NO:
        return 0.0
    return None


def numbers(distinct: list[str]) -> list[float] | None:
    """Every distinct answer as a finite number, or None when one is not a number."""
    out = []
    for value in distinct:
        value = value.strip()
        if not _NUMBER.fullmatch(value):
            return None
        number = float(value)
        if not math.isfinite(number):
            return None
        out.append(number)
    return out


def multi_select(distinct: list[str], values: list[str]) -> bool:
    """Whether answers are sets of a few options joined by commas or semicolons."""
    joined = [v for v in distinct if "," in v or ";" in v]
    if not joined:
        return False
    tokens = [t.strip() for v in values for t in re.split(r"[,;]", v) if t.strip()]
    options = set(tokens)
    mean = sum(map(len, options)) / len(options)
    words = sum(len(t.split()) for t in options) / len(options)
    return len(options) <= 25 and mean <= 40 and words <= 5 and len(tokens) >= 2 * len(options)


def rating_metric(cues: str, scale: tuple[int, int]) -> str | None:
    """CSAT for a satisfaction question on 1–5 (or 1–7), CES for an effort question."""
    low, high = scale
    if _CSAT_CUES.search(cues) and low >= 1 and high <= 7:
        return schema.METRIC_CSAT
    if _CES_CUES.search(cues) and low >= 1 and high <= 7:
        return schema.METRIC_CES
    return None


def _yes_no_metric(cues: str) -> str | None:
    if _NPS_CUES.search(cues):
        return schema.METRIC_RECOMMEND
    if _RETENTION_CUES.search(cues):
        return schema.METRIC_RETENTION
    if _CONVERSION_CUES.search(cues):
        return schema.METRIC_CONVERSION
    return None


def _beyond(values: list[str], scale: tuple[int, int]) -> str:
    """``"812 answers within 1-5, 188 above it"`` for answers that break a declared scale."""
    inside = above = below = 0
    for value in values:
        number = value_number(schema.KIND_RATING, value)
        if math.isnan(number):
            continue
        if number > scale[1]:
            above += 1
        elif number < scale[0]:
            below += 1
        else:
            inside += 1
    parts = [f"{inside:,} answers within {scale_label(scale)}"]
    parts += [f"{above:,} above it"] if above else []
    parts += [f"{below:,} below it"] if below else []
    return ", ".join(parts)


def _numeric(cues: str, header: str, nums: list[float], values: list[str]) -> KindGuess:
    n = len(values)
    low, high = min(nums), max(nums)
    integers = all(x.is_integer() for x in nums)
    declared = declared_scale(header)
    if _ID_CUES.search(cues) and integers and not _RATING_CUES.search(cues):
        return KindGuess(schema.KIND_ID)
    if declared:
        if low < declared[0] or high > declared[1]:
            return KindGuess(
                schema.KIND_RATING,
                None,
                MIXED,
                f"answers from {low:g} to {high:g} on a question that declares "
                f"{scale_label(declared)} ({_beyond(values, declared)}): mixed or wrong scale, "
                "not averaged",
            )
        return KindGuess(schema.KIND_RATING, rating_metric(cues, declared), scale_label(declared))
    if not (integers and low >= 0 and high <= 10):
        return KindGuess(schema.KIND_NUMERIC)
    scale = usual_scale(low, high)
    if _NPS_CUES.search(cues) or (_LIKELY.search(cues) and high > 7):
        if high > 5:
            return KindGuess(schema.KIND_NPS, schema.METRIC_NPS, "0-10")
        return KindGuess(
            schema.KIND_RATING,
            None,
            scale_label(scale),
            f"a recommend question answered on {scale_label(scale)}, not the 0-10 NPS "
            "scale: reported as a rating",
        )
    if _CHOICE_CUES.search(cues):
        return KindGuess(schema.KIND_CHOICE)
    unsure = None
    if not _RATING_CUES.search(cues) and len(nums) <= 4 and n >= 10:
        shown = ", ".join(f"{x:g}" for x in sorted(nums))
        unsure = f"only the numbers {shown}: a rating, or choices coded as numbers"
    return KindGuess(schema.KIND_RATING, rating_metric(cues, scale), scale_label(scale), unsure)


def _on_scale_kind(cues: str, values: list[str]) -> KindGuess:
    tops = Counter(top for _, top in (on_scale(v) for v in values) if top)
    if len(tops) > 1:
        listed = ", ".join(f"out of {top} ({count:,})" for top, count in sorted(tops.items()))
        return KindGuess(
            schema.KIND_RATING, None, MIXED, f"answers on several scales: {listed}; not averaged"
        )
    top = next(iter(tops))
    scale = (1, top)
    return KindGuess(schema.KIND_RATING, rating_metric(cues, scale), scale_label(scale))


def _text(cues: str, f: ColumnFacts, distinct: list[str]) -> KindGuess:
    sample = distinct[:_SAMPLE]
    if all(_URL.match(v) for v in sample):
        return KindGuess(schema.KIND_URL)
    if all(_EMAIL.fullmatch(v) for v in sample):
        return KindGuess(schema.KIND_EMAIL)
    if all(_DATE.fullmatch(v) for v in sample):
        return KindGuess(schema.KIND_DATE)
    coded = sum(bool(_CODE.fullmatch(v)) and any(c.isdigit() for c in v) for v in sample)
    if coded >= 0.9 * len(sample) and f.distinct > 15:
        return KindGuess(schema.KIND_ID)
    repeated = f.distinct <= 15 and (f.n >= 2 * f.distinct or (f.n < 10 and f.mean_words <= 3))
    long_text = f.mean_words >= 8 and f.distinct_ratio >= 0.3
    sentences = f.mean_words >= 2 and f.distinct_ratio >= 0.5 and f.lower_share >= 0.5
    if _CLOSED_CUES.search(cues) and not (f.mean_words >= 8 and f.distinct_ratio >= 0.5):
        long_text = sentences = False
    if long_text or (sentences and f.title_share < 0.8):
        return KindGuess(schema.KIND_OPEN)
    if f.title_share >= 0.8 and f.mean_words <= 4 and f.distinct_ratio >= 0.5 and f.n >= 20:
        return KindGuess(schema.KIND_NAME)
    asks_for_text = _OPEN_CUES.search(cues) and not _CHOICE_CUES.search(cues)
    labels = f.distinct <= 15 and f.n >= 2 * f.distinct  # a few answers, each given often
    if asks_for_text and not labels and (f.distinct_ratio >= 0.3 or f.n < 10):
        return KindGuess(schema.KIND_OPEN)
    if repeated or f.distinct_ratio <= 0.5 or _CHOICE_CUES.search(cues):
        unsure = None
        if f.distinct > 30:
            unsure = f"{f.distinct:,} distinct short answers: read as categories"
        return KindGuess(schema.KIND_CHOICE, unsure=unsure)
    return KindGuess(
        schema.KIND_OPEN,
        unsure=f"short answers ({f.mean_words:.1f} words on average), mostly distinct: read "
        "as open text",
    )


def classify(qid: str, text: str, values: list[str]) -> KindGuess:
    """The kind of a survey column from its id, header text and non-blank answers.

    Vendor hints (metadata columns, ``_TEXT`` columns) are handled by the caller.

    Examples
    --------
    >>> classify("Q1", "How likely are you to recommend Brightwave to a friend?", ["10", "7", "0"])
    KindGuess(kind='nps', metric='nps', scale='0-10', unsure=None)
    >>> classify("rec", "Recommended IND", ["1", "0", "1"])
    KindGuess(kind='yes_no', metric='recommend', scale=None, unsure=None)
    >>> classify("Q2", "How satisfied are you?", ["4", "5", "2"])
    KindGuess(kind='rating', metric='csat', scale='1-5', unsure=None)
    >>> zips = ["123XX", "90210", "606XX"] * 10 + [f"{i:05d}" for i in range(20)]
    >>> classify("zip", "ZIP code", zips).kind
    'id'
    """
    cues = f"{qid.replace('_', ' ')} {text}"
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return KindGuess(schema.KIND_OPEN if _OPEN_CUES.search(cues) else schema.KIND_CHOICE)
    if all(yes_no(v) is not None for v in distinct) and (len(distinct) > 1 or _yes_no_metric(cues)):
        return KindGuess(schema.KIND_YES_NO, _yes_no_metric(cues))
    answered = [v for v in distinct if v.strip().casefold() not in NON_ANSWERS] or distinct
    nums = numbers(answered[:_SAMPLE] if len(answered) > 1000 else answered)
    if nums is not None:
        if any(len(v) > 1 and v.startswith("0") and v.isdigit() for v in answered):
            return KindGuess(schema.KIND_ID)  # numbers never have leading zeros; codes do
        return _numeric(cues, text, nums, values)
    if all(on_scale(v) for v in answered):
        return _on_scale_kind(cues, values)
    if multi_select(distinct, values):
        return KindGuess(schema.KIND_MULTI)
    return _text(cues, facts(values), distinct)


def resolve_kind(value: str, where: str) -> KindGuess:
    """A configured kind (``nps``, ``recommend``, ``csat``, ``open``...) as a guess to refine.

    Examples
    --------
    >>> resolve_kind("Recommend", "kinds['x']")
    KindGuess(kind='yes_no', metric='recommend', scale=None, unsure=None)
    """
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in KIND_SETTINGS:
        raise ConfigError(
            f"{where}: unknown question kind {value!r}; expected one of "
            f"{', '.join(sorted(KIND_SETTINGS))}"
        )
    kind, metric = KIND_SETTINGS[key]
    return KindGuess(kind, metric)


def value_number(kind: str, value: str) -> float:
    """The number an answer stands for (NaN when it stands for none).

    Yes/no answers are 1/0, ``4/5`` is 4; other answers are their number.

    Examples
    --------
    >>> value_number("yes_no", "Yes"), value_number("rating", "4/5"), value_number("rating", "N/A")
    (1.0, 4.0, nan)
    """
    if kind == schema.KIND_YES_NO:
        answer = yes_no(value)
        return math.nan if answer is None else answer
    value = value.strip()
    if _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else math.nan
    parsed = on_scale(value)
    return parsed[0] if parsed else math.nan
