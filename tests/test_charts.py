"""Charts as specs: encodings, stage order, scale domains, theme, escaping and data size."""

from __future__ import annotations

import html
import json

import altair as alt
import pytest

from tests import chart_frames as F
from tests.chart_spec import data_rows, encodings, size, strings, walk
from workbench import charts
from workbench import schema as s
from workbench.charts_base import (
    FONT,
    PALETTE,
    QUOTE,
    STAGE_LABEL,
    STRONG_LABEL,
    THEME_NAME,
    WEAK_LABEL,
    ChartError,
)
from workbench.codebook import builtin_codebook

CB = builtin_codebook()
LABEL = {c.code: c.label for c in CB.stages}
JOURNEY_ORDER = [LABEL[c] for c in sorted(F.STAGES, key=F.STAGES.get)]


def test_theme_is_registered_enabled_and_in_every_spec():
    assert THEME_NAME in alt.theme.names()
    assert alt.theme.active == THEME_NAME
    spec = charts.emotion_curve(F.stages_frame(), persona="budget-family").to_dict()
    assert spec["config"]["font"] == FONT
    assert spec["config"]["range"]["category"] == list(PALETTE)


def test_emotion_curve_stages_in_journey_order_with_codebook_labels():
    spec = charts.emotion_curve(F.stages_frame(), codebook=CB, persona="remote-worker").to_dict()
    xs = encodings(spec, "x")
    assert xs, "no x encoding"
    for x in xs:
        assert x["field"] == STAGE_LABEL
        assert x["sort"] == JOURNEY_ORDER
        assert x["scale"]["domain"] == JOURNEY_ORDER


def test_emotion_curve_without_codebook_uses_stage_codes_in_order():
    spec = charts.emotion_curve(F.stages_frame(), persona="remote-worker").to_dict()
    assert encodings(spec, "x")[0]["sort"] == sorted(F.STAGES, key=F.STAGES.get)


def test_emotion_curve_encodings_band_points_and_fixed_sentiment_scale():
    spec = charts.emotion_curve(F.stages_frame(), persona="remote-worker").to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rule", "area", "line", "circle"]
    area, line, points = spec["layer"][1:]
    assert area["encoding"]["y"]["field"] == s.SENTIMENT_CI_LOW
    assert area["encoding"]["y2"]["field"] == s.SENTIMENT_CI_HIGH
    assert line["encoding"]["y"]["field"] == s.SENTIMENT_MEAN
    assert points["encoding"]["size"]["field"] == s.N_PARTICIPANTS
    for y in encodings(spec, "y"):
        if "field" in y:
            assert y["scale"]["domain"] == [-1.0, 1.0]
    tips = [t["field"] for t in points["encoding"]["tooltip"]]
    assert QUOTE in tips


def test_emotion_curve_embeds_one_row_per_stage_and_marks_weak_evidence():
    frame = F.stages_frame()
    mine = frame[frame[s.PERSONA] == "remote-worker"]
    spec = charts.emotion_curve(frame, F.evidence_frame(), persona="remote-worker").to_dict()
    rows = data_rows(spec)
    assert len(rows) == len(mine)
    weak = dict(zip(mine[s.STAGE], mine[s.WEAK_EVIDENCE], strict=True))
    for row in rows:
        assert row["evidence"] == (WEAK_LABEL if weak[row[s.STAGE]] else STRONG_LABEL)
        assert s.EVIDENCE_IDS not in row and s.TOP_PAIN_POINTS not in row
    opacity = encodings(spec, "opacity")[0]
    assert opacity["scale"]["domain"] == [STRONG_LABEL, WEAK_LABEL]
    assert opacity["scale"]["range"][1] < opacity["scale"]["range"][0]
    assert opacity["legend"]["title"] == "Evidence"


def test_tooltip_quote_is_the_top_stage_quote_and_html_escaped():
    spec = charts.emotion_curve(F.stages_frame(), F.evidence_frame(), persona="remote-worker")
    spec = spec.to_dict()
    quotes = {r[s.STAGE]: r[QUOTE] for r in data_rows(spec)}
    assert quotes["support"] == html.escape(F.HOSTILE, quote=False)
    assert quotes["awareness"] == html.escape(
        "remote-worker awareness quote 1: it's slow & pricey", quote=False
    )
    text = json.dumps(spec)
    assert "<img" not in text and "</script" not in text
    assert all("<" not in v for v in strings(spec))
    # rank 2 and 3 quotes and the touchpoint-level quote never reach the chart
    assert F.SECRET not in text and "quote 2" not in text


def test_emotion_curve_of_several_personas_colours_by_persona():
    spec = charts.emotion_curve(F.stages_frame()).to_dict()
    assert {c.get("field") for c in encodings(spec, "color")} == {s.PERSONA}
    assert len(data_rows(spec)) == len(F.stages_frame())


def test_persona_comparison_small_multiples_share_stage_axis():
    spec = charts.persona_comparison(F.stages_frame(), codebook=CB).to_dict()
    panels = spec["concat"]
    assert [p["title"] for p in panels] == sorted(F.PERSONAS)
    for panel in panels:
        for x in encodings(panel, "x"):
            assert x["scale"]["domain"] == JOURNEY_ORDER
    assert len(data_rows(spec)) == len(F.stages_frame())


def test_heatmap_size_volume_colour_sentiment_fixed_domain():
    tp = F.touchpoints_frame()
    spec = charts.stage_touchpoint_heatmap(tp, codebook=CB, persona="budget-family").to_dict()
    enc = spec["encoding"]
    assert enc["size"]["field"] == s.N_SEGMENTS
    assert enc["color"]["field"] == s.SENTIMENT_MEAN
    assert enc["color"]["scale"]["domain"] == [-1.0, 1.0]
    assert enc["color"]["scale"]["domainMid"] == 0
    tp_order = [c.label for c in CB.touchpoints if c.code in set(tp[s.TOUCHPOINT])]
    assert enc["y"]["scale"]["domain"] == tp_order
    assert len(data_rows(spec)) == int((tp[s.PERSONA] == "budget-family").sum())


def test_heatmap_refuses_several_personas():
    with pytest.raises(ChartError, match="expected exactly one"):
        charts.stage_touchpoint_heatmap(F.touchpoints_frame())


def test_missing_column_names_the_table_and_column():
    with pytest.raises(ChartError, match=r"stages: missing column\(s\) \['sentiment_mean'\]"):
        charts.emotion_curve(F.stages_frame().drop(columns=[s.SENTIMENT_MEAN]))


def test_pain_point_priority_bars_in_rank_order_with_codebook_labels():
    opp = F.opportunities_frame()
    spec = charts.pain_point_priority(opp, codebook=CB, top=5).to_dict()
    enc = spec["encoding"]
    assert enc["x"]["field"] == s.SCORE
    labels = enc["y"]["sort"]
    assert len(labels) == 5 == len(data_rows(spec))
    ranks = [int(label.split(".")[0]) for label in labels]
    assert ranks == sorted(opp[s.RANK])[:5]
    pain_labels = {c.label for c in CB.pain_points}
    assert all(label.split(". ")[1].split(" · ")[0] in pain_labels for label in labels)
    notes = {r[s.NOTE] for r in data_rows(spec)}
    assert notes == {"fix &lt;b&gt;this&lt;/b&gt;"}
    assert all(s.EVIDENCE_IDS not in r for r in data_rows(spec))


def test_charts_stay_small():
    """Data embedded grows with aggregates, not segments: all frames here give < 40 kB."""
    for chart in (
        charts.emotion_curve(F.stages_frame(), F.evidence_frame()),
        charts.persona_comparison(F.stages_frame(), F.evidence_frame()),
        charts.stage_touchpoint_heatmap(F.touchpoints_frame(), persona="budget-family"),
        charts.pain_point_priority(F.opportunities_frame()),
    ):
        spec = chart.to_dict()
        assert size(spec) < 40_000
        assert F.SECRET not in json.dumps(spec)


def test_enable_offline_rendering_picks_a_static_renderer():
    before = alt.renderers.active
    try:
        assert charts.enable_offline_rendering() == "svg" == alt.renderers.active
        assert charts.enable_offline_rendering("png") == "png"
        with pytest.raises(ChartError, match="not offline-safe"):
            charts.enable_offline_rendering("html")
    finally:
        alt.renderers.enable(before)


def test_persona_panels_each_draw_their_own_points():
    spec = charts.persona_comparison(F.stages_frame()).to_dict()
    circles = [
        n for n in walk(spec) if isinstance(n.get("mark"), dict) and n["mark"]["type"] == "circle"
    ]
    assert len(circles) == len(F.PERSONAS)


def test_missing_interval_is_null_not_nan():
    """A one-participant stage has no CI: the spec must stay valid JSON (null, not NaN)."""
    frame = F.stages_frame()
    frame.loc[0, [s.SENTIMENT_CI_LOW, s.SENTIMENT_CI_HIGH]] = float("nan")
    spec = charts.emotion_curve(frame).to_dict()
    json.dumps(spec, allow_nan=False)  # raises ValueError on NaN
    lows = [r[s.SENTIMENT_CI_LOW] for r in data_rows(spec)]
    assert lows.count(None) == 1
