"""Order and filters of the coding queue, and context lookup, tested on plain frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import schema
from workbench.tag.active import next_to_code
from workbench.widgets.context import ContextIndex, location
from workbench.widgets.queue import (
    Filters,
    active_order,
    codable_positions,
    fallback_order,
    filter_positions,
    order_positions,
    source_order,
)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.SEGMENT_ID: list("abcdefg"),
            schema.TEXT: ["q one", "slow install", "q two", "bill high", "late engineer",
                          "chat was fine", "router broke"],
            schema.SOURCE_TYPE: ["interview"] * 5 + ["survey"] * 2,
            schema.SOURCE_PATH: ["b.txt", "b.txt", "a.txt", "a.txt", "a.txt", "s.csv", "s.csv"],
            schema.PARTICIPANT_ID: ["P2", "P2", "P1", "P1", "P1", "R1", "R2"],
            schema.PERSONA: ["x", "x", "y", "y", "y", "x", "y"],
            schema.SPEAKER_ROLE: ["interviewer", "participant", "interviewer", "participant",
                                  "participant", "participant", "participant"],
            schema.TURN: [0, 1, 0, 1, 2, 0, 0],
            schema.STAGE: [None, "purchase", None, "support", "support", "loyalty", "support"],
            schema.STAGE_CONFIDENCE: [0.0, 0.3, 0.0, 0.1, 0.2, 0.9, 0.5],
            schema.NEEDS_REVIEW: [True, True, True, True, False, False, False],
        }
    )  # fmt: skip


def test_only_participant_rows_are_codable():
    assert codable_positions(frame()).tolist() == [1, 3, 4, 5, 6]


def test_fallback_spreads_low_confidence_over_participants():
    f = frame()
    order = fallback_order(f, codable_positions(f)).tolist()
    # round 1: least confident of each participant (P1 0.1, P2 0.3, R2 0.5, R1 0.9), then P1's 2nd
    assert order == [3, 1, 6, 5, 4]


def test_source_order_is_file_then_turn():
    f = frame()
    assert source_order(f, [6, 1, 4, 3, 5]).tolist() == [3, 4, 1, 5, 6]


def test_active_order_follows_next_to_code():
    f = frame()
    positions = codable_positions(f)
    expected = next_to_code(f.iloc[positions])
    got = [f[schema.SEGMENT_ID][p] for p in active_order(f, positions)]
    assert got == expected
    assert sorted(order_positions(f, "active")) == sorted(positions)
    assert order_positions(f, "source").tolist() == [3, 4, 1, 5, 6]


def test_filters_combine():
    f = frame()
    order = [3, 4, 1, 5, 6]
    assert filter_positions(f, order, Filters(persona="y")).tolist() == [3, 4, 6]
    assert filter_positions(f, order, Filters(stage="support", source="a.txt")).tolist() == [3, 4]
    coded = np.zeros(len(f), dtype=bool)
    coded[[3, 6]] = True
    assert filter_positions(f, order, Filters(not_coded=True), coded=coded).tolist() == [4, 1, 5]
    # needs_review flag or confidence < 0.6
    assert filter_positions(f, order, Filters(needs_review=True)).tolist() == [3, 4, 1, 6]


def test_context_stays_in_the_conversation_and_survey_respondent():
    f = frame()
    index = ContextIndex(f)
    before, after = index.around(3, before=2, after=2)
    assert before.tolist() == [2] and after.tolist() == [4]
    before, after = index.around(1)
    assert before.tolist() == [0] and after.tolist() == []
    before, after = index.around(5)  # survey: another respondent is not context
    assert before.tolist() == [] and after.tolist() == []


def test_location_prefers_media_time():
    assert location(7, 59.9) == "00:00:59"
    assert location(7, float("nan")) == "line 7"
    assert location(None, None) == "location unknown"
