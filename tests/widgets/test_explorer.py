"""The map explorer driven as a user would: dropdowns, grid clicks, pins, a failing write."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.study_fixture import copy_study, tagged_coded_study  # noqa: F401
from workbench import schema
from workbench.errors import StoreError
from workbench.project import Project
from workbench.study import load_journey_map
from workbench.widgets.evidence_view import ALL, PINNED, PINS_FILE, PinStore, rank_pinned
from workbench.widgets.explorer import MapExplorer

HOSTILE = "<script>alert(1)</script> & the bill was wrong"


@pytest.fixture
def study(tagged_coded_study: Project, tmp_path: Path) -> Project:  # noqa: F811
    return copy_study(tagged_coded_study, tmp_path / "study")


@pytest.fixture
def explorer(study: Project) -> MapExplorer:
    return MapExplorer(study, show_map=False)


def cell_ids(explorer: MapExplorer, persona: str, stage: str) -> list[str]:
    stages = explorer.journey.stages
    row = stages[(stages[schema.PERSONA] == persona) & (stages[schema.STAGE] == stage)]
    return list(row[schema.EVIDENCE_IDS].iloc[0])


def test_choosing_persona_and_stage_shows_escaped_quotes_with_provenance(study: Project):
    journey, codebook = load_journey_map(study)
    coded = pd.read_parquet(study.processed_file("coded.parquet"))
    persona, stage = "budget-family", "support"
    stages = journey.stages
    ids = list(
        stages.loc[
            (stages[schema.PERSONA] == persona) & (stages[schema.STAGE] == stage),
            schema.EVIDENCE_IDS,
        ].iloc[0]
    )
    coded.loc[coded[schema.SEGMENT_ID] == ids[0], schema.TEXT] = HOSTILE
    widget = MapExplorer(study, journey=journey, codebook=codebook, coded=coded, show_map=False)
    widget.persona.value = persona
    widget.stage.value = stage
    assert widget.quotes[schema.SEGMENT_ID].tolist() == ids[: widget.k]
    first = widget.quote_box.children[0].children[1].value
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the bill" in first
    assert "<script>" not in first
    row = coded.set_index(schema.SEGMENT_ID).loc[ids[0]]
    for value in (row[schema.PARTICIPANT_ID], row[schema.PERSONA], row[schema.SOURCE_PATH]):
        assert str(value) in first
    assert str(row[schema.CODE_SOURCE]) in first
    location = f"line {row[schema.LINE]}" if pd.isna(row[schema.START_S]) else ":"
    assert location in first
    assert "confidence" in first
    assert f"{len(ids)} segments" in widget.title.value


def test_grid_click_shows_the_quotes_of_that_touchpoint_cell(explorer: MapExplorer):
    explorer.persona.value = "remote-worker"
    (row, stage), button = next(
        (key, b) for key, b in explorer.grid_buttons.items() if key[0] != ALL and not b.disabled
    )
    button.click()
    assert (explorer.stage.value, explorer.row.value) == (stage, row)
    assert explorer.message.value == ""
    coded = explorer.coded.set_index(schema.SEGMENT_ID)
    assert len(explorer.quotes) > 0
    for sid in explorer.quotes[schema.SEGMENT_ID]:
        assert coded.loc[sid, schema.STAGE] == stage
        assert row in list(coded.loc[sid, schema.TOUCHPOINTS])
        assert coded.loc[sid, schema.PERSONA] == "remote-worker"
    assert explorer.grid_buttons[(row, stage)].button_style == "info"
    # the whole-stage row lists the stage's evidence
    explorer.grid_buttons[(ALL, stage)].click()
    assert (
        explorer.quotes[schema.SEGMENT_ID].tolist()
        == cell_ids(explorer, "remote-worker", stage)[: explorer.k]
    )


def test_pin_saves_json_and_ranks_the_quote_first(study: Project, explorer: MapExplorer):
    persona, stage = "cautious-switcher", "support"
    explorer.persona.value = persona
    explorer.stage.value = stage
    ids = cell_ids(explorer, persona, stage)
    assert len(ids) > explorer.k
    target = explorer.quotes[schema.SEGMENT_ID].iloc[-1]  # 8th best: not in the map's top 5
    explorer.note.value = "the clearest <b>quote</b>"
    explorer.pin_buttons[target].click()
    assert "pinned" in explorer.message.value
    saved = json.loads((study.codes / PINS_FILE).read_text(encoding="utf-8"))["pins"]
    assert [(p["persona"], p["stage"], p["segment_id"]) for p in saved] == [
        (persona, stage, target)
    ]
    assert saved[0]["note"] == "the clearest <b>quote</b>" and saved[0]["pinned_at"]
    assert explorer.quotes[schema.SEGMENT_ID].iloc[0] == target
    assert explorer.pin_buttons[target].description == "unpin"
    journey, _ = load_journey_map(study, persona=persona, quotes_per_cell=5)
    cell = journey.evidence[journey.evidence[schema.STAGE] == stage].sort_values(schema.RANK)
    assert cell[schema.SEGMENT_ID].tolist()[0] == target
    assert cell[schema.RANK].tolist() == list(range(1, len(cell) + 1))
    assert cell[PINNED].tolist() == [True] + [False] * (len(cell) - 1)
    assert len(cell) == 5  # pinned quote plus the 4 best others
    others = journey.evidence[journey.evidence[schema.STAGE] != stage]
    assert not others[PINNED].any()
    explorer.pin_buttons[target].click()  # unpin
    assert PinStore(study).frame().empty
    journey, _ = load_journey_map(study, persona=persona, quotes_per_cell=5)
    cell = journey.evidence[journey.evidence[schema.STAGE] == stage]
    assert target not in set(cell[schema.SEGMENT_ID])


def test_pin_error_is_shown_in_the_widget(study: Project, explorer: MapExplorer):
    shutil.rmtree(study.codes)
    study.codes.write_text("not a folder")  # the pins file's parent is a file: the write must fail
    shown = explorer.quotes[schema.SEGMENT_ID].tolist()
    explorer.pin_buttons[shown[1]].click()
    assert "Not pinned." in explorer.message.value and "wb-error" in explorer.message.value
    assert explorer.quotes[schema.SEGMENT_ID].tolist() == shown


def test_map_is_rendered_as_svg(study: Project):
    widget = MapExplorer(study, show_map=True)
    assert widget.map.value.lstrip().startswith("<svg")
    assert widget.persona.value in widget.map.value
    assert widget.map.value.startswith('<svg style="max-width:100%;height:auto"')  # scales down
    assert "viewBox=" in widget.map.value  # so it keeps its proportions in a narrow notebook


def test_rank_pinned_and_pin_store_errors(tmp_path: Path):
    evidence = pd.DataFrame(
        {
            schema.PERSONA: ["a", "a", "a", "b"],
            schema.STAGE: ["s", "s", "t", "s"],
            schema.STAGE_ORDER: [0, 0, 1, 0],
            schema.RANK: [1, 2, 1, 1],
            schema.SEGMENT_ID: ["x", "y", "z", "w"],
        }
    )
    pins = pd.DataFrame(
        {
            schema.PERSONA: ["a", "a", "c"],
            schema.STAGE: ["s", "s", "s"],
            schema.SEGMENT_ID: ["y", "gone", "x"],
            "pinned_at": ["t1", "t2", "t3"],
            schema.NOTE: ["why", None, None],
        }
    )
    out = rank_pinned(evidence, pins)
    assert out[[schema.PERSONA, schema.STAGE, schema.SEGMENT_ID, schema.RANK]].values.tolist() == [
        ["a", "s", "y", 1],
        ["a", "s", "x", 2],
        ["a", "t", "z", 1],
        ["b", "s", "w", 1],
    ]
    assert out[PINNED].tolist() == [True, False, False, False]
    assert out[schema.NOTE].tolist()[0] == "why"
    assert rank_pinned(evidence, pins, k=1)[schema.SEGMENT_ID].tolist() == ["y", "z", "w"]
    bad = tmp_path / "data" / "codes"
    bad.mkdir(parents=True)
    (bad / PINS_FILE).write_text('{"version": 1,\n "pins": [oops]}')
    with pytest.raises(StoreError, match=r"line 2, column"):
        PinStore(tmp_path).load()
