"""Learning curves of the stage coder on banking77: random vs active coding.

Pool = banking77 ``train.csv`` (10,003 queries), test = the official ``test.csv`` (3,080); each
intent is mapped to one of 5 journey stages by ``journey_map.csv``. For every strategy × budget
the product's simulation (:func:`workbench.tag.evaluate.simulate`, the engine behind
``workbench evaluate``, whose final point is the model ``workbench train`` would keep, with the
uncoded pool as the study's uncoded segments) is run with 3 seeds and macro-F1, accuracy and
Cohen's κ are printed as mean ± sd. Targets (issue 3): macro-F1 ≥ 0.80 with 300 active codes,
≥ 0.93 with 1,000.

Run: ``.venv/bin/python benchmarks/evaluate_banking77.py [--budgets 100 300 1000 all]
[--seeds 3] [--first-seed 0] [--json OUT]``. Reads ``../shared/data/banking77``; exits with a
message if absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.tag.evaluate import simulate

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "banking77"


def load() -> tuple[list[str], list[str], list[str], list[str]]:
    """Pool and test texts with their journey stage."""
    read = {"dtype": str, "keep_default_na": False}
    stage = pd.read_csv(DATA / "journey_map.csv", **read).set_index("category")["stage"]
    train = pd.read_csv(DATA / "train.csv", **read)
    test = pd.read_csv(DATA / "test.csv", **read)
    return (
        train["text"].tolist(),
        train["category"].map(stage).tolist(),
        test["text"].tolist(),
        test["category"].map(stage).tolist(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", nargs="+", default=["100", "300", "1000", "all"])
    parser.add_argument("--strategies", nargs="+", default=["random", "active"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--first-seed", type=int, default=0, help="seeds run from here (new seeds: a fresh check)"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"banking77 is absent (looked in {DATA}); nothing to measure", file=sys.stderr)
        return 1
    pool_x, pool_y, test_x, test_y = load()
    rows = []
    for budget in args.budgets:
        n = len(pool_x) if budget == "all" else int(budget)
        # with every pool item coded, the strategy and seed make no difference: run once
        strategies = ["all"] if budget == "all" else args.strategies
        seeds = [0] if budget == "all" else range(args.first_seed, args.first_seed + args.seeds)
        for strategy in strategies:
            runs, start = [], time.perf_counter()
            for seed in seeds:
                name = "random" if strategy == "all" else strategy
                runs.append(
                    simulate(pool_x, pool_y, test_x, test_y, budget=n, strategy=name, seed=seed)
                )
            seconds = (time.perf_counter() - start) / len(runs)
            row = {"strategy": strategy, "budget": budget, "seeds": len(runs), "s_per_run": seconds}
            for key in ("macro_f1", "accuracy", "kappa"):
                values = np.array([r[key] for r in runs])
                row[key] = float(values.mean())
                row[f"{key}_sd"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            row["macro_f1_per_seed"] = [round(float(r["macro_f1"]), 4) for r in runs]
            finals = [r["final_model"] or {} for r in runs]
            row["learned_from_uncoded"] = sum(bool(f.get("learned_from_uncoded")) for f in finals)
            fast = [f["fast_estimate"]["macro_f1"] for f in finals if f.get("fast_estimate")]
            row["fast_estimate_macro_f1"] = float(np.mean(fast)) if fast else None
            rows.append(row)
            print(
                f"{strategy:>7} {budget:>5}  macro-F1 {row['macro_f1']:.3f} ± "
                f"{row['macro_f1_sd']:.3f}  accuracy {row['accuracy']:.3f} ± "
                f"{row['accuracy_sd']:.3f}  kappa {row['kappa']:.3f} ± {row['kappa_sd']:.3f}"
                f"  ({seconds:.1f} s/run, {len(runs)} seeds; final model learned from uncoded "
                f"segments in {row['learned_from_uncoded']}; stand-in macro-F1 "
                f"{row['fast_estimate_macro_f1'] or float('nan'):.3f}; per seed "
                f"{row['macro_f1_per_seed']})",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
