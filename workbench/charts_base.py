"""Shared pieces of the charts: the project theme, chart-only columns and small helpers.

Importing this module (which every chart module does) registers the ``"journey_workbench"``
Altair theme and enables it, so every chart of the workbench uses the same fonts and colours;
:func:`workbench.chart_export.save_chart` enables it again while exporting.

Helpers here turn aggregated frames into the slim, JSON-friendly frames a chart embeds: stage
labels in journey order, evidence levels, the top quote per stage (shortened and HTML-escaped),
and the emotion-curve layers shared by :mod:`workbench.charts` and :mod:`workbench.charts_map`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from workbench import agreement as agr
from workbench import schema
from workbench.codebook import Codebook
from workbench.errors import WorkbenchError

# --- theme ----------------------------------------------------------------------------------
THEME_NAME = "journey_workbench"
FONT = "'Source Sans 3', 'Source Sans Pro', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
NEUTRAL_GREY = "#b8c2cc"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
SENTIMENT_DOMAIN = (-1.0, 1.0)
SENTIMENT_SCHEME = "redblue"

# Krippendorff (2011): α ≥ .800 reliable; .667 ≤ α < .800 only for tentative conclusions.
RELIABLE = 0.8
TENTATIVE = 0.667

QUOTE_LIMIT = 200
STRONG_LABEL = "3 or more participants"
WEAK_LABEL = "fewer than 3 participants"
NO_STAGE_LABEL = "(no stage)"
ALL_STAGES_LABEL = "All stages"
UNCODED_LABEL = "not yet coded"

# --- chart-only columns (not canonical tables, so defined here) -----------------------------
STAGE_LABEL = "stage_label"
TOUCHPOINT_LABEL = "touchpoint_label"
QUOTE = "quote"
QUOTE_SOURCE = "quote_source"
EVIDENCE = "evidence"
LABEL = "label"
STATISTIC = "statistic"
VALUE = "value"
PAIR = "pair"

METRIC_LABELS = schema.METRIC_LABELS
STATISTIC_LABELS = {agr.KAPPA: "Cohen's κ", agr.ALPHA: "Krippendorff's α"}


class ChartError(WorkbenchError):
    """A frame cannot be drawn as asked (missing columns, several personas where one is needed)."""


def theme_config() -> dict[str, Any]:
    """The project theme: fonts, colours and axis styling shared by every chart."""
    axis = {
        "labelColor": INK,
        "titleColor": INK,
        "gridColor": GRID,
        "domainColor": MUTED,
        "tickColor": MUTED,
        "labelFont": FONT,
        "titleFont": FONT,
        "labelFontSize": 11,
        "titleFontSize": 12,
        "titleFontWeight": 600,
        "labelLimit": 180,
    }
    return {
        "config": {
            "font": FONT,
            "background": "#ffffff",
            "padding": 8,
            "view": {"stroke": None, "continuousWidth": 360, "continuousHeight": 220},
            "title": {"fontSize": 15, "fontWeight": 600, "color": INK, "anchor": "start"},
            "axis": axis,
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 240},
            "header": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": INK},
            "range": {"category": list(PALETTE)},
            "line": {"strokeWidth": 2},
            "text": {"color": INK, "fontSize": 11},
        }
    }


alt.theme.register(THEME_NAME, enable=True)(theme_config)


# --- helpers --------------------------------------------------------------------------------
def escape_quote(text: Any, limit: int = QUOTE_LIMIT) -> str:
    """Shorten untrusted text to ``limit`` characters and HTML-escape it for a tooltip.

    Examples
    --------
    >>> escape_quote("</script><b>fast</b>  &  cheap")
    '&lt;/script&gt;&lt;b&gt;fast&lt;/b&gt; &amp; cheap'
    >>> escape_quote("a" * 10, limit=5)
    'aaaa…'
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return html.escape(flat, quote=False)


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ChartError(f"{name}: missing column(s) {missing}; found {list(frame.columns)}")


def as_data(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame a chart embeds: nullable dtypes, so every missing value becomes ``null``.

    Altair 6 on pandas 3 turns an object column of numbers and ``None`` back into NaN, which is
    not valid JSON; with nullable dtypes (``Int64``, ``Float64``, ``string``) it writes null.
    Frames (not ``alt.Data``) keep Altair's de-duplication of data shared by layers.
    """
    return frame.reset_index(drop=True).convert_dtypes()


def code_labels(codes: Sequence[Any], codebook: Codebook | None, section: str) -> dict[Any, str]:
    """Code → display label (codebook label when known), made unique."""
    known = {c.code: c.label for c in getattr(codebook, section)} if codebook else {}
    out: dict[Any, str] = {}
    for code in codes:
        label = known.get(code, str(code))
        out[code] = label if label not in out.values() else f"{label} ({code})"
    return out


def stage_codes(frame: pd.DataFrame, codebook: Codebook | None = None) -> list[str]:
    """Stages of ``frame`` in journey order (``stage_order``, else codebook order, else name)."""
    stages = [s for s in pd.unique(frame[schema.STAGE]) if s is not None and not pd.isna(s)]
    if schema.STAGE_ORDER in frame.columns:
        order = frame.groupby(schema.STAGE)[schema.STAGE_ORDER].min().to_dict()
    else:
        order = codebook.stage_order if codebook else {}
    return sorted(stages, key=lambda s: (order.get(s, len(order) + 1), str(s)))


def with_stage_labels(
    frame: pd.DataFrame, codebook: Codebook | None = None, stages: Sequence[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Add ``stage_label`` to a copy of ``frame``; return it and the labels in journey order."""
    codes = list(stages) if stages is not None else stage_codes(frame, codebook)
    labels = code_labels(codes, codebook, "stages")
    out = frame.copy()
    out[STAGE_LABEL] = [
        labels.get(s, NO_STAGE_LABEL) if s is not None and not pd.isna(s) else NO_STAGE_LABEL
        for s in out[schema.STAGE]
    ]
    domain = [labels[c] for c in codes]
    if (out[STAGE_LABEL] == NO_STAGE_LABEL).any():
        domain.append(NO_STAGE_LABEL)
    return out, domain


def one_persona(frame: pd.DataFrame, persona: str | None, name: str) -> pd.DataFrame:
    """Rows of ``persona`` (all rows when None); raise unless exactly one persona remains."""
    require_columns(frame, [schema.PERSONA], name)
    if persona is not None:
        frame = frame[frame[schema.PERSONA] == persona]
    found = list(pd.unique(frame[schema.PERSONA]))
    if len(found) != 1:
        raise ChartError(
            f"{name}: found persona(s) {found} (expected exactly one; pass persona=...)"
        )
    return frame


def evidence_level(weak: pd.Series) -> list[str]:
    """``weak_evidence`` flags → legend labels."""
    return [WEAK_LABEL if bool(w) else STRONG_LABEL for w in weak.fillna(False)]


def top_quotes(evidence: pd.DataFrame | None) -> pd.DataFrame:
    """The best-ranked stage-level quote per persona × stage, escaped, with its attribution."""
    columns = [schema.PERSONA, schema.STAGE, QUOTE, QUOTE_SOURCE]
    if evidence is None or evidence.empty:
        return pd.DataFrame(columns=columns)
    require_columns(
        evidence,
        [schema.PERSONA, schema.STAGE, schema.RANK, schema.TEXT, schema.PARTICIPANT_ID],
        "evidence",
    )
    rows = evidence
    if schema.TOUCHPOINT in rows.columns:
        stage_level = rows[rows[schema.TOUCHPOINT].isna()]
        rows = stage_level if not stage_level.empty else rows
    best = rows.sort_values(schema.RANK, kind="stable").drop_duplicates(
        [schema.PERSONA, schema.STAGE]
    )
    source = best[schema.PARTICIPANT_ID].astype(str)
    if schema.SOURCE_PATH in best.columns:
        source = source + ", " + best[schema.SOURCE_PATH].astype(str)
    if schema.LOCATION in best.columns:
        source = source + " " + best[schema.LOCATION].astype(str)
    out = best[[schema.PERSONA, schema.STAGE]].copy()
    out[QUOTE] = [escape_quote(t) for t in best[schema.TEXT]]
    out[QUOTE_SOURCE] = [escape_quote(t, 120) for t in source]
    return out.reset_index(drop=True)


def stage_x(
    domain: Sequence[str], *, axis: bool = True, orient: str = "bottom", angle: int = 0
) -> alt.X:
    """The shared stage axis: nominal, fixed domain in journey order (``angle`` tilts labels
    for narrow small multiples)."""
    limit = stage_step(domain) - 6 if angle == 0 else 200
    return alt.X(
        f"{STAGE_LABEL}:N",
        sort=list(domain),
        scale=alt.Scale(domain=list(domain)),
        title=None,
        axis=alt.Axis(labelAngle=angle, orient=orient, labelLimit=limit, ticks=False)
        if axis
        else None,
    )


def evidence_opacity(legend: bool = True) -> alt.Opacity:
    """Faded marks for weak evidence, with a legend naming the threshold (unless another row
    of the same figure already explains it)."""
    return alt.Opacity(
        f"{EVIDENCE}:O",
        sort=[STRONG_LABEL, WEAK_LABEL],
        scale=alt.Scale(domain=[STRONG_LABEL, WEAK_LABEL], range=[1.0, 0.3]),
        legend=alt.Legend(title="Evidence") if legend else None,
    )


def sentiment_color(**legend: Any) -> alt.Color:
    """Diverging colour for mean sentiment, fixed to [-1, 1] with white at 0."""
    return alt.Color(
        f"{schema.SENTIMENT_MEAN}:Q",
        scale=alt.Scale(domain=list(SENTIMENT_DOMAIN), domainMid=0, scheme=SENTIMENT_SCHEME),
        legend=alt.Legend(title="Mean sentiment", **legend),
    )


# --- emotion curve --------------------------------------------------------------------------
STAGE_COLUMNS = (
    schema.PERSONA,
    schema.STAGE,
    schema.STAGE_ORDER,
    schema.N_SEGMENTS,
    schema.N_PARTICIPANTS,
    schema.SENTIMENT_MEAN,
    schema.SENTIMENT_CI_LOW,
    schema.SENTIMENT_CI_HIGH,
    schema.WEAK_EVIDENCE,
)


def emotion_data(
    stages: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    domain_stages: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The slim frame behind an emotion curve (one row per persona × stage) and its x domain."""
    require_columns(stages, STAGE_COLUMNS, "stages")
    data = stages[list(STAGE_COLUMNS)].copy()
    data[EVIDENCE] = evidence_level(data[schema.WEAK_EVIDENCE])
    data = data.drop(columns=[schema.WEAK_EVIDENCE])
    quotes = top_quotes(evidence)
    data = data.merge(quotes, on=[schema.PERSONA, schema.STAGE], how="left")
    data, domain = with_stage_labels(data, codebook, domain_stages)
    return as_data(data.sort_values([schema.PERSONA, schema.STAGE_ORDER])), domain


MAP_DATA_WIDTH = 960  # stage columns of a map; with the gutter it fits a 1,280 px page


def stage_step(domain: Sequence[str]) -> int:
    """Width in pixels of one stage column, so that every stage fits :data:`MAP_DATA_WIDTH`.

    Examples
    --------
    >>> stage_step(["a"] * 3), stage_step(["a"] * 8), stage_step(["a"] * 12)
    (150, 120, 80)
    """
    return max(72, min(150, MAP_DATA_WIDTH // max(len(domain), 1)))


def emotion_layers(
    data: pd.DataFrame,
    domain: Sequence[str],
    *,
    color_by_persona: bool,
    height: int = 220,
    x_axis: bool = True,
    y_axis: alt.Axis | None = None,
    evidence_legend: bool = True,
    width: int | None = None,
) -> alt.LayerChart:
    """Band (95% CI), line through the means, points sized by reach; zero line."""
    y_scale = alt.Scale(domain=list(SENTIMENT_DOMAIN))
    y_title = "Sentiment (mean, 95% CI)"
    y_axis = y_axis if y_axis is not None else alt.Axis(title=y_title)
    angle = 0 if width is None else -35
    base = alt.Chart(as_data(data)).encode(x=stage_x(domain, axis=x_axis, angle=angle))
    color = (
        alt.Color(f"{schema.PERSONA}:N", title="Persona")
        if color_by_persona
        else alt.value(PALETTE[0])
    )
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y(f"{schema.SENTIMENT_CI_LOW}:Q", scale=y_scale, axis=y_axis),
        y2=f"{schema.SENTIMENT_CI_HIGH}:Q",
        color=color,
        detail=f"{schema.PERSONA}:N",
    )
    line = base.mark_line().encode(
        y=alt.Y(f"{schema.SENTIMENT_MEAN}:Q", scale=y_scale, axis=y_axis),
        color=color,
        detail=f"{schema.PERSONA}:N",
    )
    tooltip = [
        alt.Tooltip(f"{schema.PERSONA}:N", title="Persona"),
        alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
        alt.Tooltip(f"{schema.SENTIMENT_MEAN}:Q", title="Mean sentiment", format=".2f"),
        alt.Tooltip(f"{schema.SENTIMENT_CI_LOW}:Q", title="95% CI low", format=".2f"),
        alt.Tooltip(f"{schema.SENTIMENT_CI_HIGH}:Q", title="95% CI high", format=".2f"),
        alt.Tooltip(f"{schema.N_PARTICIPANTS}:Q", title="Participants"),
        alt.Tooltip(f"{schema.N_SEGMENTS}:Q", title="Segments"),
        alt.Tooltip(f"{EVIDENCE}:N", title="Evidence"),
        alt.Tooltip(f"{QUOTE}:N", title="Top quote"),
        alt.Tooltip(f"{QUOTE_SOURCE}:N", title="Source"),
    ]
    points = base.mark_circle(stroke="#ffffff", strokeWidth=1).encode(
        y=alt.Y(f"{schema.SENTIMENT_MEAN}:Q", scale=y_scale, axis=y_axis),
        size=alt.Size(
            f"{schema.N_PARTICIPANTS}:Q",
            scale=alt.Scale(range=[40, 400], zero=True),
            legend=alt.Legend(title="Participants"),
        ),
        color=color,
        opacity=evidence_opacity(evidence_legend),
        tooltip=tooltip,
    )
    zero = (
        alt.Chart(alt.Data(values=[{}]))
        .mark_rule(color=MUTED, strokeDash=[3, 3])
        .encode(y=alt.datum(0))
    )
    return alt.layer(zero, band, line, points).properties(
        width=alt.Step(stage_step(domain)) if width is None else width, height=height
    )


def with_touchpoint_labels(
    frame: pd.DataFrame, codebook: Codebook | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Add ``touchpoint_label``; order by codebook, else by total segments (most first)."""
    totals = frame.groupby(schema.TOUCHPOINT)[schema.N_SEGMENTS].sum()
    found = list(totals.sort_values(ascending=False, kind="stable").index)
    if codebook is not None:
        order = {code: i for i, code in enumerate(codebook.codes("touchpoints"))}
        found.sort(key=lambda t: order.get(t, len(order)))
    labels = code_labels(found, codebook, "touchpoints")
    out = frame.copy()
    out[TOUCHPOINT_LABEL] = out[schema.TOUCHPOINT].map(labels)
    return out, [labels[t] for t in found]
