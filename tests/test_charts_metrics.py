"""Survey metrics, agreement and coding-progress charts, checked on their specs."""

from __future__ import annotations

import math

from tests import chart_frames as F
from tests.chart_spec import data_rows, encodings, walk
from workbench import agreement as agr
from workbench import schema as s
from workbench.charts_base import (
    ALL_STAGES_LABEL,
    NEUTRAL_GREY,
    NO_STAGE_LABEL,
    RELIABLE,
    STAGE_LABEL,
    TENTATIVE,
    UNCODED_LABEL,
)
from workbench.charts_metrics import agreement_chart, coding_progress, survey_metrics
from workbench.codebook import builtin_codebook

CB = builtin_codebook()


def test_survey_metrics_one_panel_per_metric_with_intervals():
    metrics = F.metrics_frame()
    spec = survey_metrics(metrics, codebook=CB).to_dict()
    panels = spec["hconcat"]
    assert [p["layer"][0]["transform"][0]["filter"] for p in panels] == [
        {"equal": m, "field": s.METRIC} for m in ("nps", "csat", "ces")
    ]
    nps_rule, nps_point = panels[0]["layer"]
    assert nps_rule["encoding"]["x"]["field"] == s.CI_LOW
    assert nps_rule["encoding"]["x2"]["field"] == s.CI_HIGH
    assert nps_point["encoding"]["x"]["field"] == s.ESTIMATE
    assert nps_point["encoding"]["x"]["scale"]["domain"] == [-100, 100]
    offset = nps_point["encoding"]["yOffset"]
    assert offset["scale"]["domain"] == [ALL_STAGES_LABEL, "Support"]
    assert len(data_rows(spec)) == len(metrics)
    assert {r[STAGE_LABEL] for r in data_rows(spec)} == {ALL_STAGES_LABEL, "Support"}


def test_agreement_chart_bars_per_pair_over_reference_bands():
    report = F.agreement_frame()
    spec = agreement_chart(report).to_dict()
    panels = spec["vconcat"]
    assert [p["title"] for p in panels] == ["ana vs ben", "ana vs model"]
    rows = data_rows(spec)
    bands = [r for r in rows if "from" in r]
    assert {(b["from"], b["to"]) for b in bands} == {(TENTATIVE, RELIABLE), (RELIABLE, 1.0)}
    rules = [
        n
        for n in walk(spec)
        if n.get("mark", {}) == {"type": "rule", "color": "#1f2933", "strokeDash": [4, 3]}
    ]
    assert rules and all(r["encoding"]["x"] == {"datum": RELIABLE} for r in rules)
    values = [r for r in rows if "statistic" in r]
    assert len(values) == 2 * len(report)  # κ and α per code and pair
    kappas = sorted(r["value"] for r in values if r["statistic"] == "Cohen's κ" and r["value"])
    assert kappas == sorted(v for v in report[agr.KAPPA] if not math.isnan(v))
    assert any(r["value"] is None for r in values)  # NaN stays undefined, not 0


def test_coding_progress_stacks_coders_with_uncoded_last_in_grey():
    progress = F.progress_frame()
    spec = coding_progress(progress, codebook=CB).to_dict()
    color = spec["encoding"]["color"]
    assert color["scale"]["domain"] == ["ana", "ben", UNCODED_LABEL]
    assert color["scale"]["range"][-1] == NEUTRAL_GREY
    x = encodings(spec, "x")[0]
    assert x["scale"]["domain"] == ["Awareness", "Decision", "Support", NO_STAGE_LABEL]
    assert spec["encoding"]["y"]["aggregate"] == "sum"
    assert len(data_rows(spec)) == len(progress)
