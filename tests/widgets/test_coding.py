"""The coding widget driven as a user would (values, clicks, key messages), checked in SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.store import ACTION, ACTION_UNDO, MEMO, CodeStore
from workbench.widgets.coding import CodingWidget, open_coding_session
from workbench.widgets.queue import Filters
from workbench.widgets.view import CHECK_BADGE

CODEBOOK = builtin_codebook()


def key(widget: CodingWidget, name: str) -> None:
    """Send a key exactly as the browser does: a custom message to the KeyCapture widget."""
    widget.key_capture._handle_custom_msg({"type": "key", "key": name}, [])


@pytest.fixture
def store(tmp_path: Path) -> CodeStore:
    with CodeStore(tmp_path / "codes" / "codes.sqlite") as s:
        yield s


@pytest.fixture
def widget(sample_coded: pd.DataFrame, store: CodeStore) -> CodingWidget:
    return CodingWidget(sample_coded, store, "ana", order="source", codebook=CODEBOOK)


def test_mouse_correction_is_stored_before_moving_on(widget: CodingWidget, store: CodeStore):
    first, second = widget.current_id, widget.ids[widget.queue[1]]
    widget.form.stage.value = "support"
    widget.form.touch_buttons["phone"].value = True
    widget.form.touch_buttons["email"].value = True
    widget.form.emotion.value = "frustration"
    widget.form.pain_point.value = True
    widget.form.memo.value = "rang twice"
    widget.buttons["confirm"].click()
    codes = store.current_codes("ana")
    assert codes[schema.SEGMENT_ID].tolist() == [first]
    row = codes.iloc[0]
    assert row[schema.STAGE] == "support"
    assert row[schema.TOUCHPOINTS] == ["phone", "email"]
    assert row[schema.EMOTION] == "frustration"
    assert bool(row[schema.PAIN_POINT]) and not bool(row[schema.GOAL])
    assert row[MEMO] == "rang twice"
    assert widget.current_id == second
    assert "coded 1" in widget.progress.value


def test_keys_choose_stage_confirm_navigate_and_undo(widget: CodingWidget, store: CodeStore):
    ids = [widget.ids[p] for p in widget.queue[:3]]
    key(widget, "2")
    key(widget, "Enter")
    key(widget, "7")
    key(widget, "Enter")
    current = store.current_codes("ana").set_index(schema.SEGMENT_ID)[schema.STAGE]
    assert current.to_dict() == {ids[0]: CODEBOOK.stage_codes[1], ids[1]: CODEBOOK.stage_codes[6]}
    assert widget.current_id == ids[2]
    key(widget, "k")
    assert widget.current_id == ids[1]
    assert widget.form.stage.value == CODEBOOK.stage_codes[6]  # the saved code is shown again
    key(widget, "ArrowRight")
    assert widget.current_id == ids[2]
    key(widget, "u")  # undo the last confirm: ids[1]
    log = store.decisions()
    assert len(log) == 3 and log[ACTION].iloc[-1] == ACTION_UNDO
    assert log[schema.SEGMENT_ID].iloc[-1] == ids[1]
    assert store.current_codes("ana")[schema.SEGMENT_ID].tolist() == [ids[0]]
    assert widget.current_id == ids[1]
    key(widget, "Ctrl+Z")
    assert store.current_codes("ana").empty
    assert widget.current_id == ids[0]


def test_filters_narrow_the_queue(widget: CodingWidget, sample_coded: pd.DataFrame):
    participant = sample_coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT
    menu = widget.filter_menus[schema.PERSONA]
    menu.value = "budget-family"
    expected = set(
        sample_coded.loc[
            participant & (sample_coded[schema.PERSONA] == "budget-family"), schema.SEGMENT_ID
        ]
    )
    assert {widget.ids[p] for p in widget.queue} == expected
    assert 0 < len(widget.queue) < participant.sum()
    source = sample_coded.loc[widget.queue[-1], schema.SOURCE_PATH]
    widget.filter_menus[schema.SOURCE_PATH].value = source
    assert set(sample_coded.loc[widget.queue, schema.SOURCE_PATH]) == {source}
    assert len(widget.queue) < len(expected)
    first = widget.current_id
    key(widget, "Enter")
    widget.not_coded.value = True
    assert first not in {widget.ids[p] for p in widget.queue}
    widget.set_filters(Filters(needs_review=True))
    queue = sample_coded.iloc[widget.queue]
    low = queue[schema.NEEDS_REVIEW].astype(bool) | (queue[schema.STAGE_CONFIDENCE] < 0.6)
    assert low.all() and len(queue) > 0
    widget.set_filters(Filters(participant="nobody"))
    assert len(widget.queue) == 0 and "No segment matches" in widget.card.value


@pytest.mark.parametrize("failure", ["read_only", "locked"])
def test_failed_write_shows_error_keeps_input_and_stays(
    sample_coded: pd.DataFrame, tmp_path: Path, failure: str
):
    path = tmp_path / "codes.sqlite"
    CodeStore(path).close()
    if failure == "read_only":
        store = CodeStore(path, read_only=True)
    else:
        store = CodeStore(path, timeout=0.05)
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
    widget = CodingWidget(sample_coded, store, "ana", order="source")
    before = widget.current_id
    widget.form.stage.value = "renewal"
    widget.form.memo.value = "keep me"
    widget.buttons["confirm"].click()
    assert "wb-error" in widget.message.value and "Not saved" in widget.message.value
    assert str(path) in widget.message.value
    assert widget.current_id == before
    assert widget.form.stage.value == "renewal" and widget.form.memo.value == "keep me"
    if failure == "locked":
        locker.execute("ROLLBACK")
        locker.close()
        key(widget, "Enter")  # the same input, now it goes through
        assert store.current_codes()[MEMO].tolist() == ["keep me"]
        assert widget.current_id != before
    store.close()
    with CodeStore(path) as check:
        assert len(check.decisions()) == (1 if failure == "locked" else 0)


def test_transcript_html_is_shown_as_text(sample_coded: pd.DataFrame, store: CodeStore):
    frame = sample_coded.copy()
    position = int(np.flatnonzero(frame[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT)[0])
    frame.loc[position, schema.TEXT] = 'I typed <script>alert("x")</script> in chat'
    frame.loc[position, schema.SPEAKER] = "<b>Maya</b>"
    widget = CodingWidget(frame, store, "ana", order="source")
    widget.set_filters(Filters(participant=frame.loc[position, schema.PARTICIPANT_ID]))
    while widget.current_position != position:
        key(widget, "j")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in widget.card.value
    assert "<script>" not in widget.card.value and "<b>Maya</b>" not in widget.card.value


def test_context_location_and_low_confidence_badge(widget: CodingWidget, sample_coded):
    frame = sample_coded
    position = widget.current_position
    row = frame.iloc[position]
    same = frame[frame[schema.SOURCE_PATH] == row[schema.SOURCE_PATH]].sort_values(schema.TURN)
    earlier = same[same[schema.TURN] < row[schema.TURN]]
    assert len(earlier) > 0
    import html

    assert html.escape(earlier.iloc[-1][schema.TEXT]) in widget.card.value
    assert f"line {row[schema.LINE]}" in widget.card.value
    assert row[schema.PARTICIPANT_ID] in widget.card.value
    assert row[schema.PERSONA] in widget.card.value
    low = bool(row[schema.NEEDS_REVIEW]) or row[schema.STAGE_CONFIDENCE] < 0.6
    assert (CHECK_BADGE in widget.proposal.value) == low
    confident = frame.copy()
    confident[schema.STAGE_CONFIDENCE] = 0.95
    confident[schema.NEEDS_REVIEW] = False
    calm = CodingWidget(confident, widget.store, "bob", order="source")
    assert CHECK_BADGE not in calm.proposal.value
    assert "wb-low-confidence" not in calm.proposal.value
    assert "wb-low-confidence" in widget.proposal.value or not low


def test_timed_source_shows_timestamp(widget: CodingWidget, sample_coded: pd.DataFrame):
    timed = sample_coded[
        sample_coded[schema.START_S].notna()
        & (sample_coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT)
    ]
    row = timed.iloc[0]
    widget.set_filters(Filters(source=row[schema.SOURCE_PATH]))
    while widget.current_id != row[schema.SEGMENT_ID]:
        key(widget, "j")
    seconds = int(row[schema.START_S])
    stamp = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    assert stamp in widget.card.value


def most_common_human_stage(frame: pd.DataFrame) -> pd.DataFrame:
    """A real (if simple) retrain: propose the most frequent human stage for the rest."""
    human = frame[frame[schema.CODE_SOURCE] == schema.SOURCE_HUMAN]
    stage = human[schema.STAGE].value_counts().idxmax()
    rest = frame[frame[schema.CODE_SOURCE] != schema.SOURCE_HUMAN]
    return pd.DataFrame(
        {
            schema.SEGMENT_ID: rest[schema.SEGMENT_ID],
            schema.STAGE: stage,
            schema.STAGE_CONFIDENCE: 0.99,
            schema.NEEDS_REVIEW: False,
            schema.CODE_SOURCE: schema.SOURCE_MODEL,
        }
    )


def test_retrain_updates_remaining_proposals(sample_coded, store: CodeStore):
    widget = CodingWidget(
        sample_coded, store, "ana", order="source", retrain=most_common_human_stage
    )
    coded_ids = []
    for stage in ("renewal", "renewal", "support"):
        coded_ids.append(widget.current_id)
        widget.form.stage.value = stage
        key(widget, "Enter")
    widget.buttons["retrain"].click()
    widget._retrain_thread.join(30)
    assert "new proposals" in widget.message.value, widget.message.value
    frame = widget.frame.set_index(schema.SEGMENT_ID)
    rest = frame.drop(index=coded_ids)
    assert (rest[schema.STAGE] == "renewal").all()
    assert (
        frame.loc[coded_ids, schema.STAGE]
        == sample_coded.set_index(schema.SEGMENT_ID).loc[coded_ids, schema.STAGE]
    ).all()  # human-coded rows keep their proposal
    assert "stage <b>Renewal and cancellation</b>" in widget.proposal.value
    assert CHECK_BADGE not in widget.proposal.value


def test_default_retrain_refits_the_stage_model(sample_coded, store: CodeStore):
    widget = CodingWidget(sample_coded, store, "ana", order="source")
    for stage in ("support", "purchase") * 3:
        widget.form.stage.value = stage
        key(widget, "Enter")
    widget.retrain(wait=True)
    assert "new proposals" in widget.message.value, widget.message.value
    rest = widget.frame.iloc[widget.codable][~widget.coded[widget.codable]]
    assert set(rest[schema.STAGE]) <= {"support", "purchase"}
    assert (rest[schema.CODE_SOURCE] == schema.SOURCE_MODEL).all()


def test_default_retrain_refits_emotion_and_pain_when_codes_allow(sample_coded, store):
    widget = CodingWidget(sample_coded, store, "ana", order="source")
    for stage, emotion, pain in (
        ("support", "frustration", True),
        ("purchase", "delight", False),
    ) * 3:
        widget.form.stage.value = stage
        widget.form.emotion.value = emotion
        widget.form.pain_point.value = pain
        key(widget, "Enter")
    widget.retrain(wait=True)
    assert "new proposals" in widget.message.value, widget.message.value
    rest = widget.frame.iloc[widget.codable][~widget.coded[widget.codable]]
    assert set(rest[schema.EMOTION]) <= {"frustration", "delight"}
    assert set(rest[schema.PAIN_POINT]) <= {True, False}


def test_retrain_failure_is_shown(sample_coded, store: CodeStore):
    widget = CodingWidget(sample_coded, store, "ana", order="source")
    widget.retrain(wait=True)  # no human codes: the stage model cannot be fitted
    assert "Retrain failed" in widget.message.value and "human codes" in widget.message.value


def test_handler_errors_are_shown_not_logged(widget: CodingWidget, store: CodeStore):
    store.close()
    key(widget, "1")
    widget.buttons["confirm"].click()
    assert "wb-error" in widget.message.value and "closed" in widget.message.value


def test_blind_mode_hides_other_coder_and_agreement(sample_coded, store: CodeStore):
    bob = CodingWidget(sample_coded, store, "bob", order="source")
    first = bob.current_id
    bob.form.stage.value = "support"
    key(bob, "Enter")
    open_view = CodingWidget(sample_coded, store, "ana", order="source")
    assert open_view.current_id == first and "bob: support" in open_view.others.value
    blind = CodingWidget(sample_coded, store, "ana", order="source", blind=True)
    assert "support" not in blind.others.value and "hidden" in blind.others.value
    assert "Coding as" in blind.coder_label.value and "ana" in blind.coder_label.value
    blind.form.stage.value = "support"
    key(blind, "Enter")
    assert "hidden" in blind.update_agreement()
    text = open_view.update_agreement()
    assert "100%" in text and "1 segments" in text and "bob" in text


def test_open_coding_session_builds_provisional_frame(ingested_study, tmp_path):
    assert not ingested_study.processed_file("coded.parquet").exists()
    widget = open_coding_session(ingested_study, "ana", order="source")
    segments = pd.read_parquet(ingested_study.processed_file("segments.parquet"))
    participant = (segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT).sum()
    assert len(widget.queue) == participant
    assert widget.store.path == ingested_study.codes / "codes.sqlite"
    widget.store.close()
