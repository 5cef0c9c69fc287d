"""Tests of the cold-start rule tagger (workbench.tag.rules)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from workbench import schema
from workbench.codebook import JOURNEY_TYPES, builtin_codebook, parse_codebook
from workbench.tag.rules import NEGATIVE_COMPOUND, RuleTagger, cue_pattern, tokenize

BOOK = """\
name: Rules test
stages:
  - code: setup
    cues: [install, sign up, first bill]
  - code: billing
    cues: [bill, charge]
  - code: support
    cues: [line test, reference number, fault]
  - code: leaving
    cues: [cut * off, didn't turn up]
touchpoints:
  - {code: app, cues: [app]}
  - {code: phone, cues: [helpline, rang]}
  - {code: email, cues: [email, e-mail]}
  - {code: mail, cues: [mail]}
emotions:
  - {code: angry, valence: negative, cues: [annoyed, fed up]}
  - {code: happy, valence: positive, cues: [happy, pleased]}
  - {code: let_down, valence: negative, cues: [not happy]}
pain_points:
  - {code: wait, cues: [on hold, kept], strong_cues: [overcharged, still waiting]}
goals: [I wanted to, so that]
"""


def expected_confidence(top: float, second: float = 0.0) -> float:
    """The documented formula, written out independently of the implementation."""
    return (1 - math.exp(-top / 2)) * top / (top + second)


@pytest.fixture(scope="module")
def tagger() -> RuleTagger:
    return RuleTagger(parse_codebook(BOOK, "test")).fit()


def one(tagger: RuleTagger, text: str, sentiment: float | None = None) -> pd.Series:
    frame = tagger.predict_frame([text], None if sentiment is None else [sentiment])
    return frame.iloc[0]


def test_columns_and_source(tagger):
    frame = tagger.predict_frame(["I rang the helpline", "nothing here"])
    assert list(frame.columns) == [
        schema.STAGE, schema.STAGE_CONFIDENCE, schema.TOUCHPOINTS, schema.EMOTION,
        schema.PAIN_POINT, schema.GOAL, schema.PAIN_CATEGORY, schema.CODE_SOURCE,
    ]  # fmt: skip
    assert (frame[schema.CODE_SOURCE] == schema.SOURCE_RULE).all()
    assert frame[schema.PAIN_POINT].dtype == bool and frame[schema.GOAL].dtype == bool


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("The installation went fine", "setup"),
        ("they installed it on Friday", "setup"),
        ("I was installing it myself", "setup"),
        ("We signed-up in May", "setup"),
        ("someone cut us off", "leaving"),
        ("The engineer didn’t turn up", "leaving"),  # curly apostrophe
        ("the engineer didnt turn up", "leaving"),
    ],
)
def test_stemming_and_word_sequences_match(tagger, text, stage):
    assert one(tagger, text)[schema.STAGE] == stage


@pytest.mark.parametrize(
    "text", ["I am happy", "I will apply", "an application form", "the uninstaller", "cut off"]
)
def test_word_boundaries_do_not_match_inside_words(tagger, text):
    row = one(tagger, text)
    assert "app" not in row[schema.TOUCHPOINTS]
    assert pd.isna(row[schema.STAGE]) or row[schema.STAGE] != "leaving"
    assert pd.isna(row[schema.STAGE]) or text != "the uninstaller"


def test_app_matches_its_plural(tagger):
    assert one(tagger, "their apps are slow")[schema.TOUCHPOINTS] == ["app"]


def test_tokenize_and_cue_pattern():
    assert tokenize("Didn’t turn-up, app/web") == ["didnt", "turn", "up", "app", "web"]
    assert cue_pattern("cut * off") == ("cut", "*", "off")
    assert cue_pattern("Installation") == cue_pattern("installed")


def test_no_cue_gives_none_and_zero(tagger):
    for text in ["Nothing relevant in this sentence.", "", None]:
        row = tagger.predict_frame([text]).iloc[0]
        assert pd.isna(row[schema.STAGE]) and row[schema.STAGE_CONFIDENCE] == 0.0
        assert row[schema.TOUCHPOINTS] == [] and pd.isna(row[schema.EMOTION])
        assert not row[schema.PAIN_POINT] and not row[schema.GOAL]


def test_confidence_formula_and_bounds(tagger):
    assert one(tagger, "a fault")[schema.STAGE_CONFIDENCE] == pytest.approx(expected_confidence(1))
    two = one(tagger, "they ran a line test and gave me a reference number")
    assert two[schema.STAGE] == "support"
    assert two[schema.STAGE_CONFIDENCE] == pytest.approx(expected_confidence(4))
    tie = one(tagger, "a fault with the bill")
    assert tie[schema.STAGE_CONFIDENCE] == pytest.approx(expected_confidence(1, 1))
    frame = tagger.predict_frame(["fault " * 50 + "line test reference number bill charge"])
    assert 0 < frame[schema.STAGE_CONFIDENCE].iloc[0] < 1


def test_two_strong_cues_beat_one_weak(tagger):
    strong = one(tagger, "they ran a line test and gave me a reference number")
    weak = one(tagger, "there was a fault")
    assert strong[schema.STAGE_CONFIDENCE] > weak[schema.STAGE_CONFIDENCE]
    mixed = one(tagger, "the bill arrived after a line test and a reference number")
    assert mixed[schema.STAGE] == "support"
    assert weak[schema.STAGE_CONFIDENCE] < mixed[schema.STAGE_CONFIDENCE]
    assert mixed[schema.STAGE_CONFIDENCE] < strong[schema.STAGE_CONFIDENCE]  # a rival lowers it


def test_repeating_a_cue_adds_nothing(tagger):
    once, thrice = one(tagger, "a fault"), one(tagger, "a fault, fault, fault")
    assert once[schema.STAGE_CONFIDENCE] == thrice[schema.STAGE_CONFIDENCE]


def test_longest_match_wins_within_a_section(tagger):
    row = one(tagger, "my first bill")
    assert row[schema.STAGE] == "setup"
    assert row[schema.STAGE_CONFIDENCE] == pytest.approx(expected_confidence(2))
    assert tagger.explain("my first bill")["stages"] == [("setup", "first bill")]


def test_touchpoints_are_multi_label_in_codebook_order(tagger):
    row = one(tagger, "I sent an email, then rang, then used the app")
    assert row[schema.TOUCHPOINTS] == ["app", "phone", "email"]
    # within a section matches do not overlap: "e-mail" is email, not also mail
    assert one(tagger, "an e-mail")[schema.TOUCHPOINTS] == ["email"]
    assert one(tagger, "by mail")[schema.TOUCHPOINTS] == ["mail"]


def test_emotion_and_negation(tagger):
    assert one(tagger, "I was really pleased")[schema.EMOTION] == "happy"
    assert one(tagger, "I was fed up")[schema.EMOTION] == "angry"
    assert one(tagger, "I was not happy")[schema.EMOTION] == "let_down"
    assert pd.isna(one(tagger, "I wasn't pleased")[schema.EMOTION])


def test_pain_point_rules(tagger):
    assert one(tagger, "they overcharged me")[schema.PAIN_POINT]  # strong cue alone
    assert one(tagger, "I'm still waiting")[schema.PAIN_POINT]
    assert not one(tagger, "I was on hold")[schema.PAIN_POINT]  # weak cue, no negative evidence
    assert one(tagger, "I was on hold", sentiment=-0.6)[schema.PAIN_POINT]
    assert one(tagger, "I was on hold", sentiment=NEGATIVE_COMPOUND)[schema.PAIN_POINT]
    assert not one(tagger, "I was on hold", sentiment=0.4)[schema.PAIN_POINT]
    assert not one(tagger, "I was on hold", sentiment=float("nan"))[schema.PAIN_POINT]
    assert one(tagger, "I was on hold and so annoyed")[schema.PAIN_POINT]  # negative emotion
    assert not one(tagger, "I was so annoyed", sentiment=-0.9)[schema.PAIN_POINT]  # no cue


def test_goal_cues(tagger):
    assert one(tagger, "I wanted to work from home")[schema.GOAL]
    assert one(tagger, "I want to keep my number")[schema.GOAL]  # stemmed: want/wanted
    assert one(tagger, "so that the kids can stream")[schema.GOAL]
    assert not one(tagger, "I want a router")[schema.GOAL]


def test_series_index_and_sentiment_checks(tagger):
    texts = pd.Series(["a fault", "nothing"], index=["s9", "s3"])
    frame = tagger.predict_frame(texts)
    assert list(frame.index) == ["s9", "s3"] and frame.loc["s9", schema.STAGE] == "support"
    with pytest.raises(ValueError, match="one compound score per text"):
        tagger.predict_frame(["a", "b"], sentiment=[0.1])
    assert list(tagger.predict(["a fault", "zzz"])) == ["support", None]
    assert tagger.predict_frame([]).shape == (0, 8)


def test_touchpoint_lists_are_independent(tagger):
    frame = tagger.predict_frame(["nothing", "nothing either"])
    frame[schema.TOUCHPOINTS].iloc[0].append("x")
    assert frame[schema.TOUCHPOINTS].iloc[1] == []


def test_not_fitted_and_params():
    tagger = RuleTagger(builtin_codebook())
    with pytest.raises(NotFittedError):
        tagger.predict_frame(["x"])
    assert tagger.fit() is tagger and hasattr(tagger, "index_")
    assert tagger.codebook_hash_ == builtin_codebook().hash
    assert tagger.get_params()["codebook"] is tagger.codebook
    with pytest.raises(ValueError, match="no parameter"):
        tagger.set_params(alpha=1)


def test_conflicting_stems_are_reported():
    book = BOOK.replace("cues: [bill, charge]", "cues: [bill, charge, installs]")
    tagger = RuleTagger(parse_codebook(book, "t")).fit()
    assert ("stages", ("instal",), ["billing", "setup"]) in tagger.conflicts_


@pytest.mark.parametrize("journey", JOURNEY_TYPES)
def test_builtin_examples_agree_with_cues(journey):
    """Each built-in codebook's examples (hand-coded) mostly get their stage from the cues."""
    cb = builtin_codebook(journey)
    tagger = RuleTagger(cb).fit()
    assert tagger.conflicts_ == []
    examples = [e for stage in cb.stages for e in stage.examples]
    frame = tagger.predict_frame([e.text for e in examples])
    predicted = frame[schema.STAGE].fillna("")
    agree = sum(p == e.stage for p, e in zip(predicted, examples, strict=True))
    assert agree / len(examples) >= 0.9


def test_builtin_default_on_broadband_sentences():
    tagger = RuleTagger(builtin_codebook()).fit()
    frame = tagger.predict_frame(
        [
            "The engineer never turned up to install the router, I waited in all day.",
            "I was on hold to the helpline for an hour and then got cut off.",
            "When the price rise letter came I rang to cancel.",
            "The chatbot was useless so I messaged them on Facebook instead.",
        ]
    )
    assert list(frame[schema.STAGE].fillna("-")) == ["onboarding", "support", "renewal", "-"]
    assert frame[schema.TOUCHPOINTS][0] == ["in_person"]
    assert frame[schema.TOUCHPOINTS][1] == ["phone"]
    assert frame[schema.TOUCHPOINTS][2] == ["phone", "post"]
    assert frame[schema.TOUCHPOINTS][3] == ["webchat", "social_media"]
    # the fourth: "useless" is a plain pain cue, and "useless" also signals frustration
    assert list(frame[schema.PAIN_POINT]) == [True, True, False, True]
    assert frame[schema.EMOTION][3] == "frustration"


def test_confidence_tracks_accuracy_on_real_queries(shared_data):
    """On banking77 (real queries, stages judged by hand), confident codes are more often right."""
    folder = shared_data / "banking77"
    frame = pd.read_csv(folder / "test.csv").merge(
        pd.read_csv(folder / "journey_map.csv"), on="category"
    )
    to_ours = {
        "consideration": "consideration",
        "onboarding": "onboarding",
        "everyday_use": "onboarding",
        "problem_resolution": "support",
        "account_change_exit": "renewal",
    }
    gold = frame["stage"].map(to_ours)
    coded = RuleTagger(builtin_codebook()).fit().predict_frame(frame["text"])
    covered = coded[schema.STAGE].notna()
    assert 0.1 < covered.mean() < 0.9
    right = coded[schema.STAGE] == gold
    high = covered & (coded[schema.STAGE_CONFIDENCE] >= 0.6)
    low = covered & ~high
    assert high.sum() >= 50 and low.sum() >= 50
    assert right[high].mean() > right[low].mean() + 0.1


def test_pain_category_names_the_cue_that_fired():
    from workbench.codebook import builtin_codebook

    codebook = builtin_codebook()
    tagger = RuleTagger(codebook).fit()
    frame = tagger.predict_frame(
        ["The engineer didn't turn up and nobody called.", "The router is great."],
        sentiment=[-0.6, 0.7],
    )
    categories = {code.code for code in codebook.pain_points}
    assert frame[schema.PAIN_POINT].tolist() == [True, False]
    assert frame[schema.PAIN_CATEGORY].iloc[0] in categories
    assert pd.isna(frame[schema.PAIN_CATEGORY].iloc[1])
    explained = {
        code
        for code, _ in tagger.explain(
            frame.index.size and "The engineer didn't turn up and nobody called."
        )["pain_points"]
    }
    assert frame[schema.PAIN_CATEGORY].iloc[0] in explained
