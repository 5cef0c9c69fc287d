"""Benchmark: ``workbench tag`` (rules, models, VADER) on 1M segments vs plain nltk VADER.

Run on demand::

    .venv/bin/python benchmarks/tag.py [--n 1000000] [--workers 2] [--models models/]

Texts are pairs of real sentences from ``../shared/data`` (banking77, VADER's gold standard, UCI)
joined at random, so nearly all of them are distinct and no cache flatters the figures. The
baseline is ``df.text.map(sia.polarity_scores)`` with nltk's analyzer, timed on a subsample in
the same run. Prints throughput, the ratio, whether the sentiment scores are identical to nltk's,
and peak memory. Target (issue 3): >= 3x the baseline on 2 cores, peak memory <= 4 GB.
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from memory import PeakRSS

from workbench import schema
from workbench.ingest.build import _COLUMNS
from workbench.project import Project
from workbench.tag.pipeline import tag
from workbench.tag.sentiment import load_analyzer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def real_sentences() -> list[str]:
    """Sentences from the shared data sets (read, never copied into the repository)."""
    texts: list[str] = []
    with open(SHARED / "banking77" / "train.csv", encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
    for path in (SHARED / "vader_groundtruth").glob("*GroundTruth.txt"):
        for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
            parts = line.rstrip("\r").split("\t")
            if len(parts) == 3:
                texts.append(parts[2])
    for path in (SHARED / "uci_sentences").glob("*_labelled.txt"):
        texts += [line.split("\t")[0] for line in path.read_text(encoding="utf-8").split("\n")]
    return [t for t in texts if t.strip()]


def segments_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pool = np.array(real_sentences(), dtype=object)
    first = pool[rng.integers(0, len(pool), n)]
    second = pool[rng.integers(0, len(pool), n)]
    texts = [f"{a} {b}" for a, b in zip(first, second, strict=True)]
    frame = pd.DataFrame({column: None for column in _COLUMNS}, index=range(n))
    frame[schema.SEGMENT_ID] = [f"s{i:08d}" for i in range(n)]
    frame[schema.TEXT] = texts
    frame[schema.SPEAKER_ROLE] = schema.ROLE_PARTICIPANT
    frame[schema.PARTICIPANT_ID] = [f"P{i % 5000:04d}" for i in range(n)]
    frame[schema.PERSONA] = "benchmark"
    for column in (schema.TURN, schema.CHAR_START, schema.CHAR_END, schema.LINE):
        frame[column] = 0
    return schema.conform(frame, schema.SEGMENTS, name="segments")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--baseline-n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--models",
        type=Path,
        help="a trained models/ folder to use, e.g. the sample study's after `make demo`",
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="wb-tag-bench-"))
    try:
        project = Project(root)
        segments = segments_frame(args.n)
        project.processed.mkdir(parents=True)
        segments.to_parquet(project.processed_file("segments.parquet"), index=False)
        if args.models:
            shutil.copytree(args.models, project.models)
        print(f"{len(segments):,} segments, {segments[schema.TEXT].nunique():,} distinct texts")

        sia = load_analyzer()
        sample = segments[schema.TEXT].iloc[: args.baseline_n]
        t0 = time.perf_counter()
        baseline = sample.map(sia.polarity_scores)
        base_rate = len(sample) / (time.perf_counter() - t0)
        print(
            f"baseline df.text.map(sia.polarity_scores): {base_rate:,.0f} texts/s "
            f"(on {len(sample):,} texts)"
        )

        t0 = time.perf_counter()
        with PeakRSS() as memory:
            result = tag(project, workers=args.workers, progress=True)
        seconds = time.perf_counter() - t0
        rate = args.n / seconds
        coded = result.coded
        same = np.array_equal(
            coded[schema.SENTIMENT].iloc[: len(sample)].to_numpy(),
            np.array([scores["compound"] for scores in baseline]),
        )
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"workbench tag (rules + models + VADER, {args.workers} workers): {seconds:.1f} s, "
            f"{rate:,.0f} segments/s -> {rate / base_rate:.2f}x the baseline"
        )
        print(f"sentiment identical to nltk on the first {len(sample):,}: {same}")
        print(f"models used: {result.report['models_used'] or 'none (rules + VADER)'}")
        print(
            f"peak memory (process tree, sampled): {memory.peak_mb:,.0f} MB; per process: "
            f"main {peak_self:,.0f} MB, largest worker {peak_child:,.0f} MB; target <= 4,096 MB"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
