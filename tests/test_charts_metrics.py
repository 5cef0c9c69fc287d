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
from workbench.charts_metrics import (
    agreement_chart,
    choice_shares,
    coding_progress,
    survey_metrics,
)
from workbench.codebook import builtin_codebook

CB = builtin_codebook()


def test_survey_metrics_one_panel_per_question_on_its_own_scale():
    metrics = F.metrics_frame()
    spec = survey_metrics(metrics, codebook=CB).to_dict()
    assert spec["columns"] == 2  # panels wrap: never one row wider than the page
    panels = spec["concat"]
    assert [p["title"] for p in panels] == [
        "How likely are you to recommend us?",
        "How satisfied are you?",
        "How easy was it?",
    ]
    domains = [p["layer"][1]["encoding"]["x"]["scale"]["domain"] for p in panels]
    assert domains == [[-100, 100], [0, 100], [1.0, 7.0]]  # NPS, a share, a mean on 1-7
    nps_rule, nps_point = panels[0]["layer"]
    assert nps_rule["encoding"]["x"]["field"] == s.CI_LOW
    assert nps_rule["encoding"]["x2"]["field"] == s.CI_HIGH
    assert nps_point["encoding"]["x"]["field"] == s.ESTIMATE
    assert nps_point["encoding"]["y"]["field"] == s.PERSONA  # several personas: one row each
    assert panels[2]["layer"][1]["encoding"]["yOffset"]["field"] == STAGE_LABEL
    assert len(data_rows(spec)) == len(metrics)
    assert {r[STAGE_LABEL] for r in data_rows(spec)} == {ALL_STAGES_LABEL, "Support"}


def test_survey_metrics_of_one_persona_have_a_row_per_stage():
    metrics = F.metrics_frame()
    one = metrics[metrics[s.PERSONA] == F.PERSONAS[0]]
    spec = survey_metrics(one, codebook=CB).to_dict()
    encoding = spec["concat"][2]["layer"][1]["encoding"]
    assert encoding["y"]["field"] == STAGE_LABEL and "yOffset" not in encoding


def test_choice_shares_bar_per_answer_with_interval():
    shares = F.choice_frame()
    spec = choice_shares(shares).to_dict()
    panels = spec["concat"]
    assert [p["title"] for p in panels] == ["Which channel did you use?", "Plan"]
    bars, interval = panels[0]["layer"]
    assert bars["encoding"]["x"]["field"] == s.SHARE
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert bars["encoding"]["y"]["sort"] == ["Phone", "Chat", "Other"]  # most given first
    assert interval["encoding"]["x"]["field"] == s.CI_LOW
    assert interval["encoding"]["x2"]["field"] == s.CI_HIGH
    assert sorted(r["answer"] for r in data_rows(spec)) == sorted(shares["answer"])


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
