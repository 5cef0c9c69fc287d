"""Stage macro-F1 on real customer-service turns with 300 codes, against a plain baseline.

NatCS insurance turns (``../shared/data/studies/support-intents``) get their gold journey stage
from the pack's ``stage_map.csv``. For each seed the turns are split 80/20 (grouped by
conversation prefix is not possible: NatCS ids are per turn, so rows are the unit), 300 pool
turns are "coded" by the workbench's simulation (``workbench.tag.evaluate.simulate``, the
procedure behind ``workbench evaluate``) and the workbench's model is scored on the held-out
turns. In the same run, a plain TF-IDF + logistic-regression baseline is trained on exactly the
same 300 codes and scored on the same held-out turns.

Run: ``.venv/bin/python benchmarks/evaluate_support_intents.py [--seeds 5] [--budget 300]``.
Prints one line per seed and strategy, then mean ± sd.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from workbench.tag.evaluate import simulate

PACK = Path(__file__).resolve().parents[2] / "shared" / "data" / "studies" / "support-intents"


def natcs() -> pd.DataFrame:
    stage_map = pd.read_csv(PACK / "stage_map.csv")
    stage_map = stage_map[stage_map["source"] == "natcs_insurance"]
    to_stage = dict(
        zip(stage_map["intent"], stage_map["journey_stage"].str.split("/").str[0], strict=True)
    )
    lines = (PACK / "natcs_dstc11" / "development.test-utterances.jsonl").read_text("utf-8")
    turns = pd.DataFrame(map(json.loads, lines.splitlines()))
    turns["stage"] = turns["intent"].map(to_stage)
    return turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=300)
    args = parser.parse_args()
    if not PACK.is_dir():
        raise SystemExit(f"{PACK} is absent")
    turns = natcs()
    texts, labels = turns["utterance"].tolist(), turns["stage"].tolist()
    scores: dict[str, list[float]] = {}
    for seed in range(args.seeds):
        pool_x, test_x, pool_y, test_y = train_test_split(
            texts, labels, test_size=0.2, random_state=seed, stratify=labels
        )
        for strategy in ("random", "active"):
            result = simulate(
                pool_x, pool_y, test_x, test_y, budget=args.budget, strategy=strategy, seed=seed
            )
            coded = result["labelled"]
            baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
            baseline.fit([pool_x[i] for i in coded], [pool_y[i] for i in coded])
            base_f1 = f1_score(test_y, baseline.predict(test_x), average="macro")
            scores.setdefault(f"workbench {strategy}", []).append(result["macro_f1"])
            scores.setdefault(f"tfidf+lr {strategy}", []).append(base_f1)
            print(
                f"seed {seed} {strategy:<6} codes {len(coded)}: workbench macro-F1 "
                f"{result['macro_f1']:.3f}, TF-IDF+LR on the same codes {base_f1:.3f}",
                flush=True,
            )
    for name, values in scores.items():
        print(f"{name:<20} {np.mean(values):.3f} ± {np.std(values, ddof=1):.3f}")


if __name__ == "__main__":
    main()
