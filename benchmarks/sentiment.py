"""Benchmark: workbench VADER scoring vs a plain ``df.text.map(sia.polarity_scores)``.

Usage::

    .venv/bin/python benchmarks/sentiment.py [--n 1000000] [--baseline-n 100000] [--workers 2]

Builds N texts by sampling (with replacement, fixed seed) real sentences from
``../shared/data``: the VADER ground truth, the UCI labelled sentences and the ``text`` column of
banking77 ``train.csv``. The nltk baseline runs on a subsample (``--baseline-n``, default
100,000) to keep the run short; its throughput is texts per second, which does not depend on N.
Ours runs on all N texts twice: as shipped (repeated texts are cached — sampled texts repeat a
lot) and with caching off (every text scored, the fair figure for mostly distinct segments).
Identity with nltk is checked on a sample. Peak memory comes from ``getrusage``: this process and
the largest child (each worker process), plus their sum as an upper bound.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import time
from pathlib import Path

import pandas as pd

from workbench.tag.sentiment import VaderScorer, load_analyzer

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def real_sentences(data: Path) -> list[str]:
    """Every text of the three shared data sets."""
    texts: list[str] = []
    for path in sorted((data / "vader_groundtruth").glob("*_GroundTruth.txt")):
        for line in path.read_bytes().decode("utf-8").split("\r\n"):
            if line.strip():
                texts.append(line.split("\t", 2)[2])
    for path in sorted((data / "uci_sentences").glob("*_labelled.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        texts += [line.rsplit("\t", 1)[0] for line in lines if "\t" in line]
    with open(data / "banking77" / "train.csv", encoding="utf-8", newline="") as stream:
        texts += [row["text"] for row in csv.DictReader(stream)]
    return texts


def max_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="texts to score")
    parser.add_argument("--baseline-n", type=int, default=100_000, help="texts for nltk")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", type=int, default=20_000, help="texts checked against nltk")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    pool = real_sentences(DATA)
    rng = random.Random(args.seed)
    texts = rng.choices(pool, k=args.n)
    df = pd.DataFrame({"text": texts})
    print(
        f"{len(pool):,} real sentences sampled into {args.n:,} texts "
        f"({df.text.nunique():,} distinct)"
    )

    sia = load_analyzer()
    base_n = min(args.baseline_n, args.n)
    sub = df.text.iloc[:base_n]
    start = time.perf_counter()
    baseline = sub.map(sia.polarity_scores)
    base_rate = base_n / (time.perf_counter() - start)
    note = f" (subsample of {base_n:,})" if base_n < args.n else ""
    print(f"nltk  df.text.map(sia.polarity_scores){note}: {base_rate:,.0f} texts/s")

    results = {}
    for name, cache_size in (("cached", 200_000), ("no cache", 0)):
        scorer = VaderScorer(cache_size=cache_size)
        start = time.perf_counter()
        frame = scorer.score(df.text, workers=args.workers)
        rate = args.n / (time.perf_counter() - start)
        results[name] = frame
        print(
            f"ours  VaderScorer.score workers={args.workers} [{name}] on all {args.n:,}: "
            f"{rate:,.0f} texts/s = {rate / base_rate:.2f}x nltk"
        )

    check = min(args.check, base_n)
    columns = ["neg", "neu", "pos", "compound"]
    expected = pd.DataFrame(baseline.iloc[:check].tolist())[columns]
    for name, frame in results.items():
        got = frame[columns].iloc[:check].reset_index(drop=True)
        same = bool((got.to_numpy() == expected.to_numpy()).all())
        print(
            f"identity with nltk on the first {check:,} texts [{name}]: "
            f"{'IDENTICAL' if same else 'DIFFERENT'}"
        )
        if not same:
            return 1
    parent, child = max_rss_mb(resource.RUSAGE_SELF), max_rss_mb(resource.RUSAGE_CHILDREN)
    print(
        f"peak RSS: this process {parent:,.0f} MB, largest worker {child:,.0f} MB, "
        f"upper bound {parent + args.workers * child:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
