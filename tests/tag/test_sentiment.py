"""VADER sentiment: identical to nltk's analyzer, offline, parallel, CSV round trip."""

from __future__ import annotations

import math
import pickle
import random
import sys
from pathlib import Path

import nltk
import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.errors import ConfigError, InputError
from workbench.tag import sentiment
from workbench.tag.sentiment import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    LexiconMissingError,
    NotTextError,
    VaderScorer,
    load_analyzer,
    score_csv,
    sentiment_label,
)


def read_groundtruth(path: Path) -> list[tuple[float, str]]:
    """``id<TAB>mean<TAB>text`` rows, CRLF line endings."""
    rows = []
    for line in path.read_bytes().decode("utf-8").split("\r\n"):
        if line.strip():
            _, mean, text = line.split("\t", 2)
            rows.append((float(mean), text))
    return rows


def read_uci(path: Path) -> list[str]:
    """``sentence<TAB>label`` rows (split on LF only: imdb has NEL characters inside lines)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.rsplit("\t", 1)[0] for line in lines if "\t" in line]


@pytest.fixture(scope="module")
def nltk_sia():
    return load_analyzer()


@pytest.fixture(scope="module")
def scorer():
    return VaderScorer()


@pytest.fixture(scope="module")
def corpus(shared_data) -> list[str]:
    texts = []
    for path in sorted((shared_data / "vader_groundtruth").glob("*_GroundTruth.txt")):
        texts += [text for _, text in read_groundtruth(path)]
    for path in sorted((shared_data / "uci_sentences").glob("*_labelled.txt")):
        texts += read_uci(path)
    return texts


def test_identical_to_nltk_on_all_groundtruth_and_uci_texts(corpus, nltk_sia):
    assert len(corpus) > 26_000
    fresh = VaderScorer()
    mismatches = [t for t in corpus if fresh.polarity_scores(t) != nltk_sia.polarity_scores(t)]
    assert mismatches == []


HAND_CASES = [
    "",
    "   ",
    "a",
    "The service was good.",
    "The service was not good.",
    "The service was no good at all :(",
    "No, thanks. No problem!",
    "I don't like it, I didn't love it and it isn't great",
    "The app is GREAT but the support is AWFUL",
    "the app is GREAT",
    "EVERYTHING IS TERRIBLE",
    "Great!!!",
    "Great!!!!!!",
    "Is it great???",
    "Is it great?!?",
    "It was good, but the delivery was late and bad",
    "It was kind of good",
    "It was kind of a mess, sort of bad",
    "at least it works",
    "the least helpful agent I met",
    "very least helpful",
    "never so happy",
    "never this bad",
    "it is not the bomb, yeah right",
    "that movie was the shit",
    "it was a kiss of death",
    "living hand to mouth",
    "He cut the mustard",
    "extremely good, EXTREMELY good, barely good",
    "I love it :) <3 :D :-( ;)",
    "Love it 😀😀 but hate it 😡 ❤",
    "'good' \"bad\" (great) -awful- good, bad. good!!",
    "without doubt the best",
    "The app isnt bad",
    "good good good good bad",
    "Bad bad BAD",
]


@pytest.mark.parametrize("text", HAND_CASES)
def test_identical_to_nltk_on_tricky_hand_cases(text, scorer, nltk_sia):
    assert scorer.polarity_scores(text) == nltk_sia.polarity_scores(text)


def test_hand_cases_behave_as_vader_should(scorer):
    good = scorer.polarity_scores("The service was good.")["compound"]
    assert good > 0
    assert scorer.polarity_scores("The service was not good.")["compound"] < 0
    assert scorer.polarity_scores("The service was good!!!")["compound"] > good
    assert (
        scorer.polarity_scores("the app is GREAT, really")["compound"]
        > (scorer.polarity_scores("the app is great, really")["compound"])
    )
    assert scorer.polarity_scores("") == {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}


def test_random_token_soup_identical_to_nltk(scorer, nltk_sia):
    vocab = (
        "good GOOD bad BAD great not never so this kind of sort least at very but BUT the shit "
        "bomb yeah right isn't don't no without extremely EXTREMELY barely kinda :) :-( :D <3 :p "
        "love hate ! !! ? ?? ... , . 'good' good!! bad?? (good) a I LOL 😀 heart okay"
    ).split()
    rng = random.Random(20240611)
    texts = [" ".join(rng.choices(vocab, k=rng.randint(0, 12))) for _ in range(5_000)]
    assert [scorer.polarity_scores(t) for t in texts] == [
        nltk_sia.polarity_scores(t) for t in texts
    ]


def test_compound_correlates_with_human_ratings_on_tweets(shared_data, scorer):
    rows = read_groundtruth(shared_data / "vader_groundtruth" / "tweets_GroundTruth.txt")
    assert len(rows) == 4_200
    human = np.array([mean for mean, _ in rows])
    machine = scorer.score([text for _, text in rows], workers=1)["compound"].to_numpy()
    r = np.corrcoef(human, machine)[0, 1]
    assert r >= 0.87, f"Pearson r = {r:.3f}"


def test_parallel_path_equals_serial_path(corpus):
    texts = corpus[:6_000]
    serial = VaderScorer().score(texts, workers=1)
    parallel = VaderScorer().score(texts, workers=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_score_frame_columns_labels_index_and_missing_values(scorer, nltk_sia):
    texts = pd.Series(
        ["I love it", None, "It broke", float("nan"), "It is blue"], index=[5, 6, 7, 8, 9]
    )
    frame = scorer.score(texts)
    assert list(frame.columns) == [
        "neg", "neu", "pos", "compound", schema.SENTIMENT, schema.SENTIMENT_LABEL,
    ]  # fmt: skip
    assert list(frame.index) == [5, 6, 7, 8, 9]
    assert frame.loc[5, "compound"] == nltk_sia.polarity_scores("I love it")["compound"]
    assert frame[schema.SENTIMENT].equals(frame["compound"])
    assert frame[schema.SENTIMENT_LABEL].tolist()[::2] == [POSITIVE, NEGATIVE, NEUTRAL]
    assert frame.loc[[6, 8], "compound"].isna().all()
    assert frame.loc[[6, 8], schema.SENTIMENT_LABEL].isna().all()
    assert str(frame[schema.SENTIMENT_LABEL].dtype) == schema.STRING


def test_non_strings_raise_a_clear_error(scorer, nltk_sia):
    with pytest.raises(AttributeError):  # nltk fails too, less clearly
        nltk_sia.polarity_scores(None)
    with pytest.raises(NotTextError, match="NoneType"):
        scorer.polarity_scores(None)
    with pytest.raises(NotTextError, match="text number 2 is int"):
        scorer.score(["fine", 3])


def test_sentiment_label_thresholds_are_inclusive():
    assert sentiment_label(0.05) == POSITIVE
    assert sentiment_label(0.0499) == NEUTRAL
    assert sentiment_label(-0.05) == NEGATIVE
    assert sentiment_label(-0.0499) == NEUTRAL
    assert sentiment_label(0.3, pos_threshold=0.5, neg_threshold=-0.5) == NEUTRAL
    strict = VaderScorer(pos_threshold=0.9, neg_threshold=-0.9)
    assert strict.score(["I love it"])[schema.SENTIMENT_LABEL].tolist() == [NEUTRAL]
    with pytest.raises(ConfigError, match="neg_threshold"):
        VaderScorer(pos_threshold=-0.1, neg_threshold=0.1)


def test_scorer_pickles_without_its_caches(scorer):
    scorer.polarity_scores("warm the cache")
    clone = pickle.loads(pickle.dumps(scorer))
    assert clone._vader is None
    assert clone.polarity_scores("I love it") == scorer.polarity_scores("I love it")


def test_lexicon_is_nltks_parse_of_vadersentiment_file(scorer, nltk_sia):
    import vaderSentiment

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert scorer.lexicon is nltk_sia.lexicon
    # duplicate words in the file (e.g. "ok", "lol") keep their last value, as in nltk
    assert len(scorer.lexicon) == len({line.split("\t")[0] for line in lines})
    last = {line.split("\t")[0]: float(line.split("\t")[1]) for line in lines}
    assert scorer.lexicon == last
    assert scorer.lexicon["good"] == 1.9 and scorer.lexicon["horrible"] == -2.5


def test_never_downloads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("nltk.download was called")

    monkeypatch.setattr(nltk, "download", refuse)
    load_analyzer.cache_clear()
    try:
        assert VaderScorer().polarity_scores("so good")["compound"] > 0
    finally:
        load_analyzer.cache_clear()


def test_missing_vadersentiment_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "vaderSentiment", None)  # import now raises ImportError
    load_analyzer.cache_clear()
    try:
        with pytest.raises(LexiconMissingError, match="vaderSentiment"):
            VaderScorer().polarity_scores("good")
    finally:
        load_analyzer.cache_clear()


def test_score_csv_round_trip_keeps_ids_as_strings(tmp_path, nltk_sia):
    source = tmp_path / "answers.csv"
    pd.DataFrame(
        {"id": ["007", "010", "NA"], "answer": ["Great support!", "Terrible wait", ""]}
    ).to_csv(source, index=False)
    out = tmp_path / "out" / "scored.csv"
    frame = score_csv(source, text_column="answer", out_path=out)
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back["id"].tolist() == ["007", "010", "NA"]
    assert back[schema.SENTIMENT_LABEL].tolist() == [POSITIVE, NEGATIVE, NEUTRAL]
    expected = nltk_sia.polarity_scores("Terrible wait")["compound"]
    assert math.isclose(float(back.loc[1, schema.SENTIMENT]), expected)
    assert frame["id"].tolist() == ["007", "010", "NA"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["scored.csv"]  # no temp file left


def test_score_csv_missing_column_lists_the_columns(tmp_path):
    source = tmp_path / "answers.csv"
    source.write_text("id,answer\n1,fine\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        score_csv(source, text_column="text", out_path=tmp_path / "o.csv")
    message = str(info.value)
    assert "answers.csv" in message and "'text'" in message and "'answer'" in message
    assert not (tmp_path / "o.csv").exists()


def test_small_inputs_stay_in_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(sentiment, "ProcessPoolExecutor", no_pool)
    frame = VaderScorer().score(["good"] * 2_000)  # workers=None, below PARALLEL_MIN
    assert frame[schema.SENTIMENT_LABEL].eq(POSITIVE).all()


def test_pool_forks_only_when_single_threaded():
    import threading

    assert threading.active_count() > 1 or sentiment._start_method() == "fork"
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, daemon=True)
    helper.start()
    try:
        assert sentiment._start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        helper.join()
