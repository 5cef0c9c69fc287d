"""Benchmark: read a 200 MB and a 1 GB survey CSV; print size, time, peak memory and their ratio.

Run on demand (from the repository root)::

    .venv/bin/python benchmarks/survey_large.py [--sizes 200 1000] [--ingest] [--wide] [--keep DIR]

Writes a synthetic Qualtrics export of each size (in MB) to a temporary folder: a response id,
dates, an NPS, a CSAT and a choice question, a multi-select, two open-text columns of realistic
length (some blank, some over several lines, some with quoted words) and a persona. Each
measurement runs in a fresh process (so one run's peak does not hide the next one's) and prints
the time and the peak resident memory of that process: the high-water mark (``VmHWM``) and the
process tree sampled every 50 ms, the baseline after imports, and the peak divided by the file
size.

``reader`` is what one survey file costs inside ``workbench ingest``: read the bytes, decode them
and run the survey reader (:func:`workbench.ingest.pipeline.read_file`). ``ingest`` (with
``--ingest``) is the whole command on a study holding only that file, writing the Parquet
tables. ``--wide`` puts a curly apostrophe (U+2019) in a third of the answers: Python then
stores the decoded text with 2 bytes per character, so the text alone is twice the file.

Sizes are in MiB (2**20 bytes), printed as MB. Target (issue): the reader's peak <= 3x the
file size.

Measured on 2 cores (Python 3.11, pandas 3.1), before -> after the streaming reader:

- 200 MB (596k rows): reader 23.8 s, peak 1,868 MB (9.3x) -> 18.3 s, 1,261 MB (6.3x; 5.3x
  above the 206 MB after imports); ``--ingest`` 80 s, 4,119 MB (20.5x) -> 71 s, 3,819 MB (19x).
- 1,000 MB (2.97M rows): reader 114 s, peak 5,294 MB (5.3x; 5.1x above imports).
- 200 MB ``--wide`` (580k rows): reader 28.2 s, 2,434 MB (12.2x) -> 24.8 s, 1,539 MB (7.7x).

Where the reader's 200 MB peak goes: the decoded text (200 MB), the columns (about 400 MB:
open answers 190, dates 80, ids 40, list pointers 50), the answer objects (160) and the long
responses table with its temporaries (250, of which 160 of Arrow strings). The result alone
(text, answers, responses) is about 3.7x this file, so 3x would need answers and responses
kept in columnar form instead of one object per answer.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "the engineer came late and the router kept dropping so I rang the helpline twice "
    "then the app said everything was fine but my upload speed was awful for video calls "
    "I wanted to switch because the price went up again after the contract ended and "
    "the letter was confusing honestly the store staff were lovely they sorted the bill "
    "café £24 a month"
).split()
IDS = ["StartDate", "EndDate", "Finished", "ResponseId", "Q1", "Q2", "Q3", "Q4"]
IDS += ["Q5_TEXT", "Q6_TEXT", "persona"]
TEXTS = [
    "Start Date",
    "End Date",
    "Finished",
    "Response ID",
    "How likely are you to recommend us to a friend or colleague?",
    "Overall, how satisfied are you with us?",
    "Which channel did you use most?",
    "Which of these have you used? (select all that apply)",
    "What is the main reason for your score?",
    "If you could change one thing, what would it be?",
    "persona",
]
IMPORT = ["startDate", "endDate", "finished", "_recordId", "QID1", "QID2", "QID3", "QID4"]
IMPORT += ["QID5_TEXT", "QID6_TEXT", "persona"]
CHANNELS = ("App", "Phone", "Webchat", "Store", "Email")
PERSONAS = ("remote-worker", "budget-family", "cautious-switcher")
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _sentences(rng: random.Random, wide: bool, n: int = 5000) -> list[str]:
    out = []
    for _ in range(n):
        words = rng.choices(WORDS, k=rng.randint(5, 24))
        if rng.random() < 0.1:
            at = rng.randrange(len(words))
            words[at] = f'"{words[at]}"'
        if wide and rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), "I’d")
        out.append(" ".join(words).capitalize() + rng.choice(".?!."))
    return out


def _answer(rng: random.Random, pool: list[str], mean_sentences: float) -> str:
    n = max(1, int(rng.expovariate(1 / mean_sentences)) + 1)
    parts = rng.choices(pool, k=n)
    sep = "\n" if n > 2 and rng.random() < 0.2 else " "
    return sep.join(parts)


def write_survey(path: Path, megabytes: float, *, wide: bool = False, seed: int = 11) -> int:
    """Write a synthetic Qualtrics export of about ``megabytes`` MB; return its row count."""
    rng = random.Random(seed)
    pool = _sentences(rng, wide)
    target = int(megabytes * 2**20)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerows([IDS, TEXTS, [f'{{"ImportId":"{i}"}}' for i in IMPORT]])
        while out.tell() < target:
            batch = []
            for _ in range(2000):
                rows += 1
                day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                start = f"{day} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}:00"
                batch.append(
                    [
                        start,
                        start,
                        "True",
                        "R_" + "".join(rng.choices(ALNUM, k=15)),
                        rng.randint(0, 10),
                        rng.randint(1, 5),
                        rng.choice(CHANNELS),
                        ",".join(sorted(rng.sample(CHANNELS, rng.randint(1, 3)))),
                        _answer(rng, pool, 2.0) if rng.random() < 0.9 else "",
                        _answer(rng, pool, 0.8) if rng.random() < 0.6 else "",
                        rng.choice(PERSONAS),
                    ]
                )
            writer.writerows(batch)
    return rows


def _status(key: str) -> int:
    """A field of /proc/self/status in kB (0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(mode: str, path: Path) -> dict[str, float | str]:
    """Run one reader or ingest on ``path`` in this process; return its time and memory."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from memory import PeakRSS

    from workbench.config import load_config
    from workbench.ingest import survey  # noqa: F401 (imported before the baseline)
    from workbench.ingest.pipeline import ingest, read_file
    from workbench.project import Project

    baseline = _status("VmRSS") / 1024
    with PeakRSS() as tree:
        started = time.perf_counter()
        if mode == "reader":
            outcome = read_file(path.name, path, load_config(path.parents[3] / "study.yml"), True)
            if outcome.error is not None:
                raise SystemExit(str(outcome.error))
            rows = f"{len(outcome.parsed.answers):,} open answers"
        else:
            result = ingest(Project(path.parents[3]), progress=True)
            rows = f"{len(result.segments):,} segments"
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "hwm_mb": _status("VmHWM") / 1024,
        "tree_mb": tree.peak_mb,
        "baseline_mb": baseline,
        "rows": rows,
    }


def _study(folder: Path, megabytes: float, wide: bool) -> tuple[Path, int]:
    name = f"survey_{megabytes:g}mb{'_wide' if wide else ''}"
    raw = folder / name / "data" / "raw" / "surveys"
    raw.mkdir(parents=True, exist_ok=True)
    (raw.parents[2] / "study.yml").write_text("survey:\n  persona_column: persona\n")
    path = raw / f"{name}.csv"
    if path.is_file():  # kept from an earlier run (--keep)
        return path, 0
    return path, write_survey(path, megabytes, wide=wide)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[200, 1000], help="in MB")
    parser.add_argument("--ingest", action="store_true", help="also run the whole ingest")
    parser.add_argument("--wide", action="store_true", help="curly apostrophes in answers")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wb-survey-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for megabytes in args.sizes:
            t0 = time.perf_counter()
            path, rows = _study(folder, megabytes, args.wide)
            size = path.stat().st_size / 2**20
            seconds = time.perf_counter() - t0
            made = f"{rows:,} rows, written in {seconds:.0f} s" if rows else "kept from a run"
            print(f"{path.name}: {size:,.0f} MB ({made})", flush=True)
            for mode in ("reader", "ingest") if args.ingest else ("reader",):
                child = subprocess.run(
                    [sys.executable, __file__, "--measure", mode, str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if child.returncode:
                    print(f"  {mode}: failed\n{child.stderr[-2000:]}", flush=True)
                    continue
                m = json.loads(child.stdout.strip().splitlines()[-1])
                peak = max(m["hwm_mb"], m["tree_mb"])
                print(
                    f"  {mode:6}: {m['seconds']:6.1f} s, {size / m['seconds']:5.1f} MB/s; "
                    f"peak RSS {peak:,.0f} MB = {peak / size:.2f}x the file "
                    f"(above the {m['baseline_mb']:,.0f} MB after imports: "
                    f"{(peak - m['baseline_mb']) / size:.2f}x); {m['rows']}",
                    flush=True,
                )
            if args.keep is None:
                path.unlink()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print("target: reader peak <= 3x the file size")


if __name__ == "__main__":
    main()
