"""Compare two journey maps: two personas, or two waves of the same study."""

from __future__ import annotations

import pandas as pd

from workbench import schema
from workbench.errors import ConfigError
from workbench.journey import JourneyMap

SUFFIXES = ("_a", "_b")
CI_OVERLAP = "ci_overlap"
MOVED = "moved"
MOVED_BECAUSE = "moved_because"
COMPARED = (
    schema.SENTIMENT_MEAN,
    schema.N_PARTICIPANTS,
    schema.SHARE_NEGATIVE,
    schema.SHARE_PAIN_POINT,
)


def _compare(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], threshold: float) -> pd.DataFrame:
    by_persona = schema.PERSONA in keys
    columns = [
        *keys,
        schema.STAGE_ORDER,
        *COMPARED,
        schema.SENTIMENT_CI_LOW,
        schema.SENTIMENT_CI_HIGH,
        schema.WEAK_EVIDENCE,
        schema.EVIDENCE_IDS,
    ]
    left, right = (
        a[columns + ([] if by_persona else [schema.PERSONA])],
        b[columns + ([] if by_persona else [schema.PERSONA])],
    )
    out = left.merge(right, on=keys, how="outer", suffixes=SUFFIXES, sort=False)
    a_, b_ = SUFFIXES
    out.insert(
        len(keys),
        schema.STAGE_ORDER,
        out[schema.STAGE_ORDER + a_].fillna(out[schema.STAGE_ORDER + b_]),
    )
    out = out.drop(columns=[schema.STAGE_ORDER + a_, schema.STAGE_ORDER + b_])
    for metric in COMPARED:
        out["delta_" + metric] = out[metric + b_] - out[metric + a_]
    low_a, high_a = out[schema.SENTIMENT_CI_LOW + a_], out[schema.SENTIMENT_CI_HIGH + a_]
    low_b, high_b = out[schema.SENTIMENT_CI_LOW + b_], out[schema.SENTIMENT_CI_HIGH + b_]
    apart = (low_a > high_b) | (low_b > high_a)  # False where an interval is unknown (NaN)
    out[CI_OVERLAP] = ~apart
    strong = ~out[schema.WEAK_EVIDENCE + a_].fillna(True).astype(bool) & ~out[
        schema.WEAK_EVIDENCE + b_
    ].fillna(True).astype(bool)
    reasons = (
        pd.DataFrame(
            {
                schema.SENTIMENT_MEAN: apart,
                schema.SHARE_NEGATIVE: out["delta_" + schema.SHARE_NEGATIVE].abs() >= threshold,
                schema.SHARE_PAIN_POINT: out["delta_" + schema.SHARE_PAIN_POINT].abs() >= threshold,
            }
        )
        .fillna(False)
        .astype(bool)
    )
    reasons = reasons.apply(lambda column: column & strong.to_numpy(dtype=bool))
    out[MOVED] = reasons.any(axis=1)
    out[MOVED_BECAUSE] = [[c for c in reasons.columns if row[c]] for _, row in reasons.iterrows()]
    return out.sort_values(
        [*([schema.PERSONA] if by_persona else []), schema.STAGE_ORDER, *keys[len(keys) - 1 :]],
        kind="stable",
    ).reset_index(drop=True)


def compare_maps(
    a: JourneyMap | pd.DataFrame, b: JourneyMap | pd.DataFrame, *, threshold: float = 0.15
) -> pd.DataFrame:
    """Compare two maps (two personas, or two waves of the same personas), per stage and touchpoint.

    Rows are matched on persona × stage (× touchpoint) when both maps hold the same personas
    (waves), and on stage (× touchpoint) when each map holds one persona (persona vs persona;
    then ``persona_a``/``persona_b`` name them). Columns ``<metric>_a``, ``<metric>_b`` and
    ``delta_<metric>`` (b − a) for sentiment mean, reach (n_participants), share negative and
    pain share; ``ci_overlap`` of the sentiment intervals; ``evidence_ids_a``/``_b``.
    ``moved`` is True when neither side is weak evidence and the sentiment intervals do not
    overlap, or a share moved by at least ``threshold``; ``moved_because`` names which.
    Touchpoint rows have a ``touchpoint``; stage rows have None there.
    """
    tables = []
    for kind in ("stages", "touchpoints"):
        ta = a if isinstance(a, pd.DataFrame) else getattr(a, kind)
        tb = b if isinstance(b, pd.DataFrame) else getattr(b, kind)
        if kind == "touchpoints" and (isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame)):
            break
        pa_, pb_ = set(ta[schema.PERSONA]), set(tb[schema.PERSONA])
        if pa_ == pb_:
            keys = [schema.PERSONA, schema.STAGE]
        elif len(pa_) == 1 and len(pb_) == 1:
            keys = [schema.STAGE]
        else:
            raise ConfigError(
                f"compare_maps: map a has personas {sorted(pa_)}, map b {sorted(pb_)}; expected "
                "the same personas (two waves) or one persona each (persona vs persona)"
            )
        if kind == "touchpoints":
            keys.append(schema.TOUCHPOINT)
        tables.append(_compare(ta, tb, keys, threshold))
    out = pd.concat(tables, ignore_index=True)
    if schema.TOUCHPOINT not in out.columns:
        out[schema.TOUCHPOINT] = None
    out[schema.TOUCHPOINT] = (
        out[schema.TOUCHPOINT].astype(object).where(out[schema.TOUCHPOINT].notna(), None)
    )
    return out
