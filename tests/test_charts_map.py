"""The journey map canvas: rows, aligned stage columns, weak evidence, labels, data size."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import vl_convert as vlc

from tests import chart_frames as F
from tests.chart_spec import data_rows, encodings, walk
from workbench import schema as s
from workbench.charts_base import STAGE_LABEL, WEAK_LABEL, ChartError
from workbench.charts_map import (
    ROW,
    ROW_GOALS,
    ROW_OPPORTUNITIES,
    ROW_PAINS,
    TEXT_LINES,
    journey_map,
)
from workbench.codebook import builtin_codebook

CB = builtin_codebook()
JOURNEY_ORDER = [c.label for c in CB.stages if c.code in F.STAGES]


def full_map(persona: str = "remote-worker") -> dict:
    return journey_map(
        F.stages_frame(),
        touchpoints=F.touchpoints_frame(),
        emotions=F.emotions_frame(),
        opportunities=F.opportunities_frame(),
        evidence=F.evidence_frame(),
        codebook=CB,
        persona=persona,
    ).to_dict()


def test_map_has_one_row_per_lens_and_only_present_tables():
    assert len(full_map()["vconcat"]) == 7
    minimal = journey_map(F.stages_frame(), persona="remote-worker").to_dict()
    assert len(minimal["vconcat"]) == 4  # evidence header, emotion, pain points, goals


def test_every_row_shares_the_stage_columns_in_journey_order():
    spec = full_map()
    widths = {row["width"] for row in spec["vconcat"]}
    assert len(widths) == 1
    assert spec["resolve"]["scale"]["x"] == "shared"
    for row in spec["vconcat"]:
        xs = encodings(row, "x")
        assert xs and all(x["field"] == STAGE_LABEL for x in xs)
        assert all(x["scale"]["domain"] == JOURNEY_ORDER for x in xs if "scale" in x)
    header = spec["vconcat"][0]["layer"][0]["encoding"]["x"]
    assert header["axis"]["orient"] == "top"


def test_weak_stages_are_shaded_in_every_row_and_named_in_a_legend():
    spec = full_map()
    for row in spec["vconcat"]:
        shade = row["layer"][0]
        assert shade["mark"]["type"] == "rect"
        assert shade["transform"] == [{"filter": {"field": "evidence", "equal": WEAK_LABEL}}]
    legends = [c["scale"]["domain"] for c in encodings(spec, "color") if "scale" in c]
    assert any(WEAK_LABEL in domain for domain in legends)


def test_text_rows_use_codebook_labels_of_the_persona():
    spec = full_map("budget-family")
    rows = data_rows(spec)
    by_row: dict[str, list[str]] = {}
    for r in rows:
        if ROW in r:
            by_row.setdefault(r[ROW], []).append(r[TEXT_LINES])
    pains = {c.code: c.label for c in CB.pain_points}
    frame = F.stages_frame()
    mine = frame[frame[s.PERSONA] == "budget-family"]
    expected = sorted("\n".join(pains[p] for p in items) for items in mine[s.TOP_PAIN_POINTS])
    assert sorted(by_row[ROW_PAINS]) == expected
    assert "Desired outcome" in by_row[ROW_GOALS]
    opp = F.opportunities_frame()
    best = opp[opp[s.PERSONA] == "budget-family"][s.RANK].min()
    assert any(line.startswith(f"#{best} ") for line in by_row[ROW_OPPORTUNITIES])


def test_map_embeds_only_this_personas_aggregates():
    spec = full_map("cautious-switcher")
    text = json.dumps(spec)
    assert "remote-worker" not in text and "budget-family" not in text
    assert F.SECRET not in text and "evidence_ids" not in text
    n_aggregates = sum(
        int((f[s.PERSONA] == "cautious-switcher").sum())
        for f in (F.stages_frame(), F.touchpoints_frame(), F.emotions_frame())
    )
    # each table once per row that draws it, plus the per-stage text rows
    assert len(data_rows(spec)) <= 4 * n_aggregates
    assert len(text) < 60_000


def test_map_refuses_several_personas():
    with pytest.raises(ChartError, match="expected exactly one"):
        journey_map(F.stages_frame())


def test_map_marks_are_all_found():
    marks = {n["mark"]["type"] for n in walk(full_map()) if isinstance(n.get("mark"), dict)}
    assert {"text", "circle", "area", "line", "bar", "rect", "rule"} <= marks


def _stages(n: int) -> pd.DataFrame:
    one = F.stages_frame()
    one = one[one[s.PERSONA] == "remote-worker"].iloc[[0]]
    rows = pd.concat([one] * n, ignore_index=True)
    rows[s.STAGE] = [f"Stage number {i} of the journey" for i in range(n)]
    rows[s.STAGE_ORDER] = range(n)
    return rows


@pytest.mark.parametrize("n", [3, 8, 12])
def test_the_canvas_fits_a_1280_px_page_at_any_number_of_stages(n: int):
    chart = journey_map(_stages(n), persona="remote-worker")
    spec = chart.to_dict()
    assert spec["config"]["legend"]["orient"] == "bottom"  # legends add height, not width
    svg = vlc.vegalite_to_svg(chart.to_json())
    width = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    assert width <= 1180, width  # the report's column at 1,280 px is about 1,200 px
    header = spec["vconcat"][0]["layer"][1]["encoding"]["x"]["axis"]
    assert "labelExpr" in header  # long stage names wrap instead of being cut


def test_each_legend_is_drawn_once():
    titles = [
        enc["legend"]["title"]
        for row in full_map()["vconcat"]
        for channel in ("color", "size", "opacity")
        for enc in encodings(row, channel)
        if isinstance(enc, dict) and enc.get("legend")
    ]
    assert len(titles) == len(set(titles)), titles


def test_opportunities_say_what_to_fix_and_for_how_many():
    spec = full_map()
    lines = [
        r[TEXT_LINES]
        for r in data_rows(spec)
        if isinstance(r, dict) and r.get(ROW) == ROW_OPPORTUNITIES
    ]
    assert lines and all(" ".join(text.split()).startswith("#") for text in lines)
    assert all("Fix " in text and ("people" in text or "person" in text) for text in lines)
