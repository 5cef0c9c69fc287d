"""Benchmark: build the journey map of 1,000,000 synthetic coded segments.

Run on demand::

    .venv/bin/python benchmarks/journey.py [--rows 1000000] [--participants 20000] [--repeat 3]

Generates a coded table (4 personas, the default codebook's stages, touchpoint lists, emotions,
pain points, 5% human codes, 15% interviewer rows, 20% rows without a stage), then times
:func:`workbench.journey.build_journey_map` (1,000 bootstrap replicates) and prints the time and
the peak memory of the build (resident set size above the generated table) and of the process.
Target (issue): <= 10 s for 1M coded segments.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.journey import build_journey_map
from workbench.project import Project

PERSONAS = ("remote-worker", "budget-family", "cautious-switcher", "small-business")
TEXTS = (
    "The engineer never turned up and I had to take another day off work.",
    "Honestly the app was brilliant, it told me exactly when the router would arrive.",
    "I rang the helpline three times and was on hold for forty minutes each time.",
    "The price went up again after the contract ended and nobody told me.",
    "I wanted to switch because the upload speed was awful for my video calls.",
    "The lady in the store was lovely and sorted the bill out there and then.",
    "Fine.",
    "It was okay I suppose, nothing special, it did what it said it would do and that was that "
    "really, though I did have to chase them about the welcome letter which never arrived.",
)


def _status(key: str) -> int:
    """A field of /proc/self/status in kB (0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux: write 5 to clear_refs); True when it worked."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def make_coded(rows: int, participants: int, seed: int = 0) -> pd.DataFrame:
    """A synthetic coded table with the columns of the coded contract."""
    rng = np.random.default_rng(seed)
    cb = builtin_codebook()
    stages = np.array(cb.stage_codes, dtype=object)
    touches = cb.codes("touchpoints")
    emotions = np.array(cb.codes("emotions"), dtype=object)
    pains = np.array(cb.codes("pain_points"), dtype=object)
    pid = rng.integers(0, participants, rows)
    pids = np.array([f"P{i:06d}" for i in range(participants)], dtype=object)
    persona = np.array(PERSONAS, dtype=object)[np.arange(participants) % len(PERSONAS)]
    stage = stages[rng.integers(0, len(stages), rows)]
    stage[rng.random(rows) < 0.2] = None
    sentiment = np.clip(rng.normal(0, 0.5, rows), -1, 1).round(4)
    n_touch = rng.choice(3, rows, p=[0.4, 0.45, 0.15])
    touch_codes = rng.integers(0, len(touches), (rows, 2))
    touchpoints = [
        [touches[a] for a in row[:k]]
        for row, k in zip(touch_codes.tolist(), n_touch.tolist(), strict=True)
    ]
    pain = rng.random(rows) < 0.25
    emotion = emotions[rng.integers(0, len(emotions), rows)]
    emotion[rng.random(rows) < 0.5] = None
    category = np.where(pain, pains[rng.integers(0, len(pains), rows)], None)
    human = rng.random(rows) < 0.05
    role = np.where(rng.random(rows) < 0.15, schema.ROLE_INTERVIEWER, schema.ROLE_PARTICIPANT)
    line = rng.integers(1, 2000, rows)
    start = np.where(rng.random(rows) < 0.4, rng.uniform(0, 3600, rows).round(1), np.nan)
    return pd.DataFrame(
        {
            schema.SEGMENT_ID: pd.array([f"{i:016x}" for i in range(rows)], dtype="string"),
            schema.SOURCE_PATH: pd.array(
                [f"interviews/{p}.txt" for p in pids[pid % 5000]], dtype="string"
            ),
            schema.PARTICIPANT_ID: pd.array(pids[pid], dtype="string"),
            schema.PERSONA: pd.array(persona[pid], dtype="string"),
            schema.SPEAKER_ROLE: pd.array(role, dtype="string"),
            schema.TEXT: pd.array(
                np.array(TEXTS, dtype=object)[rng.integers(0, 8, rows)], dtype="string"
            ),
            schema.LINE: line,
            schema.START_S: start,
            schema.STAGE: pd.array(stage, dtype="string"),
            schema.STAGE_CONFIDENCE: rng.random(rows).round(3),
            schema.TOUCHPOINTS: touchpoints,
            schema.EMOTION: pd.array(emotion, dtype="string"),
            schema.SENTIMENT: sentiment,
            schema.SENTIMENT_LABEL: pd.array(
                np.where(
                    sentiment >= 0.05,
                    "positive",
                    np.where(sentiment <= -0.05, "negative", "neutral"),
                ),
                dtype="string",
            ),
            schema.PAIN_POINT: pain,
            schema.PAIN_CATEGORY: pd.array(category, dtype="string"),
            schema.GOAL: rng.random(rows) < 0.1,
            schema.CODE_SOURCE: pd.array(
                np.where(human, schema.SOURCE_HUMAN, schema.SOURCE_MODEL), dtype="string"
            ),
            schema.CODEBOOK_HASH: cb.hash,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--notebook", action="store_true",
        help="also execute templates/journey_map.ipynb on the generated study and print its size",
    )  # fmt: skip
    args = parser.parse_args()
    t0 = time.perf_counter()
    coded = make_coded(args.rows, args.participants)
    print(f"generated {len(coded):,} coded rows in {time.perf_counter() - t0:.1f} s")
    cb = builtin_codebook()
    times, cpu = [], []
    base = _status("VmRSS")
    reset = _reset_peak()
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        journey = build_journey_map(coded, cb, seed=0)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    peak = _status("VmHWM")
    total = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"build_journey_map: median {np.median(times):.2f} s (runs: "
        + ", ".join(f"{t:.2f}" for t in times)
        + f"); CPU time median {np.median(cpu):.2f} s (wall time suffers when the machine is "
        f"loaded; the build is single-threaded); {len(journey.stages)} stage rows, "
        f"{len(journey.touchpoints)} touchpoint rows, "
        f"{len(journey.evidence)} quotes, {len(journey.opportunities)} opportunities"
    )
    if reset and peak:
        print(
            f"peak memory of the build: {(peak - base) / 1024:.0f} MB above the table's "
            f"{base / 1024:.0f} MB"
        )
    print(f"peak RSS of the process: {total / 1024:.0f} MB")
    print("target: <= 10 s", "OK" if np.median(times) <= 10 else "MISSED")
    if args.notebook:
        executed_notebook_size(coded)


def executed_notebook_size(coded: pd.DataFrame) -> None:
    """Run the journey-map template on a study holding ``coded``; print time and file size."""
    import papermill

    template = Path(__file__).resolve().parents[1] / "templates" / "journey_map.ipynb"
    with tempfile.TemporaryDirectory() as folder:
        project = Project(Path(folder))
        project.processed.mkdir(parents=True)
        coded.to_parquet(project.processed_file("coded.parquet"), index=False)
        out = Path(folder) / "out.ipynb"
        t0 = time.perf_counter()
        papermill.execute_notebook(
            str(template), str(out), kernel_name="python3", progress_bar=False,
            parameters={"project": folder, "persona": PERSONAS[0]},
        )  # fmt: skip
        size = out.stat().st_size
        print(
            f"executed template on {len(coded):,} coded rows: {time.perf_counter() - t0:.1f} s, "
            f"{size / 2**20:.2f} MB (target <= 2 MB)",
            "OK" if size <= 2 * 2**20 else "MISSED",
        )


if __name__ == "__main__":
    main()
