"""Tests of the codebook: validation errors, built-ins, hash, study override, YAML round trip."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from workbench import schema
from workbench.codebook import (
    JOURNEY_TYPES,
    STUDY_CODEBOOK_FILE,
    Codebook,
    CodebookError,
    builtin_codebook,
    codebook_to_yaml,
    load_codebook,
    study_codebook,
    write_codebook,
)
from workbench.errors import ConfigError
from workbench.tag.rules import RuleTagger

MINIMAL = """\
name: Test book
journey: default
version: 2
stages:
  - code: first
    label: First
    cues: [heard about]
    examples:
      - text: I heard about it.
        touchpoints: [web]
        emotion: calm
  - code: second
    label: Second
    cues: [signed up]
touchpoints:
  - code: web
    label: Web
    cues: [website]
emotions:
  - code: calm
    label: Calm
    valence: neutral
    cues: [fine]
"""


def write(tmp_path: Path, text: str, name: str = "codebook.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> CodebookError:
    path = write(tmp_path, text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(path) in str(info.value)
    return info.value


def test_minimal_file_loads(tmp_path):
    cb = load_codebook(write(tmp_path, MINIMAL))
    assert cb.stage_codes == ["first", "second"]
    assert cb.stage_order == {"first": 0, "second": 1}
    assert cb.version == "2"
    example = cb.stages[0].examples[0]
    assert (example.stage, example.touchpoints, example.emotion) == ("first", ("web",), "calm")
    assert cb.source == str(tmp_path / "codebook.yml")
    assert isinstance(CodebookError("x", "y"), ConfigError)


def test_duplicate_code_names_section_code_and_line(tmp_path):
    text = MINIMAL.replace("code: second", "code: first")
    err = error_of(tmp_path, text)
    assert "duplicate code 'first' in stages" in str(err)
    assert err.line == 12  # the line of the second "code: first"
    assert err.key == "stages[1].code"


def test_duplicate_code_in_another_section(tmp_path):
    text = MINIMAL + "  - code: calm\n    label: Calm again\n    valence: positive\n"
    err = error_of(tmp_path, text)
    assert "duplicate code 'calm' in emotions" in str(err)
    assert err.key == "emotions[1].code"


def test_empty_stage_list(tmp_path):
    err = error_of(tmp_path, "name: x\nstages: []\n")
    assert "stage list is empty" in str(err)
    assert err.line == 2


def test_missing_stages(tmp_path):
    assert "missing key 'stages'" in str(error_of(tmp_path, "name: x\n"))


def test_example_with_unknown_code_names_example_code_and_valid_codes(tmp_path):
    err = error_of(tmp_path, MINIMAL.replace("touchpoints: [web]", "touchpoints: [phone]"))
    message = str(err)
    assert "example 'I heard about it.'" in message
    assert "unknown touchpoint code 'phone'" in message
    assert "['web']" in message
    assert err.key == "stages[0].examples[0].touchpoints"
    err = error_of(tmp_path, MINIMAL.replace("emotion: calm", "emotion: angry"))
    assert "unknown emotion code 'angry'" in str(err) and "['calm']" in str(err)
    err = error_of(
        tmp_path,
        MINIMAL.replace("- text: I heard about it.", "- text: I heard.\n        stage: third"),
    )
    assert "unknown stage code 'third'" in str(err) and "['first', 'second']" in str(err)


def test_unknown_top_level_key_is_a_typo_guard(tmp_path):
    err = error_of(tmp_path, MINIMAL + "touchpionts: []\n")
    assert "unknown key 'touchpionts'" in str(err)
    assert "touchpoints" in str(err)  # the valid keys are listed
    assert err.line == MINIMAL.count("\n") + 1


def test_unknown_item_key(tmp_path):
    err = error_of(tmp_path, MINIMAL.replace("    label: Second", "    lable: Second"))
    assert "unknown key 'lable'" in str(err) and err.key == "stages[1].lable"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("stages:\n  - code: first", "stages: first\nx:\n  - code: first", "unknown key 'x'"),
        ("cues: [heard about]", "cues: heard about", "expected a list"),
        ("cues: [heard about]", "cues: [[heard]]", "expected a text"),
        ("name: Test book", "name: [a, b]", "expected a text"),
        ("    valence: neutral", "    valence: meh", "invalid valence 'meh'"),
        ("  - code: second", "  - code: Second Stage", "invalid code 'Second Stage'"),
        ("  - code: second\n    label: Second\n", "  - label: Second\n", "missing key 'code'"),
        ("cues: [signed up]", "cues: ['* up']", "starts with '*'"),
        ("cues: [signed up]", "cues: ['!!!']", "has no word"),
        ("cues: [signed up]", "cues: [heard about]", "given for both 'first' and 'second'"),
    ],
)
def test_wrong_types_and_values(tmp_path, old, new, expected):
    assert old in MINIMAL
    assert expected in str(error_of(tmp_path, MINIMAL.replace(old, new, 1)))


def test_stages_not_a_list(tmp_path):
    assert "expected a list" in str(error_of(tmp_path, "name: x\nstages: first\n"))


def test_duplicate_yaml_key(tmp_path):
    err = error_of(tmp_path, MINIMAL + "name: Again\n")
    assert "key 'name' appears twice (first on line 1)" in str(err)


def test_invalid_yaml_names_line(tmp_path):
    err = error_of(tmp_path, "name: x\nstages: [a, b\n  - oops: : :\n")
    assert "not valid YAML" in str(err) and err.line is not None


def test_empty_and_missing_file(tmp_path):
    assert "empty" in str(error_of(tmp_path, ""))
    with pytest.raises(CodebookError, match="file not found"):
        load_codebook(tmp_path / "nope.yml")


def test_goals_as_plain_cue_list(tmp_path):
    cb = load_codebook(write(tmp_path, MINIMAL + "goals: [I wanted to, so that]\n"))
    assert [(g.code, g.cues) for g in cb.goals] == [("goal", ("I wanted to", "so that"))]


@pytest.mark.parametrize("journey", JOURNEY_TYPES)
def test_builtins_load_and_are_rich(journey):
    cb = builtin_codebook(journey)
    assert cb.journey == journey and cb.source == f"builtin:{journey}"
    assert len(cb.stages) >= 5
    for stage in cb.stages:
        assert 1 <= len(stage.examples) <= 3, stage.code
        assert len(stage.cues) >= 10, stage.code
        assert stage.description and stage.label
    assert all(e.valence in ("negative", "neutral", "positive") for e in cb.emotions)
    assert all(p.strong_cues and p.cues for p in cb.pain_points)
    assert cb.goals


def test_default_builtin_has_the_documented_codes():
    cb = builtin_codebook()
    assert cb.stage_codes == [
        "awareness", "consideration", "decision", "purchase",
        "onboarding", "support", "loyalty", "renewal",
    ]  # fmt: skip
    assert cb.codes("touchpoints") == [
        "website", "app", "webchat", "phone", "sms",
        "email", "social_media", "store", "post", "in_person",
    ]  # fmt: skip
    assert cb.codes("emotions") == [
        "frustration", "confusion", "anxiety", "disappointment", "neutral",
        "relief", "satisfaction", "delight", "trust",
    ]  # fmt: skip
    assert cb.valence["frustration"] == "negative" and cb.valence["trust"] == "positive"


def test_journey_types_have_own_stages_and_shared_sections():
    default = builtin_codebook()
    stage_lists = {
        j: tuple((s.code, s.label) for s in builtin_codebook(j).stages) for j in JOURNEY_TYPES
    }
    assert len(set(stage_lists.values())) == len(JOURNEY_TYPES)
    for journey in JOURNEY_TYPES:
        cb = builtin_codebook(journey)
        shared = ("emotions",) if journey == "ecommerce" else SHARED_SECTIONS
        for section in shared:
            assert getattr(cb, section) == getattr(default, section), (journey, section)


def test_the_shopping_journey_codes_retail_reviews():
    """Its own touchpoints and pain points, on review sentences like the clothing pack's."""
    cb = builtin_codebook("ecommerce")
    assert cb.stage_codes == builtin_codebook().stage_codes  # maps compare with other studies
    tagger = RuleTagger(cb).fit()
    frame = tagger.predict_frame(
        [
            "It was way too tight so I sent it back for a refund.",
            "I sized up based on the size chart and it fits perfectly.",
            "Bought it on sale in the store, great price.",
            "The package never arrived and customer service never responded.",
        ]
    )
    assert list(frame[schema.STAGE]) == ["support", "decision", "purchase", "support"]
    assert list(frame[schema.PAIN_CATEGORY].fillna("-")) == ["fit_size", "-", "-", "delivery"]
    assert frame[schema.TOUCHPOINTS][2] == ["store"]


SHARED_SECTIONS = ("touchpoints", "emotions", "pain_points", "goals")


def test_unknown_builtin():
    with pytest.raises(CodebookError, match="unknown journey type 'nope'"):
        builtin_codebook("nope")


def test_hash_stable_across_key_order_and_whitespace(tmp_path):
    a = load_codebook(write(tmp_path, MINIMAL, "a.yml"))
    data = yaml.safe_load(MINIMAL)
    reordered = {key: data[key] for key in reversed(list(data))}
    reordered["stages"] = [dict(reversed(list(s.items()))) for s in data["stages"]]
    b_text = yaml.safe_dump(reordered, sort_keys=False, default_flow_style=True, width=30)
    b = load_codebook(write(tmp_path, "# a comment\n\n" + b_text, "b.yml"))
    assert a.hash == b.hash and len(a.hash) == 16
    int(a.hash, 16)
    assert a == b  # source is not part of equality


def test_hash_changes_with_content(tmp_path):
    base = load_codebook(write(tmp_path, MINIMAL, "a.yml")).hash
    changes = [
        MINIMAL.replace("cues: [heard about]", "cues: [heard about, advert]"),
        MINIMAL.replace("label: Second", "label: Second stage"),
        MINIMAL.replace("valence: neutral", "valence: positive"),
    ]
    hashes = {
        load_codebook(write(tmp_path, text, f"c{i}.yml")).hash for i, text in enumerate(changes)
    }
    assert base not in hashes and len(hashes) == len(changes)
    # stage order is content: swapping the stages changes the hash
    data = yaml.safe_load(MINIMAL)
    data["stages"].reverse()
    swapped = load_codebook(write(tmp_path, yaml.safe_dump(data), "s.yml"))
    assert swapped.hash != base


def test_study_override(tmp_path):
    assert study_codebook(tmp_path) == builtin_codebook("default")
    write(tmp_path, MINIMAL, STUDY_CODEBOOK_FILE)
    cb = study_codebook(tmp_path)
    assert cb.name == "Test book" and cb.source == str(tmp_path / STUDY_CODEBOOK_FILE)


def test_study_codebook_yaml_extension_is_refused(tmp_path):
    write(tmp_path, MINIMAL, "codebook.yaml")
    with pytest.raises(CodebookError, match=r"must be named codebook\.yml"):
        study_codebook(tmp_path)


def test_study_codebook_invalid_file_raises(tmp_path):
    write(tmp_path, "name: x\nstages: []\n", STUDY_CODEBOOK_FILE)
    with pytest.raises(CodebookError, match="stage list is empty"):
        study_codebook(tmp_path)


@pytest.mark.parametrize("journey", JOURNEY_TYPES)
def test_yaml_round_trip(tmp_path, journey):
    cb = builtin_codebook(journey)
    text = codebook_to_yaml(cb)
    assert text.startswith("# Journey Workbench codebook")
    path = write_codebook(cb, tmp_path / "out.yml")
    again = load_codebook(path)
    assert isinstance(again, Codebook)
    assert again == cb and again.hash == cb.hash
    assert not list(tmp_path.glob(".*.tmp"))


def test_round_trip_of_custom_file(tmp_path):
    cb = load_codebook(write(tmp_path, MINIMAL))
    again = load_codebook(write_codebook(cb, tmp_path / "copy.yml"))
    assert again == cb and again.stages[0].examples == cb.stages[0].examples
