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
from workbench.ingest.answer_values import (
    MIXED,
    declared_scale,
    is_non_answer,
    numbers,
    on_scale,
    scale_label,
    usual_scale,
    value_number,
    yes_no,
)

_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.\w+")
_URL = re.compile(r"(https?://|www\.)\S+", re.I)
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/.#]*")
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
_ID_CUES = re.compile(r"\b(id|ids|identifier|code|zip|postcode|sku|ref)\b", re.I)
_COUNT_CUES = re.compile(r"\b(how many|number of|count|times|amount|spend|spent|age)\b", re.I)
_NAME_CUES = re.compile(r"\b(name|author|reviewer|user ?name|customer|agent|by)\b", re.I)
_ALL_THAT_APPLY = re.compile(r"all that apply|select all|tick all|check all|multiple", re.I)
_CLOSED_CUES = re.compile(
    r"\b(zip|post ?code|postal|state|province|county|country|city|region|company|brand|"
    r"product|sub-?product|issue|sub-?issue|category|department|division|class|channel|"
    r"url|website|link|author|user ?name|reviewer|airport|lounge|airline|route|aircraft|"
    r"tags?|type)\b",
    re.I,
)
_NPS_CUES = re.compile(r"\brecommend|\bnps\b", re.I)
_RATING_CUES = re.compile(
    r"\b(rate|rating|ratings|score|satisf\w*|scale|stars?|agree|how (good|well|much|easy)|"
    r"likely|quality|overall|csat|ces|effort|eas(y|e|ier)|difficult)\b",
    re.I,
)
_CSAT_CUES = re.compile(r"satisf|\bcsat\b", re.I)
_CES_CUES = re.compile(r"\beas(y|e|ier|iest)\b|\beffort|\bces\b|\bdifficult", re.I)
_RETENTION_CUES = re.compile(r"\b(renew\w*|still a customer|retain\w*|retention)\b", re.I)
_CONVERSION_CUES = re.compile(r"\b(convert\w*|conversion)\b", re.I)
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

    ``scale`` is ``"low-high"`` for ratings and NPS (``"mixed"`` when the answers break it),
    ``declared`` when the header, the answers (``4/5``) or the study config said it rather than
    the range of the answers; ``unsure`` is the reason a guess may be wrong, or None.
    """

    kind: str
    metric: str | None = None
    scale: str | None = None
    unsure: str | None = None
    declared: bool = False  # the scale was written in the header, the answers or the config


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


def multi_select(cues: str, distinct: list[str], values: list[str]) -> bool:
    """Whether answers are sets of a few options joined by commas or semicolons.

    A comma inside a label ("Credit reporting, credit repair services, or other personal
    consumer reports", "Portland, OR") is not a set: the options of a real multi-select also
    come alone as whole answers, or a header says "select all that apply".

    Examples
    --------
    >>> multi_select("", ["App,Webchat", "App", "Webchat,Store", "Store"], ["App,Webchat"] * 3)
    True
    >>> multi_select("", ["Portland, OR", "Austin, TX"], ["Portland, OR", "Austin, TX"] * 5)
    False
    """
    joined = [v for v in distinct if "," in v or ";" in v]
    if not joined:
        return False
    tokens = [t.strip() for v in values for t in re.split(r"[,;]", v) if t.strip()]
    options = set(tokens)
    mean = sum(map(len, options)) / len(options)
    words = sum(len(t.split()) for t in options) / len(options)
    small = len(options) <= 25 and mean <= 40 and words <= 5 and len(tokens) >= 2 * len(options)
    if not small:
        return False
    whole = set(distinct) - set(joined)
    alone = sum(option in whole for option in options) / len(options)
    return bool(_ALL_THAT_APPLY.search(cues)) or alone >= 0.3


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
    ids = _ID_CUES.search(cues) and integers and not _RATING_CUES.search(cues)
    if ids and (len(set(values)) > 0.9 * n or not _COUNT_CUES.search(cues)):
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
        metric = rating_metric(cues, declared)
        return KindGuess(schema.KIND_RATING, metric, scale_label(declared), declared=True)
    if _COUNT_CUES.search(cues) and not _RATING_CUES.search(cues):
        return KindGuess(schema.KIND_NUMERIC)  # how many, number of: a count, never a rating
    if not (integers and low >= 0 and high <= 10):
        return KindGuess(schema.KIND_NUMERIC)
    scale = usual_scale(low, high)
    if _NPS_CUES.search(cues):
        if low >= 0 and high > 7:  # the 0-10 NPS scale: answers above 7
            return KindGuess(schema.KIND_NPS, schema.METRIC_NPS, "0-10", declared=True)
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
    elif n >= 30 and ((low, high) != scale or scale in ((1, 3), (1, 4))):
        unsure = (
            f"answers only from {low:g} to {high:g}: read as a {scale_label(scale)} scale; "
            "set survey.scales if the question was asked on a wider one"
        )
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
    return KindGuess(
        schema.KIND_RATING, rating_metric(cues, scale), scale_label(scale), declared=True
    )


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
    asks_for_text = _OPEN_CUES.search(cues) and not _CHOICE_CUES.search(cues)
    name_like = f.title_share >= 0.9 and 1.5 <= f.mean_words <= 3.5 and f.distinct_ratio >= 0.5
    if (
        name_like
        and f.n >= 20
        and not asks_for_text
        and (_NAME_CUES.search(cues) or f.distinct_ratio >= 0.8)
    ):
        return KindGuess(schema.KIND_NAME)
    labels = f.distinct <= 15 and f.n >= 2 * f.distinct  # a few answers, each given often
    if asks_for_text and not labels and (f.distinct_ratio >= 0.3 or f.n < 10):
        return KindGuess(schema.KIND_OPEN)
    if repeated or f.distinct_ratio <= 0.5 or _CHOICE_CUES.search(cues):
        unsure = None
        if f.distinct > 30:
            unsure = f"{f.distinct:,} distinct short answers: read as categories"
        return KindGuess(schema.KIND_CHOICE, unsure=unsure)
    if f.mean_words < 0.5:  # no words at all (codes, amounts): never segments
        return KindGuess(schema.KIND_METADATA, unsure="mostly distinct answers without words")
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
    KindGuess(kind='nps', metric='nps', scale='0-10', unsure=None, declared=True)
    >>> classify("rec", "Recommended IND", ["1", "0", "1"])
    KindGuess(kind='yes_no', metric='recommend', scale=None, unsure=None, declared=False)
    >>> classify("Q2", "How satisfied are you?", ["4", "5", "2"])
    KindGuess(kind='rating', metric='csat', scale='1-5', unsure=None, declared=False)
    >>> zips = ["123XX", "90210", "606XX"] * 10 + [f"{i:05d}" for i in range(20)]
    >>> classify("zip", "ZIP code", zips).kind
    'id'
    """
    cues = f"{qid.replace('_', ' ')} {text}"
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return KindGuess(schema.KIND_OPEN if _OPEN_CUES.search(cues) else schema.KIND_CHOICE)
    answered = [v for v in distinct if not is_non_answer(v)] or distinct
    binary = {yes_no(v) for v in answered}
    said = None not in binary and (len(binary) > 1 or _yes_no_metric(cues))
    if said and not _COUNT_CUES.search(cues):
        return KindGuess(schema.KIND_YES_NO, _yes_no_metric(cues))
    nums = numbers(answered[:_SAMPLE] if len(answered) > 1000 else answered)
    if nums is not None:
        if any(len(v) > 1 and v.startswith("0") and v.isdigit() for v in answered):
            return KindGuess(schema.KIND_ID)  # numbers never have leading zeros; codes do
        return _numeric(cues, text, nums, values)
    if all(on_scale(v) for v in answered):
        return _on_scale_kind(cues, values)
    if multi_select(cues, distinct, values):
        return KindGuess(schema.KIND_MULTI)
    return _text(cues, facts(values), distinct)


def resolve_kind(value: str, where: str) -> KindGuess:
    """A configured kind (``nps``, ``recommend``, ``csat``, ``open``...) as a guess to refine.

    Examples
    --------
    >>> resolve_kind("Recommend", "kinds['x']")
    KindGuess(kind='yes_no', metric='recommend', scale=None, unsure=None, declared=False)
    """
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in KIND_SETTINGS:
        raise ConfigError(
            f"{where}: unknown question kind {value!r}; expected one of "
            f"{', '.join(sorted(KIND_SETTINGS))}"
        )
    kind, metric = KIND_SETTINGS[key]
    return KindGuess(kind, metric)
