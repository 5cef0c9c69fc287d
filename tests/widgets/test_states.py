"""The coding session in the states a real study is in: after ``tag`` (list columns read back
from Parquet), with survey respondents, and the "confirm needs a decision" rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.project import Project
from workbench.store import CodeStore
from workbench.tag.pipeline import tag
from workbench.widgets.coding import open_coding_session


def key(widget, name: str) -> None:
    """Send a key as the browser does."""
    widget.key_capture._handle_custom_msg({"type": "key", "key": name}, [])


@pytest.fixture(scope="module")
def tagged_study(ingested_study: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the ingested sample study after ``workbench tag`` (coded.parquet exists)."""
    root = tmp_path_factory.mktemp("tagged")
    shutil.copytree(ingested_study.root, root, dirs_exist_ok=True)
    project = Project(root)
    tag(project)
    return project


@pytest.fixture
def study(tagged_study: Project, tmp_path: Path) -> Project:
    """A fresh copy per test, so each test has its own code store."""
    shutil.copytree(tagged_study.root, tmp_path / "s")
    return Project(tmp_path / "s")


def test_opens_after_tag_with_touchpoints_read_back_as_arrays(study: Project):
    coded = pd.read_parquet(study.processed_file("coded.parquet"))
    arrays = coded[schema.TOUCHPOINTS].dropna()
    assert any(isinstance(v, np.ndarray) and len(v) == 0 for v in arrays)  # the trap exists
    widget = open_coding_session(study, "ana", order="source")
    shown = 0
    for _ in range(40):  # walk segments with and without touchpoints
        assert "wb-error" not in widget.message.value, widget.message.value
        row = widget.frame.iloc[widget.current_position]
        touch = schema.as_list(row[schema.TOUCHPOINTS])
        if touch:
            label = widget.codebook.labels("touchpoints")[touch[0]]
            assert label in widget.proposal.value
            shown += 1
        key(widget, "ArrowRight")
    assert shown > 0


def test_enter_on_an_empty_stage_stores_nothing(study: Project):
    widget = open_coding_session(study, "ana", order="source")
    widget.form.stage.value = ""  # "– none"
    first = widget.current_id
    for _ in range(5):
        key(widget, "Enter")
    with CodeStore.for_project(study.root) as store:
        assert store.decisions().empty
    assert widget.current_id == first
    assert "choose a stage" in widget.message.value


def test_not_codable_is_a_decision_the_map_leaves_out(study: Project):
    widget = open_coding_session(study, "ana", order="source")
    target = widget.current_id
    key(widget, "x")
    key(widget, "Enter")
    with CodeStore.for_project(study.root) as store:
        codes = store.current_codes("ana")
    assert codes[schema.SEGMENT_ID].tolist() == [target]
    assert codes[schema.STAGE].tolist() == [schema.NOT_CODABLE]
    coded = tag(study).coded.set_index(schema.SEGMENT_ID).loc[target]
    assert pd.isna(coded[schema.STAGE]) and coded[schema.CODE_SOURCE] == schema.SOURCE_HUMAN
    assert schema.as_list(coded[schema.TOUCHPOINTS]) == [] and not coded[schema.PAIN_POINT]


def test_messages_name_participant_and_place_not_ids(study: Project):
    widget = open_coding_session(study, "ana", order="source")
    row = widget.frame.iloc[widget.current_position]
    key(widget, "1")
    key(widget, "Enter")
    message = widget.message.value
    assert row[schema.SEGMENT_ID] not in message
    assert str(row[schema.PARTICIPANT_ID]) in message and str(row[schema.SOURCE_PATH]) in message


def test_participant_filter_separates_interviewees_from_respondents(study: Project):
    widget = open_coding_session(study, "ana", order="source")
    labels = [label for label, _ in widget.filter_menus[schema.PARTICIPANT_ID].options[1:]]
    interviewees = [x for x in labels if x.endswith("(interviewee)")]
    respondents = [x for x in labels if x.endswith("(survey respondent)")]
    assert interviewees and respondents and len(interviewees) + len(respondents) == len(labels)
    assert labels.index(interviewees[-1]) < labels.index(respondents[0])  # interviewees first


def test_survey_only_study_codes_in_the_widget(tmp_path: Path):
    from workbench.ingest.pipeline import ingest
    from workbench.scaffold import scaffold

    study = scaffold(tmp_path / "survey-only")
    (study.raw / "surveys" / "comments.csv").write_text(
        "respondent_id,persona,comment\n"
        "R1,budget,The engineer never came and nobody called me back.\n"
        "R2,budget,Great service and a quick install by a friendly engineer.\n"
        "R3,remote,The bill went up in April without any warning at all.\n",
        encoding="utf-8",
    )
    ingest(study, executor=None)
    widget = open_coding_session(study, "ana", order="source")
    labels = [label for label, _ in widget.filter_menus[schema.PARTICIPANT_ID].options[1:]]
    assert labels == [f"R{i} (survey respondent)" for i in (1, 2, 3)]
    key(widget, "6")
    key(widget, "Enter")
    with CodeStore.for_project(study.root) as store:
        codes = store.current_codes("ana")
    assert codes[schema.STAGE].tolist() == ["support"] and "R1" in widget.message.value
