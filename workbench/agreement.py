"""Inter-coder reliability: percent agreement, Cohen's κ, Krippendorff's α, confusion tables.

Two uses: human–human agreement (is the codebook clear enough?) and human–model agreement
(how far can the auto-coder be trusted?). Every statistic is computed only on the units that
both coders of a pair coded; the number of those units is reported next to it.

Undefined values are ``NaN``, never a made-up number:

* Cohen's κ is ``(p_o - p_e) / (1 - p_e)``; when both coders use one and the same label for every
  unit, ``p_e = 1`` and κ is ``0 / 0``. scikit-learn returns ``NaN`` (with a warning) and so do
  we. Percent agreement (1.0 then) still tells the reader what happened.
* Krippendorff's α is ``1 - D_o / D_e``; with no pairable values or no variation in the values
  (``D_e = 0``) α is undefined (Krippendorff 2011: such data are uninformative), so ``NaN``.

References
----------
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20(1), 37–46.
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
Pennsylvania, ScholarlyCommons (asc_papers/43).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from workbench import schema
from workbench.errors import WorkbenchError

# Columns of the agreement tables (not canonical tables, so defined here).
CODE = "code"
CODER_A = "coder_a"
CODER_B = "coder_b"
PAIR_TYPE = "pair_type"
N_UNITS = "n_units"
PERCENT_AGREEMENT = "percent_agreement"
KAPPA = "kappa"
ALPHA = "alpha"
RESULT_COLUMNS = (CODE, CODER_A, CODER_B, N_UNITS, PERCENT_AGREEMENT, KAPPA, ALPHA)

HUMAN_HUMAN = "human-human"
HUMAN_MODEL = "human-model"

LEVELS = ("nominal", "ordinal", "interval", "ratio")
_LIST_TYPES = (list, tuple, set, frozenset, np.ndarray)


class AgreementError(WorkbenchError):
    """Codes cannot be compared as asked (unknown coder, unpaired or malformed data)."""


# --- helpers --------------------------------------------------------------------------------
def _is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT; list-like values are never missing."""
    if value is None:
        return True
    if isinstance(value, _LIST_TYPES):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """Turn numpy scalars into Python scalars so labels compare and print plainly."""
    return value.item() if isinstance(value, np.generic) else value


def _sorted_labels(values: Any) -> list[Any]:
    """Unique labels, sorted when they are mutually comparable, else in first-seen order."""
    unique = list(dict.fromkeys(values))
    try:
        return sorted(unique)
    except TypeError:
        return unique


def _paired(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    a_list = [_plain(v) for v in a]
    b_list = [_plain(v) for v in b]
    if len(a_list) != len(b_list):
        raise AgreementError(
            f"coder a has {len(a_list)} codes and coder b has {len(b_list)} "
            "(expected one code per unit from each coder, in the same unit order)"
        )
    for position, (x, y) in enumerate(zip(a_list, b_list, strict=True)):
        if _is_missing(x) or _is_missing(y):
            who = "coder a" if _is_missing(x) else "coder b"
            raise AgreementError(
                f"unit at position {position}: {who} has no code (expected codes from both "
                "coders; drop units one coder did not code, or use krippendorff_alpha, which "
                "handles missing values)"
            )
    return a_list, b_list


# --- two-coder statistics -------------------------------------------------------------------
def percent_agreement(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Share of units on which two coders gave the same code.

    Parameters
    ----------
    a, b : sequence
        One code per unit from each coder, same unit order, no missing values.

    Returns
    -------
    float
        In [0, 1]; ``NaN`` when there are no units.

    Examples
    --------
    >>> percent_agreement(["x", "y", "y", "z"], ["x", "y", "z", "z"])
    0.75
    """
    a_list, b_list = _paired(a, b)
    if not a_list:
        return float("nan")
    return sum(x == y for x, y in zip(a_list, b_list, strict=True)) / len(a_list)


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's κ of two coders (scikit-learn's ``cohen_kappa_score``).

    Parameters
    ----------
    a, b : sequence
        One code per unit from each coder, same unit order, no missing values.

    Returns
    -------
    float
        κ in [-1, 1]. ``NaN`` when undefined: no units, or both coders used one and the same
        label for every unit (then chance agreement ``p_e`` is 1 and κ is 0/0).

    Examples
    --------
    >>> round(cohen_kappa(["y", "y", "n", "n"], ["y", "n", "n", "n"]), 3)
    0.5
    >>> cohen_kappa(["y", "y"], ["y", "y"])
    nan
    """
    a_list, b_list = _paired(a, b)
    if len(set(a_list) | set(b_list)) < 2:
        return float("nan")
    # Encode labels as integers: sklearn cannot type object arrays of booleans or mixed labels.
    index = {label: i for i, label in enumerate(dict.fromkeys(a_list + b_list))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = cohen_kappa_score([index[x] for x in a_list], [index[y] for y in b_list])
    return float(kappa)


def confusion_table(
    a: Sequence[Any],
    b: Sequence[Any],
    labels: Sequence[Any] | None = None,
    *,
    a_name: str = "coder A",
    b_name: str = "coder B",
) -> pd.DataFrame:
    """Cross-tabulate two coders' codes: rows are coder ``a``, columns coder ``b``.

    Parameters
    ----------
    a, b : sequence
        One code per unit from each coder, same unit order, no missing values.
    labels : sequence, optional
        Row and column order; labels nobody used get zero rows/columns. A code that is not
        in ``labels`` raises :class:`AgreementError` (nothing is dropped silently).
    a_name, b_name : str
        Names of the index and of the columns axis (the coders).

    Examples
    --------
    >>> table = confusion_table(["x", "y", "y"], ["x", "x", "y"], a_name="ann", b_name="ben")
    >>> table  # doctest: +NORMALIZE_WHITESPACE
    ben  x  y
    ann
    x    1  0
    y    1  1
    """
    a_list, b_list = _paired(a, b)
    if labels is None:
        labels = _sorted_labels(a_list + b_list)
    else:
        labels = [_plain(v) for v in labels]
        unknown = _sorted_labels(v for v in a_list + b_list if v not in labels)
        if unknown:
            raise AgreementError(
                f"code(s) {unknown} are not in labels (expected one of {list(labels)})"
            )
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype="int64")
    for x, y in zip(a_list, b_list, strict=True):
        counts[index[x], index[y]] += 1
    return pd.DataFrame(
        counts,
        index=pd.Index(labels, name=a_name, dtype=object),
        columns=pd.Index(labels, name=b_name, dtype=object),
    )


# --- Krippendorff's alpha -------------------------------------------------------------------
def _reliability_rows(data: Any) -> list[list[Any]]:
    if isinstance(data, pd.DataFrame):
        return [[_plain(v) for v in row] for row in data.to_numpy(dtype=object)]
    rows = [[_plain(v) for v in row] for row in data]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        first = len(rows[0])
        bad = next(i for i, row in enumerate(rows) if len(row) != first)
        raise AgreementError(
            f"reliability data row {bad + 1} has {len(rows[bad])} values "
            f"(expected {first}, one per unit, like row 1)"
        )
    return rows


def coincidence_matrix(data: Any, *, value_domain: Sequence[Any] | None = None) -> pd.DataFrame:
    """Krippendorff's coincidence matrix ``o_ck`` of reliability data.

    Each unit with ``m_u >= 2`` values contributes every ordered pair of values from different
    coders with weight ``1 / (m_u - 1)``; units with fewer than two values are not pairable and
    are dropped. Row sums are ``n_c``; the grand total ``n`` is the number of pairable values.

    Parameters
    ----------
    data : list of lists, 2-D array or DataFrame
        Reliability matrix, coders × units; ``None``/``NaN`` marks a missing value.
    value_domain : sequence, optional
        The values, in order (the order matters for ordinal α). Default: the values found,
        sorted when comparable.

    Examples
    --------
    >>> coincidence_matrix([["a", "a", "b"], ["a", "b", "b"]])
         a    b
    a  2.0  1.0
    b  1.0  2.0
    """
    rows = _reliability_rows(data)
    n_units = len(rows[0]) if rows else 0
    found = [v for row in rows for v in row if not _is_missing(v)]
    if value_domain is None:
        domain = _sorted_labels(found)
    else:
        domain = list(dict.fromkeys(_plain(v) for v in value_domain))
        unknown = _sorted_labels(v for v in found if v not in set(domain))
        if unknown:
            raise AgreementError(
                f"value(s) {unknown} are not in value_domain (expected one of {domain})"
            )
    index = {value: i for i, value in enumerate(domain)}
    counts = np.zeros((n_units, len(domain)))  # units × values: how many coders gave each
    for row in rows:
        for unit, value in enumerate(row):
            if not _is_missing(value):
                counts[unit, index[value]] += 1
    m_u = counts.sum(axis=1)
    pairable = counts[m_u >= 2]
    weights = 1.0 / (pairable.sum(axis=1) - 1.0)
    o = (pairable * weights[:, None]).T @ pairable - np.diag((pairable * weights[:, None]).sum(0))
    return pd.DataFrame(
        o, index=pd.Index(domain, dtype=object), columns=pd.Index(domain, dtype=object)
    )


def _delta_squared(values: list[Any], n_c: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function δ²(c, k) of Krippendorff (2011) for a metric."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "ordinal":
        cum = np.cumsum(n_c)
        lo = np.minimum.outer(np.arange(len(values)), np.arange(len(values)))
        hi = np.maximum.outer(np.arange(len(values)), np.arange(len(values)))
        between = cum[hi] - cum[lo] + n_c[lo]  # sum of n_g for g from c to k inclusive
        return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int | float)]
    if bad:
        raise AgreementError(
            f"{level} alpha needs numeric values; found {_sorted_labels(bad)[:5]} "
            "(expected numbers, or use level='nominal')"
        )
    x = np.asarray(values, dtype=float)
    diff = np.subtract.outer(x, x)
    if level == "interval":
        return diff**2
    total = np.add.outer(x, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, diff / total)
    return ratio**2


def krippendorff_alpha(
    data: Any, level: str = "nominal", *, value_domain: Sequence[Any] | None = None
) -> float:
    """Krippendorff's α of reliability data, via the coincidence matrix (Krippendorff 2011).

    ``α = 1 - D_o / D_e = 1 - (n - 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck``.

    Parameters
    ----------
    data : list of lists, 2-D array or DataFrame
        Reliability matrix, coders × units; ``None``/``NaN`` marks a missing value. Units with
        fewer than two values are not pairable and are dropped.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement (difference function). Interval and ratio need numbers.
    value_domain : sequence, optional
        The possible values in order; needed for ordinal α of labels whose order is not their
        sort order (e.g. ``["negative", "neutral", "positive"]``).

    Returns
    -------
    float
        α (1 is perfect agreement, 0 chance); ``NaN`` when undefined (no pairable values, or
        no variation among them).

    Examples
    --------
    Example A of Krippendorff (2011), binary data, two observers:

    >>> round(krippendorff_alpha([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    ...                           [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]), 3)
    0.095
    """
    if level not in LEVELS:
        raise AgreementError(f"unknown level {level!r} (expected one of {list(LEVELS)})")
    o_frame = coincidence_matrix(data, value_domain=value_domain)
    o = o_frame.to_numpy()
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n < 2:
        return float("nan")
    delta = _delta_squared(list(o_frame.index), n_c, level)
    expected = (np.outer(n_c, n_c) * delta).sum()
    if expected == 0:
        return float("nan")
    observed = (o * delta).sum()
    return float(1.0 - (n - 1.0) * observed / expected)


# --- long code tables -----------------------------------------------------------------------
def _coders_found(codes: pd.DataFrame, coder_column: str) -> list[Any]:
    return _sorted_labels(_plain(v) for v in codes[coder_column] if not _is_missing(v))


def _per_coder(
    codes: pd.DataFrame, coder: Any, column: str, unit_column: str, coder_column: str
) -> dict[Hashable, Any]:
    """Mapping unit -> code of one coder for one column, missing codes left out."""
    rows = codes.loc[
        codes[coder_column].eq(coder).fillna(False).astype(bool), [unit_column, column]
    ]
    return {
        _plain(unit): _plain(value)
        for unit, value in zip(rows[unit_column], rows[column], strict=True)
        if not _is_missing(value)
    }


def _stats(code: str, a_name: Any, b_name: Any, a: list[Any], b: list[Any]) -> dict[str, Any]:
    return {
        CODE: code,
        CODER_A: a_name,
        CODER_B: b_name,
        N_UNITS: len(a),
        PERCENT_AGREEMENT: percent_agreement(a, b),
        KAPPA: cohen_kappa(a, b),
        ALPHA: krippendorff_alpha([a, b]) if a else float("nan"),
    }


def pairwise_agreement(
    codes: pd.DataFrame,
    *,
    code_columns: Sequence[str],
    coder_a: Any,
    coder_b: Any,
    unit_column: str = schema.SEGMENT_ID,
    coder_column: str = schema.CODER,
) -> pd.DataFrame:
    """Agreement of two coders on each code column, over the units both coded.

    Parameters
    ----------
    codes : DataFrame
        Long table, one row per (unit, coder) with that coder's current codes.
    code_columns : sequence of str
        Columns to compare, e.g. ``[schema.STAGE, schema.TOUCHPOINTS, schema.PAIN_POINT]``.
        Scalar columns (labels, booleans) are nominal. List-valued columns (touchpoints) give
        one binary present/absent comparison per label, in rows named ``"column:label"``;
        an empty list is a coded unit with no label, a missing value an uncoded unit. A list
        column with no label on any shared unit gets one row named after the column.
    coder_a, coder_b : str
        The two coders, as written in ``coder_column``.
    unit_column, coder_column : str
        Columns identifying the unit and the coder.

    Returns
    -------
    DataFrame
        One row per code: ``code, coder_a, coder_b, n_units, percent_agreement, kappa,
        alpha`` (α nominal, two coders). Units one coder did not code (missing value in that
        column) are left out of that code's row.
    """
    schema.require(codes, [unit_column, coder_column, *code_columns], name="codes")
    found = _coders_found(codes, coder_column)
    for coder in (coder_a, coder_b):
        if coder not in found:
            raise AgreementError(
                f"codes, column {coder_column!r}: unknown coder {coder!r} (expected one of {found})"
            )
    if coder_a == coder_b:
        raise AgreementError(f"coder_a and coder_b are both {coder_a!r} (expected two coders)")
    pair = codes[codes[coder_column].isin([coder_a, coder_b])]
    duplicated = pair.duplicated([unit_column, coder_column], keep=False)
    if duplicated.any():
        first = pair.loc[duplicated].iloc[0]
        raise AgreementError(
            f"codes: unit {first[unit_column]!r} has {int(duplicated.sum())} rows for coder "
            f"{first[coder_column]!r} among others (expected one row per unit and coder, "
            "holding the coder's current code)"
        )
    rows: list[dict[str, Any]] = []
    for column in code_columns:
        by_a = _per_coder(pair, coder_a, column, unit_column, coder_column)
        by_b = _per_coder(pair, coder_b, column, unit_column, coder_column)
        units = [unit for unit in by_a if unit in by_b]
        a_codes = [by_a[unit] for unit in units]
        b_codes = [by_b[unit] for unit in units]
        if any(isinstance(v, _LIST_TYPES) for v in a_codes + b_codes):
            a_sets = [
                _as_label_set(v, column, unit) for v, unit in zip(a_codes, units, strict=True)
            ]
            b_sets = [
                _as_label_set(v, column, unit) for v, unit in zip(b_codes, units, strict=True)
            ]
            labels = _sorted_labels(itertools.chain.from_iterable(a_sets + b_sets))
            for label in labels:
                a_bin = [label in s for s in a_sets]
                b_bin = [label in s for s in b_sets]
                rows.append(_stats(f"{column}:{label}", coder_a, coder_b, a_bin, b_bin))
            if not labels:  # only empty lists: keep a row so the column does not vanish
                rows.append(_stats(column, coder_a, coder_b, a_sets, b_sets))
        else:
            rows.append(_stats(column, coder_a, coder_b, a_codes, b_codes))
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _as_label_set(value: Any, column: str, unit: Any) -> frozenset[Any]:
    if not isinstance(value, _LIST_TYPES):
        raise AgreementError(
            f"codes, column {column!r}, unit {unit!r}: found {value!r} "
            "(expected a list of labels, as in the other rows of this column)"
        )
    return frozenset(_plain(v) for v in value)


def agreement_report(
    codes: pd.DataFrame,
    *,
    code_columns: Sequence[str],
    coders: Sequence[Any] | None = None,
    model_coder: Any = "model",
    unit_column: str = schema.SEGMENT_ID,
    coder_column: str = schema.CODER,
) -> pd.DataFrame:
    """Agreement of every pair of human coders and of every human coder with the model.

    Parameters
    ----------
    codes : DataFrame
        Long table, one row per (unit, coder); see :func:`pairwise_agreement`.
    code_columns : sequence of str
        Columns to compare.
    coders : sequence, optional
        Human coders to include; default every coder found except ``model_coder``.
    model_coder : str or None
        Name of the machine coder; when present in the table each human is compared with it.
        ``None`` compares humans only.

    Returns
    -------
    DataFrame
        :func:`pairwise_agreement` rows of all pairs, concatenated, with a ``pair_type``
        column (``"human-human"`` or ``"human-model"``).
    """
    schema.require(codes, [unit_column, coder_column, *code_columns], name="codes")
    found = _coders_found(codes, coder_column)
    if coders is None:
        humans = [c for c in found if c != model_coder]
    else:
        humans = list(dict.fromkeys(coders))
        unknown = [c for c in humans if c not in found]
        if unknown:
            raise AgreementError(
                f"codes, column {coder_column!r}: unknown coder(s) {unknown} "
                f"(expected among {found})"
            )
        humans = [c for c in humans if c != model_coder]
    pairs = [(a, b, HUMAN_HUMAN) for a, b in itertools.combinations(humans, 2)]
    if model_coder is not None and model_coder in found:
        pairs += [(h, model_coder, HUMAN_MODEL) for h in humans]
    if not pairs:
        raise AgreementError(
            f"codes, column {coder_column!r}: nothing to compare among coders {found} "
            f"(expected two human coders, or a human coder and model coder {model_coder!r})"
        )
    tables = []
    for a, b, kind in pairs:
        table = pairwise_agreement(
            codes,
            code_columns=code_columns,
            coder_a=a,
            coder_b=b,
            unit_column=unit_column,
            coder_column=coder_column,
        )
        table.insert(3, PAIR_TYPE, kind)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
