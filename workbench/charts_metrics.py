"""Charts of measurement quality: survey metrics, coding progress and inter-coder agreement.

Pure functions of aggregated frames (see :mod:`workbench.charts`); they share its theme.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench import agreement as agr
from workbench import schema
from workbench.charts_base import (
    ALL_STAGES_LABEL,
    INK,
    LABEL,
    METRIC_LABELS,
    NEUTRAL_GREY,
    NO_STAGE_LABEL,
    PAIR,
    PALETTE,
    RELIABLE,
    STAGE_LABEL,
    STATISTIC,
    STATISTIC_LABELS,
    TENTATIVE,
    UNCODED_LABEL,
    VALUE,
    as_data,
    require_columns,
    stage_x,
    with_stage_labels,
)
from workbench.codebook import Codebook
from workbench.ingest.answer_values import parse_scale

# --- survey metrics -------------------------------------------------------------------------
PANEL = "panel"


def _short(text: object, limit: int = 48) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _metric_domain(metric: str, scale: object) -> list[float] | None:
    """The x domain of a measure: NPS -100..100, shares 0..100 %, a mean its answer scale."""
    if metric == schema.METRIC_NPS:
        return [-100, 100]
    if metric in schema.PERCENT_METRICS or (isinstance(scale, str) and scale == schema.SHARE_SCALE):
        return [0, 100]
    bounds = parse_scale(scale)
    return list(bounds) if bounds else None


def survey_metrics(
    metrics: pd.DataFrame, *, codebook: Codebook | None = None, title: str | None = None
) -> alt.ConcatChart:
    """Every survey measure per persona (and stage): estimate with its confidence interval.

    One panel per question and measure, two panels a row, each on the measure's own scale
    (NPS -100..100, shares 0..100 %, means on the answer scale).
    """
    needed = [
        schema.PERSONA,
        schema.STAGE,
        schema.METRIC,
        schema.ESTIMATE,
        schema.CI_LOW,
        schema.CI_HIGH,
        schema.N_RESPONDENTS,
    ]
    require_columns(metrics, needed, "survey metrics")
    extra = [c for c in (schema.QUESTION_ID, schema.QUESTION_TEXT, schema.SCALE) if c in metrics]
    data, domain = with_stage_labels(metrics[needed + extra], codebook)
    data[STAGE_LABEL] = data[STAGE_LABEL].replace(NO_STAGE_LABEL, ALL_STAGES_LABEL)
    domain = [ALL_STAGES_LABEL if d == NO_STAGE_LABEL else d for d in domain]
    domain = sorted(domain, key=lambda d: d != ALL_STAGES_LABEL)
    question = data.get(schema.QUESTION_TEXT, data.get(schema.QUESTION_ID))
    data[PANEL] = question.map(_short) if question is not None else pd.Series("", index=data.index)
    data = as_data(data)
    personas = sorted(str(p) for p in pd.unique(data[schema.PERSONA]))
    found = list(pd.unique(data[schema.METRIC]))
    ordered = [m for m in METRIC_LABELS if m in found] + [
        m for m in found if m not in METRIC_LABELS
    ]
    color = alt.Color(
        f"{STAGE_LABEL}:N", sort=domain, scale=alt.Scale(domain=domain), title="Stage"
    )
    if len(personas) == 1:  # one persona's report: a row per stage
        y = alt.Y(f"{STAGE_LABEL}:N", sort=domain, scale=alt.Scale(domain=domain), title=None)
        encode = {"y": y, "color": color}
        height = alt.Step(16)
    else:
        y = alt.Y(
            f"{schema.PERSONA}:N", sort=personas, scale=alt.Scale(domain=personas), title=None
        )
        offset = alt.YOffset(f"{STAGE_LABEL}:N", sort=domain, scale=alt.Scale(domain=domain))
        encode = {"y": y, "yOffset": offset, "color": color}
        height = alt.Step(40)
    tooltip = [
        alt.Tooltip(f"{PANEL}:N", title="Question"),
        alt.Tooltip(f"{schema.PERSONA}:N", title="Persona"),
        alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
        alt.Tooltip(f"{schema.ESTIMATE}:Q", title="Estimate", format=".2f"),
        alt.Tooltip(f"{schema.CI_LOW}:Q", title="CI low", format=".2f"),
        alt.Tooltip(f"{schema.CI_HIGH}:Q", title="CI high", format=".2f"),
        alt.Tooltip(f"{schema.N_RESPONDENTS}:Q", title="Respondents"),
    ]
    panels = []
    for metric in ordered:
        rows = data[data[schema.METRIC] == metric]
        for panel in pd.unique(rows[PANEL]):
            part = rows[rows[PANEL] == panel]
            scale = part[schema.SCALE].iloc[0] if schema.SCALE in part else None
            bounds = _metric_domain(metric, scale)
            x_scale = alt.Scale(domain=bounds) if bounds else alt.Scale(zero=False)
            name = METRIC_LABELS.get(metric, metric)
            base = alt.Chart(as_data(part))
            bar = base.mark_rule(strokeWidth=2).encode(
                x=alt.X(f"{schema.CI_LOW}:Q", scale=x_scale, title=name),
                x2=f"{schema.CI_HIGH}:Q",
                **encode,
            )
            point = base.mark_point(filled=True, size=60).encode(
                x=alt.X(f"{schema.ESTIMATE}:Q", scale=x_scale, title=name),
                tooltip=tooltip,
                **encode,
            )
            panels.append(
                alt.layer(bar, point).properties(width=260, height=height, title=str(panel))
            )
    return alt.concat(*panels, columns=2).properties(title=title or "Survey metrics (95% CI)")


def choice_shares(shares: pd.DataFrame, *, title: str | None = None) -> alt.ConcatChart:
    """Who answered what: the share of respondents per answer of each choice question, with
    its 95% interval; one panel per question, two a row (one persona's shares)."""
    needed = [
        schema.QUESTION_ID,
        schema.QUESTION_TEXT,
        schema.ANSWER,
        schema.SHARE,
        schema.CI_LOW,
        schema.CI_HIGH,
        schema.COUNT,
        schema.N_RESPONDENTS,
    ]
    require_columns(shares, needed, "choice shares")
    data = shares[needed].copy()
    data[PANEL] = data[schema.QUESTION_TEXT].map(_short)
    panels = []
    for question in pd.unique(data[schema.QUESTION_ID]):
        part = as_data(data[data[schema.QUESTION_ID] == question].reset_index(drop=True))
        order = list(part[schema.ANSWER])
        y = alt.Y(f"{schema.ANSWER}:N", sort=order, title=None, axis=alt.Axis(labelLimit=180))
        x = alt.X(f"{schema.SHARE}:Q", scale=alt.Scale(domain=[0, 100]), title="% of respondents")
        tooltip = [
            alt.Tooltip(f"{schema.ANSWER}:N", title="Answer"),
            alt.Tooltip(f"{schema.SHARE}:Q", title="Share (%)", format=".1f"),
            alt.Tooltip(f"{schema.CI_LOW}:Q", title="CI low", format=".1f"),
            alt.Tooltip(f"{schema.CI_HIGH}:Q", title="CI high", format=".1f"),
            alt.Tooltip(f"{schema.COUNT}:Q", title="Respondents giving it"),
            alt.Tooltip(f"{schema.N_RESPONDENTS}:Q", title="Respondents answering"),
        ]
        base = alt.Chart(part)
        bars = base.mark_bar(color=PALETTE[0]).encode(x=x, y=y, tooltip=tooltip)
        ci = base.mark_rule(color=INK).encode(x=f"{schema.CI_LOW}:Q", x2=f"{schema.CI_HIGH}:Q", y=y)
        panels.append(
            alt.layer(bars, ci).properties(
                width=220, height=alt.Step(18), title=str(part[PANEL].iloc[0])
            )
        )
    return alt.concat(*panels, columns=2).properties(title=title or "Choice answers (95% CI)")


# --- coding progress and agreement ----------------------------------------------------------
def agreement_chart(report: pd.DataFrame, *, title: str | None = None) -> alt.VConcatChart:
    """κ and α per code, one panel per coder pair, over the 0.667 and 0.8 reference bands."""
    id_cols = [agr.CODE, agr.CODER_A, agr.CODER_B, agr.N_UNITS, agr.PERCENT_AGREEMENT]
    require_columns(report, [*id_cols, agr.KAPPA, agr.ALPHA], "agreement report")
    long = report.melt(
        id_vars=id_cols, value_vars=[agr.KAPPA, agr.ALPHA], var_name=STATISTIC, value_name=VALUE
    )
    long[STATISTIC] = long[STATISTIC].map(STATISTIC_LABELS)
    long[PAIR] = long[agr.CODER_A].astype(str) + " vs " + long[agr.CODER_B].astype(str)
    long = as_data(long[[agr.CODE, PAIR, agr.N_UNITS, agr.PERCENT_AGREEMENT, STATISTIC, VALUE]])
    low = min(0.0, float(long[VALUE].min())) if long[VALUE].notna().any() else 0.0
    x_scale = alt.Scale(domain=[round(low - 0.05, 1) if low < 0 else 0.0, 1.0])
    codes = list(pd.unique(long[agr.CODE]))
    bands = pd.DataFrame(
        {"from": [TENTATIVE, RELIABLE], "to": [RELIABLE, 1.0], LABEL: ["tentative", "reliable"]}
    )
    panels = []
    for pair in pd.unique(long[PAIR]):
        band = (
            alt.Chart(as_data(bands))
            .mark_rect(opacity=0.25)
            .encode(
                x=alt.X("from:Q", scale=x_scale, title="Agreement"),
                x2="to:Q",
                color=alt.Color(
                    f"{LABEL}:N",
                    scale=alt.Scale(domain=["tentative", "reliable"], range=["#f0c36d", "#8fd19e"]),
                    legend=alt.Legend(title="Reference"),
                ),
            )
        )
        bars = (
            alt.Chart(as_data(long))
            .transform_filter(alt.FieldEqualPredicate(field=PAIR, equal=str(pair)))
            .mark_bar(height={"band": 0.8})
            .encode(
                y=alt.Y(f"{agr.CODE}:N", sort=codes, title=None),
                yOffset=alt.YOffset(f"{STATISTIC}:N", sort=list(STATISTIC_LABELS.values())),
                x=alt.X(f"{VALUE}:Q", scale=x_scale, title="Agreement"),
                fill=alt.Fill(
                    f"{STATISTIC}:N",
                    sort=list(STATISTIC_LABELS.values()),
                    scale=alt.Scale(range=[PALETTE[0], PALETTE[5]]),
                    legend=alt.Legend(title="Statistic"),
                ),
                tooltip=[
                    alt.Tooltip(f"{agr.CODE}:N", title="Code"),
                    alt.Tooltip(f"{STATISTIC}:N", title="Statistic"),
                    alt.Tooltip(f"{VALUE}:Q", title="Value", format=".2f"),
                    alt.Tooltip(f"{agr.PERCENT_AGREEMENT}:Q", title="Agreement", format=".0%"),
                    alt.Tooltip(f"{agr.N_UNITS}:Q", title="Units"),
                ],
            )
        )
        rule = (
            alt.Chart(alt.Data(values=[{}]))
            .mark_rule(color=INK, strokeDash=[4, 3])
            .encode(x=alt.datum(RELIABLE))
        )
        panels.append(
            alt.layer(band, bars, rule).properties(title=str(pair), width=360, height=alt.Step(30))
        )
    return alt.vconcat(*panels).properties(title=title or "Inter-coder agreement")


def coding_progress(
    progress: pd.DataFrame, *, codebook: Codebook | None = None, title: str | None = None
) -> alt.Chart:
    """Coded segments per stage, stacked by coder; rows with coder ``None`` are not yet coded."""
    require_columns(progress, [schema.CODER, schema.STAGE, schema.COUNT], "coding progress")
    data, domain = with_stage_labels(progress[[schema.CODER, schema.STAGE, schema.COUNT]], codebook)
    data[schema.CODER] = [
        UNCODED_LABEL if c is None or pd.isna(c) else str(c) for c in data[schema.CODER]
    ]
    coders = sorted(c for c in pd.unique(data[schema.CODER]) if c != UNCODED_LABEL)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(coders))]
    if (data[schema.CODER] == UNCODED_LABEL).any():
        coders, colors = [*coders, UNCODED_LABEL], [*colors, NEUTRAL_GREY]
    return (
        alt.Chart(as_data(data))
        .mark_bar()
        .encode(
            x=stage_x(domain),
            y=alt.Y(f"sum({schema.COUNT}):Q", title="Segments"),
            color=alt.Color(
                f"{schema.CODER}:N",
                sort=coders,
                scale=alt.Scale(domain=coders, range=colors),
                title="Coder",
            ),
            tooltip=[
                alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
                alt.Tooltip(f"{schema.CODER}:N", title="Coder"),
                alt.Tooltip(f"{schema.COUNT}:Q", title="Segments"),
            ],
        )
        .properties(width=alt.Step(80), height=200, title=title or "Coding progress")
    )
