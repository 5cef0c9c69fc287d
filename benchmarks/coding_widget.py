"""Coding widget speed with 100k segments: opening time and confirm-and-next latency.

Generates a synthetic coded table (100,000 rows: 500 interviews of 200 turns, interviewer and
participant turns alternating, proposals with random confidence), opens the widget in the default
active-learning order on a fresh code store, then confirms 300 segments with the Enter key (the
same message path as the browser) and prints the median and 95th percentile.

Targets: open <= 3 s, confirm-and-next median <= 50 ms.

    .venv/bin/python benchmarks/coding_widget.py [--rows 100000] [--confirms 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.store import CodeStore
from workbench.widgets.coding import CodingWidget

WORDS = (
    "the engineer was late again and nobody called me about the router bill price contract "
    "switch renewal support chat app website helpline refund install broadband speed"
).split()


def synthetic_coded(n: int, seed: int = 0) -> pd.DataFrame:
    """A coded table of ``n`` rows shaped like the real one (200 turns per interview)."""
    rng = np.random.default_rng(seed)
    cb = builtin_codebook()
    per_source = 200
    source = np.arange(n) // per_source
    turn = np.arange(n) % per_source
    participant = np.array([f"P{s:04d}" for s in range(source.max() + 1)], dtype=object)[source]
    persona = np.array(["remote-worker", "budget-family", "cautious-switcher"], dtype=object)[
        source % 3
    ]
    words = np.array(WORDS, dtype=object)
    texts = [" ".join(rng.choice(words, 12)) for _ in range(n)]
    stages = np.array(cb.stage_codes, dtype=object)
    confidence = rng.random(n)
    touch = np.empty(n, dtype=object)
    touch[:] = [[] for _ in range(n)]
    return pd.DataFrame(
        {
            schema.SEGMENT_ID: [f"seg{i:07d}" for i in range(n)],
            schema.SOURCE_TYPE: schema.SOURCE_INTERVIEW,
            schema.SOURCE_PATH: [f"interviews/{p}.txt" for p in participant],
            schema.PARTICIPANT_ID: participant,
            schema.PERSONA: persona,
            schema.SPEAKER: np.where(turn % 2 == 0, "Interviewer", "Participant"),
            schema.SPEAKER_ROLE: np.where(turn % 2 == 0, "interviewer", "participant"),
            schema.TURN: turn,
            schema.TEXT: texts,
            schema.CHAR_START: turn * 100,
            schema.LINE: turn * 2 + 1,
            schema.START_S: np.nan,
            schema.STAGE: stages[rng.integers(0, len(stages), n)],
            schema.STAGE_CONFIDENCE: confidence,
            schema.TOUCHPOINTS: touch,
            schema.EMOTION: None,
            schema.SENTIMENT: rng.uniform(-1, 1, n),
            schema.SENTIMENT_LABEL: "neutral",
            schema.PAIN_POINT: rng.random(n) < 0.2,
            schema.GOAL: rng.random(n) < 0.1,
            schema.CODE_SOURCE: schema.SOURCE_RULE,
            schema.NEEDS_REVIEW: confidence < 0.6,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--confirms", type=int, default=300)
    args = parser.parse_args()
    coded = synthetic_coded(args.rows)
    started = time.perf_counter()
    import workbench.tag.active  # noqa: F401 - scikit-learn import, once per kernel

    print(
        f"first import of workbench.tag.active (scikit-learn): "
        f"{time.perf_counter() - started:.2f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = CodeStore(Path(tmp) / "codes.sqlite")
        started = time.perf_counter()
        widget = CodingWidget(coded, store, "bench")
        opened = time.perf_counter() - started
        latencies = []
        for _ in range(args.confirms):
            widget.form.stage.value = "support"
            t0 = time.perf_counter()
            widget.key_capture._handle_custom_msg({"type": "key", "key": "Enter"}, [])
            latencies.append((time.perf_counter() - t0) * 1000)
        assert len(store.decisions()) == args.confirms, "not every confirm was stored"
        store.close()
    p95 = float(np.percentile(latencies, 95))
    print(f"rows={args.rows} open_s={opened:.2f} (target <= 3 s)")
    print(
        f"confirm_and_next_ms median={statistics.median(latencies):.1f} p95={p95:.1f} "
        f"(n={args.confirms}, target median <= 50 ms)"
    )


if __name__ == "__main__":
    main()
