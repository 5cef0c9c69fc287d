"""The journey map model: aggregation, intervals, evidence, opportunities, notes, comparison."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.codebook import Code, Codebook, builtin_codebook
from workbench.errors import ConfigError, StoreError
from workbench.evidence import format_location
from workbench.journey import (
    NO_EVIDENCE,
    OPPORTUNITY_ID,
    OpportunityNotes,
    build_journey_map,
    cluster_bootstrap_ci,
    compare_maps,
)

CB = builtin_codebook()


def coded(rows: list[dict]) -> pd.DataFrame:
    """A coded frame from short row dicts (defaults for everything not given)."""
    full = []
    for i, row in enumerate(rows):
        sentiment = row.get("sentiment", 0.0)
        label = "negative" if sentiment <= -0.05 else "positive" if sentiment >= 0.05 else "neutral"
        full.append(
            {
                schema.SEGMENT_ID: row.get("id", f"s{i}"),
                schema.PARTICIPANT_ID: row.get("pid", "P1"),
                schema.PERSONA: row.get("persona", "a"),
                schema.SPEAKER_ROLE: row.get("role", schema.ROLE_PARTICIPANT),
                schema.SOURCE_PATH: f"interviews/{row.get('pid', 'P1')}.txt",
                schema.SOURCE_TYPE: schema.SOURCE_INTERVIEW,
                schema.TEXT: row.get("text", "x" * 100),
                schema.LINE: row.get("line", i + 1),
                schema.START_S: row.get("start_s", np.nan),
                schema.STAGE: row.get("stage", "support"),
                schema.STAGE_CONFIDENCE: row.get("confidence", 0.5),
                schema.TOUCHPOINTS: row.get("touchpoints", []),
                schema.EMOTION: row.get("emotion"),
                schema.SENTIMENT: sentiment,
                schema.SENTIMENT_LABEL: label,
                schema.PAIN_POINT: row.get("pain", False),
                schema.PAIN_CATEGORY: row.get("category"),
                schema.GOAL: row.get("goal", False),
                schema.CODE_SOURCE: row.get("source", schema.SOURCE_MODEL),
            }
        )
    frame = pd.DataFrame(full)
    for column in (schema.STAGE, schema.EMOTION, schema.PAIN_CATEGORY, schema.PERSONA):
        frame[column] = frame[column].astype("string")
    return frame


def cell(table: pd.DataFrame, persona: str, stage: str) -> pd.Series:
    rows = table[(table[schema.PERSONA] == persona) & (table[schema.STAGE] == stage)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_counts_reach_means_and_shares_by_hand():
    frame = coded(
        [
            {"pid": "P1", "sentiment": -0.5, "pain": True, "category": "waiting"},
            {"pid": "P1", "sentiment": -0.3},
            {"pid": "P2", "sentiment": 0.2},
            {"pid": "P3", "role": schema.ROLE_INTERVIEWER, "sentiment": -1.0},  # context only
            {"pid": "P3", "stage": None, "sentiment": -1.0},  # no stage: not codable
        ]
    )
    row = cell(build_journey_map(frame, CB).stages, "a", "support")
    assert row[schema.N_SEGMENTS] == 3
    assert row[schema.N_PARTICIPANTS] == 2
    assert row[schema.SENTIMENT_MEAN] == pytest.approx((-0.5 - 0.3 + 0.2) / 3)
    assert row[schema.SHARE_NEGATIVE] == pytest.approx(2 / 3)
    assert row[schema.N_PAIN_POINTS] == 1
    assert row[schema.SHARE_PAIN_POINT] == pytest.approx(1 / 3)
    assert row[schema.TOP_PAIN_POINTS] == ["waiting"]
    assert sorted(row[schema.EVIDENCE_IDS]) == ["s0", "s1", "s2"]


def test_stage_order_from_codebook_and_empty_stages_flagged():
    jm = build_journey_map(coded([{"stage": "support", "sentiment": 0.4}]), CB)
    assert jm.stages[schema.STAGE].tolist() == CB.stage_codes
    assert jm.stages[schema.STAGE_ORDER].tolist() == list(range(len(CB.stage_codes)))
    empty = jm.stages[jm.stages[schema.STAGE] != "support"]
    assert (empty[schema.N_SEGMENTS] == 0).all() and empty[NO_EVIDENCE].all()
    assert empty[schema.WEAK_EVIDENCE].all() and empty[schema.SENTIMENT_MEAN].isna().all()
    assert not cell(jm.stages, "a", "support")[NO_EVIDENCE]
    # a codebook with another order drives the columns of the map
    reverse = Codebook(
        name="r", journey="default", stages=(Code("support", "S"), Code("awareness", "A"))
    )
    stages = build_journey_map(coded([{"stage": "awareness"}]), reverse).stages
    assert stages[schema.STAGE].tolist() == ["support", "awareness"]


def test_weak_evidence_threshold_is_a_parameter():
    frame = coded([{"pid": "P1"}, {"pid": "P2"}])
    assert cell(build_journey_map(frame, CB).stages, "a", "support")[schema.WEAK_EVIDENCE]
    strong = build_journey_map(frame, CB, min_participants=2).stages
    assert not cell(strong, "a", "support")[schema.WEAK_EVIDENCE]


def test_evidence_diversity_and_human_first():
    frame = coded(
        [
            {"id": "p1a", "pid": "P1", "confidence": 0.99},
            {"id": "p1b", "pid": "P1", "confidence": 0.98},
            {"id": "p1c", "pid": "P1", "confidence": 0.97},
            {"id": "p2", "pid": "P2", "confidence": 0.10},
            {"id": "p3", "pid": "P3", "confidence": 0.20, "source": schema.SOURCE_HUMAN},
        ]
    )
    quotes = build_journey_map(frame, CB, k=4).evidence.sort_values(schema.RANK)
    assert quotes[schema.RANK].tolist() == [1, 2, 3, 4]
    # human-coded first, then every other participant before P1 repeats
    assert quotes[schema.SEGMENT_ID].tolist() == ["p3", "p1a", "p2", "p1b"]
    assert quotes[schema.PARTICIPANT_ID].head(3).nunique() == 3
    assert set(quotes.columns) >= {
        schema.PERSONA, schema.SOURCE_PATH, schema.LOCATION, schema.TEXT, schema.CONFIDENCE,
        schema.CODE_SOURCE,
    }  # fmt: skip
    ids = cell(build_journey_map(frame, CB).stages, "a", "support")[schema.EVIDENCE_IDS]
    assert ids[:3] == ["p3", "p1a", "p2"]  # evidence ids are listed best first


def test_location_is_human_readable():
    assert format_location(42, None) == "line 42"
    assert format_location(3, 3 * 60 + 12.7) == "00:03:12"
    frame = coded([{"line": 42}, {"pid": "P2", "start_s": 3723.0}])
    locations = set(build_journey_map(frame, CB).evidence[schema.LOCATION])
    assert locations == {"line 42", "01:02:03"}


def test_bootstrap_interval_contains_mean_and_narrows_with_n():
    rng = np.random.default_rng(1)
    widths = []
    for n in (10, 1000):
        values = rng.normal(0.2, 0.5, n)
        low, high = cluster_bootstrap_ci(
            np.zeros(n, int), np.arange(n), values, 1, rng=np.random.default_rng(0)
        )
        assert low[0] <= values.mean() <= high[0]
        widths.append(high[0] - low[0])
    assert widths[1] < widths[0] / 3  # ~ 1/sqrt(100) = 0.1 in theory
    one = build_journey_map(coded([{"sentiment": 0.3}]), CB).stages
    row = cell(one, "a", "support")
    assert row[schema.SENTIMENT_CI_LOW] == row[schema.SENTIMENT_CI_HIGH] == pytest.approx(0.3)


def test_bootstrap_resamples_participants_not_segments():
    # P1 says the same negative thing 50 times, P2..P4 are positive: with segments resampled
    # independently the interval would be far narrower than the between-participant spread
    rows = [{"pid": "P1", "sentiment": -0.8}] * 50 + [
        {"pid": p, "sentiment": 0.8} for p in ("P2", "P3", "P4")
    ]
    row = cell(build_journey_map(coded(rows), CB).stages, "a", "support")
    assert row[schema.SENTIMENT_CI_HIGH] - row[schema.SENTIMENT_CI_LOW] > 0.8


def test_touchpoints_exploded_and_emotion_mix():
    frame = coded(
        [
            {"pid": "P1", "touchpoints": ["app", "phone"], "emotion": "frustration"},
            {"pid": "P2", "touchpoints": ["app"], "emotion": "frustration"},
            {"pid": "P3", "touchpoints": [], "emotion": "relief"},
        ]
    )
    jm = build_journey_map(frame, CB)
    tp = jm.touchpoints.set_index([schema.STAGE, schema.TOUCHPOINT])
    assert tp.loc[("support", "app"), schema.N_SEGMENTS] == 2
    assert tp.loc[("support", "app"), schema.N_PARTICIPANTS] == 2
    assert tp.loc[("support", "phone"), schema.N_SEGMENTS] == 1
    assert tp.loc[("support", "website"), schema.N_SEGMENTS] == 0  # full grid
    emotions = jm.emotions[jm.emotions[schema.STAGE] == "support"].set_index(schema.EMOTION)
    assert emotions.loc["frustration", schema.COUNT] == 2
    assert emotions.loc["frustration", schema.SHARE] == pytest.approx(2 / 3)
    assert emotions.loc["relief", "valence"] == "positive"


def test_top_goals_are_short_quotes():
    frame = coded(
        [{"goal": True, "text": "I wanted to work from home " + "a" * 200}, {"pid": "P2"}]
    )
    goals = cell(build_journey_map(frame, CB).stages, "a", "support")[schema.TOP_GOALS]
    assert len(goals) == 1 and goals[0].startswith("I wanted to") and len(goals[0]) <= 80


def test_opportunity_ranking_formula():
    frame = coded(
        [
            {"pid": "P1", "pain": True, "category": "waiting", "sentiment": -0.6,
             "emotion": "frustration"},
            {"pid": "P2", "pain": True, "category": "waiting", "sentiment": 0.0},
            {"pid": "P1", "pain": True, "category": "billing", "sentiment": -1.0,
             "emotion": "frustration"},
        ]
    )  # fmt: skip
    opp = build_journey_map(frame, CB).opportunities.set_index(schema.PAIN_CATEGORY)
    waiting_severity = ((1 + 0.6 + 1) / 3 + (1 + 0 + 0) / 3) / 2
    assert opp.loc["waiting", schema.FREQUENCY] == 2 and opp.loc["waiting", schema.REACH] == 2
    assert opp.loc["waiting", schema.SEVERITY] == pytest.approx(waiting_severity)
    assert opp.loc["waiting", schema.SCORE] == pytest.approx(2 * waiting_severity * 2)
    assert opp.loc["billing", schema.SCORE] == pytest.approx(1 * 1.0 * 1)
    assert opp.loc["waiting", schema.RANK] == 1 and opp.loc["billing", schema.RANK] == 2
    assert opp.loc["waiting", OPPORTUNITY_ID] == "a/support/waiting"
    assert sorted(opp.loc["waiting", schema.EVIDENCE_IDS]) == ["s0", "s1"]


def test_notes_round_trip_merge_and_atomic_write(tmp_path, monkeypatch):
    notes = OpportunityNotes(tmp_path)
    assert notes.notes() == {}
    notes.set("a/support/waiting", "Offer a call-back", author="ana")
    assert notes.path == tmp_path / "data" / "codes" / "opportunity_notes.json"
    assert OpportunityNotes(tmp_path).notes() == {"a/support/waiting": "Offer a call-back"}
    frame = coded([{"pain": True, "category": "waiting"}])
    jm = build_journey_map(frame, CB, notes=notes.notes())
    assert jm.opportunities[schema.NOTE].tolist() == ["Offer a call-back"]
    assert notes.merge(jm.opportunities.drop(columns=schema.NOTE))[schema.NOTE].tolist() == [
        "Offer a call-back"
    ]

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("workbench.atomic.os.replace", crash)
    with pytest.raises(OSError):
        notes.set("a/support/waiting", "half-written")
    monkeypatch.undo()
    assert notes.notes() == {"a/support/waiting": "Offer a call-back"}  # old version intact
    notes.set("a/support/waiting", "")  # an empty note deletes it
    assert notes.notes() == {}
    notes.path.write_text('{"version": 1,\n "notes": [', encoding="utf-8")
    with pytest.raises(StoreError, match="line 2"):
        notes.notes()


def test_persona_filter_and_unknown_persona():
    frame = coded([{"persona": "a"}, {"persona": "b", "pid": "P2"}])
    assert set(build_journey_map(frame, CB, persona="b").stages[schema.PERSONA]) == {"b"}
    with pytest.raises(ConfigError, match="zz"):
        build_journey_map(frame, CB, persona="zz")


def test_compare_two_personas():
    rows = [
        {"persona": "a", "pid": f"A{i}", "sentiment": s} for i, s in enumerate((-0.5, -0.6, -0.4))
    ]
    rows += [
        {"persona": "b", "pid": f"B{i}", "sentiment": s} for i, s in enumerate((0.5, 0.6, 0.4))
    ]
    rows += [{"persona": p, "pid": f"{p}{i}", "stage": "renewal", "sentiment": 0.1}
             for p in "ab" for i in range(3)]  # fmt: skip
    frame = coded(rows)
    a = build_journey_map(frame, CB, persona="a")
    b = build_journey_map(frame, CB, persona="b")
    diff = compare_maps(a, b)
    stage_rows = diff[diff[schema.TOUCHPOINT].isna()].set_index(schema.STAGE)
    support = stage_rows.loc["support"]
    assert support["delta_" + schema.SENTIMENT_MEAN] == pytest.approx(1.0)
    assert not support["ci_overlap"] and support["moved"]
    assert schema.SENTIMENT_MEAN in support["moved_because"]
    assert support["delta_" + schema.SHARE_NEGATIVE] == pytest.approx(-1.0)
    assert sorted(support[schema.EVIDENCE_IDS + "_a"]) == ["s0", "s1", "s2"]
    assert sorted(support[schema.EVIDENCE_IDS + "_b"]) == ["s3", "s4", "s5"]
    renewal = stage_rows.loc["renewal"]
    assert renewal["ci_overlap"] and not renewal["moved"]
    assert not stage_rows.loc["awareness", "moved"]  # no evidence on either side
    # two waves of the same personas are matched persona by persona
    waves = compare_maps(build_journey_map(frame, CB), build_journey_map(frame, CB))
    assert not waves["moved"].any() and set(waves[schema.PERSONA].dropna()) == {"a", "b"}


def test_codebook_mismatch_is_reported():
    frame = coded([{}]).assign(**{schema.CODEBOOK_HASH: "0123456789abcdef"})
    jm = build_journey_map(frame, CB)
    assert jm.codebook_hash == CB.hash
    assert any("0123456789abcdef" in w for w in jm.warnings)


def test_notes_file_is_json_keyed_by_opportunity(tmp_path):
    OpportunityNotes(tmp_path).set("x/y/z", "note")
    data = json.loads((tmp_path / "data" / "codes" / "opportunity_notes.json").read_text())
    assert data["notes"]["x/y/z"]["note"] == "note"


def test_unspecified_pain_points_never_headline():
    rows = [{"pid": f"P{i}", "pain": True, "category": None, "sentiment": -0.8} for i in range(9)]
    rows += [{"pid": "P1", "pain": True, "category": "billing", "sentiment": -0.2}]
    journey = build_journey_map(coded(rows), CB)
    support = cell(journey.stages, "a", "support")
    assert list(support[schema.TOP_PAIN_POINTS]) == ["billing"]
    assert set(journey.opportunities[schema.PAIN_CATEGORY]) == {"billing"}


def test_goals_are_the_sentence_that_states_them():
    text = "Price, mainly. I just wanted a fixed price for the whole contract. The rest was fine."
    journey = build_journey_map(coded([{"goal": True, "text": text}]), CB)
    goals = list(cell(journey.stages, "a", "support")[schema.TOP_GOALS])
    assert goals == ["I just wanted a fixed price for the whole contract."]


def test_goal_statements_come_with_their_evidence_count():
    from workbench.charts_map import ROW, ROW_GOALS, TEXT_LINES, journey_map

    rows = [{"pid": f"P{i}", "goal": True, "text": "I wanted a fixed price."} for i in range(3)]
    journey = build_journey_map(coded([*rows, {"pid": "P4"}]), CB)
    assert int(cell(journey.stages, "a", "support")[schema.N_GOALS]) == 3
    spec = journey_map(journey.stages, codebook=CB, persona="a").to_dict()
    goals = [
        r[TEXT_LINES]
        for data in spec.get("datasets", {}).values()
        for r in data
        if isinstance(r, dict) and r.get(ROW) == ROW_GOALS and r.get(TEXT_LINES)
    ]
    assert goals and "(3 goal segments)" in goals[0]
