"""``workbench evaluate``: simulated coding on a labelled CSV, learning curve, VADER baseline."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench.errors import InputError
from workbench.tag import evaluate
from workbench.tag.sentiment import VaderScorer


@pytest.fixture(scope="module")
def banking_csv(shared_data, tmp_path_factory):
    """400 banking77 queries (train.csv) labelled with their journey stage."""
    folder = shared_data / "banking77"
    read = {"dtype": str, "keep_default_na": False}
    stage = pd.read_csv(folder / "journey_map.csv", **read).set_index("category")["stage"]
    train = pd.read_csv(folder / "train.csv", **read).sample(400, random_state=0)
    frame = pd.DataFrame({"query": train["text"], "stage": train["category"].map(stage)})
    path = tmp_path_factory.mktemp("evaluate") / "banking.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("strategy", ["random", "active"])
def test_evaluate_keys_and_learning_curve(banking_csv, strategy):
    result = evaluate.evaluate_csv(
        banking_csv, text_column="query", label_column="stage", budget=60, strategy=strategy
    )
    for key in ("accuracy", "macro_f1", "kappa", "n_train", "n_test", "learning_curve"):
        assert key in result
    assert "baseline" not in result
    assert result["n_train"] == 60 and result["n_test"] == 80  # 20 % of 400 held out
    curve = result["learning_curve"]
    assert [p["n_train"] for p in curve] == sorted(p["n_train"] for p in curve)
    n_seed = max(evaluate.MIN_SEED, min(evaluate.MAX_SEED, round(evaluate.SEED_FRACTION * 60)))
    assert curve[0]["n_train"] == n_seed and curve[-1]["n_train"] == 60
    assert curve[-1]["macro_f1"] == result["macro_f1"]
    assert result["accuracy"] > 0.4  # 5 stages; the majority class is ~50 %, chance ~20 %
    json.dumps(result)  # the CLI prints it as JSON


def test_kappa_consistent_with_sklearn(banking_csv):
    frame = pd.read_csv(banking_csv, dtype=str, keep_default_na=False)
    pool, test = frame.iloc[:300], frame.iloc[300:]
    out = evaluate.simulate(
        pool["query"].tolist(),
        pool["stage"].tolist(),
        test["query"].tolist(),
        test["stage"].tolist(),
        budget=80,
        strategy="active",
        seed=1,
    )
    labelled = out["labelled"]
    assert len(set(labelled)) == len(labelled) == 80
    # the final point is the model `workbench train` keeps: refit it through fit_model with the
    # same uncoded sample and compare κ with sklearn's
    from workbench.tag.models import fit_model
    from workbench.tag.semi import uncoded_sample

    texts, stages = pool["query"].tolist(), pool["stage"].to_numpy()
    rest = [texts[i] for i in range(len(texts)) if i not in set(labelled)]
    trained = fit_model(
        "stage",
        [texts[i] for i in labelled],
        stages[labelled],
        uncoded=uncoded_sample(rest, seed=1),
        seed=1,
        calibrate=False,
    )
    predicted = trained.model.predict(test["query"].tolist())
    assert out["kappa"] == pytest.approx(cohen_kappa_score(test["stage"], predicted))
    final = out["final_model"]
    assert final["uncoded"] == len(set(rest)) and out["learning_curve"][-1]["kappa"] == out["kappa"]
    assert final["cv_macro_f1"] == pytest.approx(trained.metrics["uncoded"]["macro_f1"])
    assert final["learned_from_uncoded"] == trained.metrics["uncoded"]["used"]
    # between batches a fast stand-in is retrained: its final scores are kept for comparison
    from workbench.tag.evaluate import _Linear, text_features

    features = text_features().fit(texts)
    stand_in = _Linear(
        features.transform([texts[i] for i in labelled]).tocsr(),
        stages[labelled],
        evaluate.DEFAULT_C,
        keep=np.array([], dtype=int),
    )
    fast = stand_in.predict(features.transform(test["query"].tolist()).tocsr())
    assert final["fast_estimate"]["kappa"] == pytest.approx(cohen_kappa_score(test["stage"], fast))


def test_active_batches_are_cluster_leaders(banking_csv, monkeypatch):
    """Each simulated batch is chosen like the coding widget's: one per cluster of doubt."""
    frame = pd.read_csv(banking_csv, dtype=str, keep_default_na=False)
    pool, test = frame.iloc[:300], frame.iloc[300:]
    calls, select = [], evaluate.active.select_batch

    def spy(candidates, n, **kwargs):
        calls.append((len(candidates), n, kwargs.get("clusters")))
        return select(candidates, n, **kwargs)

    monkeypatch.setattr(evaluate.active, "select_batch", spy)
    out = evaluate.simulate(
        pool["query"].tolist(), pool["stage"].tolist(), test["query"].tolist(),
        test["stage"].tolist(), budget=60, strategy="active", seed=0,
    )  # fmt: skip
    assert len(calls) >= 5 and out["n_train"] == 60
    for candidates, n, clusters in calls:
        assert clusters == n and candidates == evaluate.active.CANDIDATES * n


def test_uncoded_pool_labels_are_never_used(banking_csv):
    """Only coded pool items' labels may matter: shuffle the others, the result is the same."""
    frame = pd.read_csv(banking_csv, dtype=str, keep_default_na=False)
    pool, test = frame.iloc[:300], frame.iloc[300:]
    args = (pool["query"].tolist(), test["query"].tolist(), test["stage"].tolist())

    def run(labels):
        return evaluate.simulate(
            args[0], labels, args[1], args[2], budget=60, strategy="active", seed=2
        )

    first = run(pool["stage"].tolist())
    labels = pool["stage"].to_numpy(dtype=object).copy()
    rest = np.setdiff1d(np.arange(len(labels)), first["labelled"])
    labels[rest] = np.random.default_rng(0).permutation(labels[rest])
    assert (labels[rest] != pool["stage"].to_numpy()[rest]).sum() > 50
    second = run(list(labels))
    assert second["labelled"] == first["labelled"]
    assert second["learning_curve"] == first["learning_curve"]
    assert second["final_model"] == first["final_model"]


def test_missing_column_lists_columns(banking_csv):
    with pytest.raises(InputError, match=r"no column 'text'.*'query', 'stage'"):
        evaluate.evaluate_csv(banking_csv, text_column="text", label_column="stage")


def test_vader_baseline_on_uci_sentences(shared_data, tmp_path):
    lines = (shared_data / "uci_sentences" / "yelp_labelled.txt").read_text().splitlines()
    rows = [line.rsplit("\t", 1) for line in lines[:200] if "\t" in line]
    path = tmp_path / "yelp.csv"
    pd.DataFrame(rows, columns=["sentence", "score"]).to_csv(path, index=False)
    result = evaluate.evaluate_csv(
        path, text_column="sentence", label_column="score", budget=80, baseline="vader"
    )
    base = result["baseline"]
    assert base["name"] == "vader" and base["n_test"] == result["n_test"] == 40
    assert set(result["labels"]) == {"negative", "positive"}  # 0/1 read as sentiment
    # recompute VADER on the same held-out rows: same split (seeded), same scores
    from sklearn.model_selection import train_test_split

    texts = [r[0] for r in rows]
    labels = evaluate.sentiment_names([r[1] for r in rows])
    _, test_x, _, test_y = train_test_split(
        texts, labels, test_size=0.2, random_state=0, stratify=labels
    )
    vader = VaderScorer().score(test_x)["sentiment_label"].tolist()
    assert base["kappa"] == pytest.approx(cohen_kappa_score(test_y, vader))
    assert base["accuracy"] == pytest.approx(
        sum(a == b for a, b in zip(test_y, vader, strict=True)) / 40
    )


def test_vader_baseline_refuses_non_sentiment_labels(banking_csv):
    with pytest.raises(InputError, match="cannot be read as sentiment"):
        evaluate.evaluate_csv(
            banking_csv, text_column="query", label_column="stage", baseline="vader"
        )


def test_group_column_keeps_each_source_on_one_side(tmp_path, monkeypatch):
    import workbench.tag.evaluate as ev

    rows = [
        {"text": f"doc{d} chunk{c} " + ("refund" if d % 2 else "quote"), "label": str(d % 2),
         "doc": f"d{d}"}
        for d in range(40) for c in range(4)
    ]  # fmt: skip
    path = tmp_path / "chunks.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    seen = {}

    def spy(pool_x, pool_y, test_x, test_y, **kwargs):
        seen["pool"], seen["test"] = pool_x, test_x
        return {"labelled": [], "accuracy": 1.0, "macro_f1": 1.0, "kappa": 1.0}

    monkeypatch.setattr(ev, "simulate", spy)
    out = ev.evaluate_csv(path, text_column="text", label_column="label", group_column="doc")
    doc = {r["text"]: r["doc"] for r in rows}
    pool, test = {doc[t] for t in seen["pool"]}, {doc[t] for t in seen["test"]}
    assert pool and test and not pool & test and out["group_column"] == "doc"
    ev.evaluate_csv(path, text_column="text", label_column="label")  # rows: chunks do mix
    pool, test = {doc[t] for t in seen["pool"]}, {doc[t] for t in seen["test"]}
    assert pool & test
