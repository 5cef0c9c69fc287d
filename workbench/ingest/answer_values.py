"""What a closed survey answer stands for: a number, yes or no, a point on a scale, or nothing.

Answers stay strings exactly as exported; these functions read them. Numbers may carry a
currency sign, a percent sign or thousands separators (``$12.50``, ``45%``, ``50,000``); yes/no
answers are ``yes/no``, ``y/n``, ``true/false`` or ``1/0``; a rating may be written with its
scale (``4/5``, ``8 out of 10``); "no answer" answers (``N/A``, ``Don't know``, ``Prefer not to
say``) stand for nothing and are never averaged.
"""

from __future__ import annotations

import math
import re

from workbench import schema

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DRESSED = re.compile(
    r"(?P<sign>[+-])?\s*(?:[$£€¥]\s*)?(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"\s*%?"
)
_ON_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:/|out of|of)\s*(\d+)", re.I)
_DECLARED = re.compile(
    r"\(\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*\)|\b(\d+)\s*(?:-|–|to)\s*(\d+)\s*scale|"
    r"scale of\s*(\d+)\s*(?:-|–|to)\s*(\d+)|out of\s*(\d+)|/\s*(\d+)\s*\)?$",
    re.I,
)

#: Answers that say "no answer" in a rating, number or yes/no column (kept, never averaged).
NON_ANSWERS = frozenset(
    {"n/a", "na", "none", "-", "--", "dk", "don't know", "dont know", "do not know",
     "not applicable", "prefer not to say", "rather not say", "no answer", "skip", "skipped",
     "?", "unknown", "not sure"}
)  # fmt: skip
YES = frozenset({"yes", "y", "true", "1", "1.0"})
NO = frozenset({"no", "n", "false", "0", "0.0"})
#: Usual rating scales, smallest first: an undeclared scale is the first holding every answer.
SCALES = ((1, 3), (1, 4), (1, 5), (0, 5), (1, 7), (0, 7), (1, 10), (0, 10))
MIXED = schema.MIXED_SCALE


def is_non_answer(value: str) -> bool:
    """Whether an answer says there is no answer (``N/A``, ``Don't know``...).

    Examples
    --------
    >>> is_non_answer(" N/A "), is_non_answer("Prefer not to say"), is_non_answer("4")
    (True, True, False)
    """
    return value.strip().casefold().replace("’", "'") in NON_ANSWERS


def number(value: str) -> float | None:
    """The number an answer writes, with or without ``$``, ``%`` or thousands separators.

    Examples
    --------
    >>> number("4"), number("$12.50"), number("50,000"), number("45%"), number("1e3")
    (4.0, 12.5, 50000.0, 45.0, 1000.0)
    >>> number("1,2"), number("three"), number("inf")
    (None, None, None)
    """
    value = value.strip()
    if _NUMBER.fullmatch(value):
        parsed = float(value)
        return parsed if math.isfinite(parsed) else None
    match = _DRESSED.fullmatch(value)
    if not match:
        return None
    parsed = float(match.group("n").replace(",", ""))
    return -parsed if match.group("sign") == "-" else parsed


def numbers(distinct: list[str]) -> list[float] | None:
    """Every distinct answer as a finite number, or None when one is not a number."""
    out = []
    for value in distinct:
        parsed = number(value)
        if parsed is None:
            return None
        out.append(parsed)
    return out


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


def scale_label(scale: tuple[float, float]) -> str:
    """``"1-5"`` for the scale ``(1, 5)``."""
    return f"{scale[0]:g}-{scale[1]:g}"


def parse_scale(label: object) -> tuple[float, float] | None:
    """``(low, high)`` of a scale label such as ``"1-5"`` (None for none or ``mixed``).

    Examples
    --------
    >>> parse_scale("1-5"), parse_scale("mixed"), parse_scale(None)
    ((1.0, 5.0), None, None)
    """
    if not isinstance(label, str) or "-" not in label:
        return None
    low, _, high = label.partition("-")
    try:
        return float(low), float(high)
    except ValueError:
        return None


def scale_family(label: object) -> int | None:
    """The kind of scale a label is on: 5 (1–5, 0–5, 1–4...), 7 or 10 points."""
    bounds = parse_scale(label)
    if bounds is None:
        return None
    return next((top for top in (5, 7) if bounds[1] <= top), 10)


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


def value_number(kind: str, value: str) -> float:
    """The number an answer stands for (NaN when it stands for none).

    Yes/no answers are 1/0, ``4/5`` is 4, ``$12.50`` is 12.5; other answers are their number.

    Examples
    --------
    >>> value_number("yes_no", "Yes"), value_number("rating", "4/5"), value_number("rating", "N/A")
    (1.0, 4.0, nan)
    """
    if kind == schema.KIND_YES_NO:
        answer = yes_no(value)
        return math.nan if answer is None else answer
    parsed = number(value)
    if parsed is not None:
        return parsed
    scaled = on_scale(value)
    return scaled[0] if scaled else math.nan
