"""Altair charts of the journey map: pure functions of tidy, aggregated frames.

Every function takes the aggregated tables of :mod:`workbench.journey`, :mod:`workbench.survey`
and :mod:`workbench.agreement` and returns an ``alt.Chart`` (or a layered / concatenated chart).
Nothing is read or written here; :func:`workbench.chart_export.save_chart` saves charts.

Rules every chart follows:

* **one theme** – importing this module registers and enables the ``"journey_workbench"``
  Altair theme (:mod:`workbench.charts_base`); exports enable it again;
* **small data** – only the aggregate columns a chart draws are embedded (list columns such as
  ``evidence_ids`` never are), so a chart's size grows with stages × personas, not with segments;
* **untrusted text** – a quote enters a chart only as a tooltip, shortened and HTML-escaped
  (:func:`escape_quote`); the export helper also makes ``</script>`` impossible in saved HTML;
* **stages in journey order** – the x axis is sorted by ``stage_order`` and labelled from the
  codebook when one is passed; weak evidence (``weak_evidence``) is drawn faded with a legend
  "fewer than 3 participants".

Charts: :func:`emotion_curve`, :func:`persona_comparison`, :func:`stage_touchpoint_heatmap`,
:func:`pain_point_priority`, and (from :mod:`workbench.charts_metrics`) :func:`survey_metrics`,
:func:`agreement_chart`, :func:`coding_progress`. The journey map canvas is
:func:`workbench.charts_map.journey_map`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench import schema
from workbench.charts_base import (
    EVIDENCE,
    INK,
    LABEL,
    STAGE_COLUMNS,
    STAGE_LABEL,
    THEME_NAME,
    TOUCHPOINT_LABEL,
    ChartError,
    as_data,
    code_labels,
    emotion_data,
    emotion_layers,
    escape_quote,
    evidence_level,
    evidence_opacity,
    one_persona,
    require_columns,
    sentiment_color,
    stage_codes,
    stage_step,
    stage_x,
    with_stage_labels,
    with_touchpoint_labels,
)
from workbench.charts_metrics import (
    agreement_chart,
    choice_shares,
    coding_progress,
    survey_metrics,
)
from workbench.codebook import Codebook

__all__ = [
    "THEME_NAME",
    "ChartError",
    "agreement_chart",
    "choice_shares",
    "coding_progress",
    "emotion_curve",
    "enable_offline_rendering",
    "escape_quote",
    "pain_point_priority",
    "persona_comparison",
    "stage_touchpoint_heatmap",
    "survey_metrics",
]


def emotion_curve(
    stages: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    *,
    codebook: Codebook | None = None,
    persona: str | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Mean sentiment across the stages with its 95% CI, points sized by participants.

    Parameters
    ----------
    stages : DataFrame
        The journey ``stages`` table (persona × stage).
    evidence : DataFrame, optional
        Ranked evidence; the best stage-level quote per stage becomes the tooltip (escaped).
    codebook : Codebook, optional
        Stage labels; without it the stage codes are shown.
    persona : str, optional
        Draw only this persona; with several personas left, one line per persona.
    """
    if persona is not None:
        stages = one_persona(stages, persona, "stages")
    data, domain = emotion_data(stages, evidence, codebook)
    several = data[schema.PERSONA].nunique() > 1
    chart = emotion_layers(data, domain, color_by_persona=several)
    return chart.properties(title=title or "Emotion curve across the journey")


PANELS_WIDTH = 860  # data width of a row of small multiples (plus axes: under 1,200 px)


def persona_comparison(
    stages: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    *,
    codebook: Codebook | None = None,
    columns: int = 2,
    title: str | None = None,
) -> alt.ConcatChart:
    """Small multiples: one emotion curve per persona on the same stage and sentiment axes,
    ``columns`` to a row, each panel narrow enough that a row fits a 1,280 px page."""
    data, domain = emotion_data(stages, evidence, codebook)
    personas = sorted(str(p) for p in pd.unique(data[schema.PERSONA]))
    width = PANELS_WIDTH // max(columns, 1)
    panels = [
        emotion_layers(
            data[data[schema.PERSONA] == p], domain, color_by_persona=False, height=180,
            width=width,
        ).properties(title=p)
        for p in personas
    ]  # fmt: skip
    return (
        alt.concat(*panels, columns=columns)
        .properties(title=title or "Emotion curve by persona")
        .configure_legend(orient="bottom", direction="horizontal")
    )


# --- stage × touchpoint ---------------------------------------------------------------------
def stage_touchpoint_heatmap(
    touchpoints: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    persona: str | None = None,
    title: str | None = None,
) -> alt.Chart:
    """Volume (circle size = segments) and mean sentiment (colour, fixed [-1, 1]) per cell.

    One persona: pass ``persona`` when the table holds several.
    """
    needed = [*STAGE_COLUMNS, schema.TOUCHPOINT, schema.SHARE_NEGATIVE]
    require_columns(touchpoints, needed, "touchpoints")
    frame = one_persona(touchpoints, persona, "touchpoints")
    data = frame[needed].copy()
    data[EVIDENCE] = evidence_level(data[schema.WEAK_EVIDENCE])
    data, domain = with_stage_labels(data.drop(columns=[schema.WEAK_EVIDENCE]), codebook)
    data, tp_domain = with_touchpoint_labels(data, codebook)
    chart = (
        alt.Chart(as_data(data))
        .mark_circle(stroke=INK, strokeWidth=0.5)
        .encode(
            x=stage_x(domain, orient="top"),
            y=alt.Y(
                f"{TOUCHPOINT_LABEL}:N",
                sort=tp_domain,
                scale=alt.Scale(domain=tp_domain),
                title=None,
            ),
            size=alt.Size(
                f"{schema.N_SEGMENTS}:Q",
                scale=alt.Scale(range=[30, 900], zero=True),
                legend=alt.Legend(title="Segments"),
            ),
            color=sentiment_color(),
            opacity=evidence_opacity(),
            tooltip=[
                alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
                alt.Tooltip(f"{TOUCHPOINT_LABEL}:N", title="Touchpoint"),
                alt.Tooltip(f"{schema.N_SEGMENTS}:Q", title="Segments"),
                alt.Tooltip(f"{schema.N_PARTICIPANTS}:Q", title="Participants"),
                alt.Tooltip(f"{schema.SENTIMENT_MEAN}:Q", title="Mean sentiment", format=".2f"),
                alt.Tooltip(f"{schema.SHARE_NEGATIVE}:Q", title="Share negative", format=".0%"),
                alt.Tooltip(f"{EVIDENCE}:N", title="Evidence"),
            ],
        )
    )
    return chart.properties(
        width=alt.Step(stage_step(domain)),
        height=alt.Step(34),
        title=title or f"Touchpoints by stage — {frame[schema.PERSONA].iloc[0]}",
    )


# --- pain points ----------------------------------------------------------------------------
def pain_point_priority(
    opportunities: pd.DataFrame,
    *,
    codebook: Codebook | None = None,
    top: int = 15,
    title: str | None = None,
) -> alt.Chart:
    """Score bars of the ``top`` opportunities (rank order), coloured by persona."""
    needed = [
        schema.RANK,
        schema.PERSONA,
        schema.STAGE,
        schema.PAIN_CATEGORY,
        schema.FREQUENCY,
        schema.SEVERITY,
        schema.REACH,
        schema.SCORE,
    ]
    require_columns(opportunities, needed, "opportunities")
    cols = [*needed, schema.NOTE] if schema.NOTE in opportunities.columns else needed
    data = opportunities[cols].sort_values(schema.RANK, kind="stable").head(top).copy()
    data, _ = with_stage_labels(data, codebook, stage_codes(opportunities, codebook))
    pains = code_labels(list(pd.unique(data[schema.PAIN_CATEGORY])), codebook, "pain_points")
    data[LABEL] = [
        f"{int(r)}. {pains[c]} · {s}"
        for r, c, s in zip(
            data[schema.RANK], data[schema.PAIN_CATEGORY], data[STAGE_LABEL], strict=True
        )
    ]
    if schema.NOTE in data.columns:
        data[schema.NOTE] = [escape_quote(n) for n in data[schema.NOTE]]
    tooltip = [
        alt.Tooltip(f"{schema.RANK}:Q", title="Rank"),
        alt.Tooltip(f"{schema.PERSONA}:N", title="Persona"),
        alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
        alt.Tooltip(f"{schema.FREQUENCY}:Q", title="Frequency", format=".2f"),
        alt.Tooltip(f"{schema.SEVERITY}:Q", title="Severity", format=".2f"),
        alt.Tooltip(f"{schema.REACH}:Q", title="Reach", format=".2f"),
        alt.Tooltip(f"{schema.SCORE}:Q", title="Score", format=".3f"),
    ]
    if schema.NOTE in data.columns:
        tooltip.append(alt.Tooltip(f"{schema.NOTE}:N", title="Note"))
    return (
        alt.Chart(as_data(data))
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            y=alt.Y(f"{LABEL}:N", sort=list(data[LABEL]), title=None),
            x=alt.X(f"{schema.SCORE}:Q", title="Priority score (frequency × severity × reach)"),
            color=alt.Color(f"{schema.PERSONA}:N", title="Persona"),
            tooltip=tooltip,
        )
        .properties(width=360, height=alt.Step(22), title=title or "Pain points by priority")
    )


# --- notebook display -----------------------------------------------------------------------
def enable_offline_rendering(kind: str = "svg") -> str:
    """Display charts in JupyterLab without any network access; return the renderer's name.

    ``"svg"`` (default) and ``"png"`` render the chart to a static image in the kernel with
    vl-convert (no JavaScript, works in any JupyterLab and in exported notebooks; tooltips are
    lost). Altair's ``"jupyter"`` renderer (JupyterChart) can run offline but needs the
    ``anywidget`` package, which is not a dependency, and was not checked in a browser here;
    ``"html"`` / ``"mimetype"`` are refused: they load Vega from a CDN or rely on JupyterLab's
    bundled, older Vega-Lite. The project theme is enabled as well.
    """
    if kind not in ("svg", "png"):
        raise ChartError(f"renderer {kind!r} is not offline-safe (expected 'svg' or 'png')")
    alt.theme.enable(THEME_NAME)
    alt.renderers.enable(kind)
    return alt.renderers.active
