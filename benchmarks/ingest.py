"""Benchmark: ingest a generated study of 1,000 interviews (~200k segments) and 100k responses.

Run on demand::

    .venv/bin/python benchmarks/ingest.py [--interviews 1000] [--respondents 100000] [--keep DIR]

Prints the time, segments per second and peak memory (this process and its workers).
Target (issue 2): all of it in <= 30 s and <= 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from memory import PeakRSS

from workbench import schema
from workbench.ingest.pipeline import ingest
from workbench.project import Project

WORDS = (
    "the engineer came late and the router kept dropping so I rang the helpline twice "
    "then the app said everything was fine but my upload speed was awful for video calls "
    "I wanted to switch because the price went up again after the contract ended and "
    "the letter was confusing honestly the store staff were lovely they sorted the bill"
).split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 22))
    return " ".join(words).capitalize() + rng.choice([".", ".", "?", "!"])


def _turn(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _write_txt(path: Path, rng: random.Random, turns: int) -> None:
    lines = []
    for _ in range(turns):
        lines.append(f"Interviewer: {_sentence(rng)}")
        lines.append(f"Participant: {_turn(rng, rng.randint(1, 4))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _stamp(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def _write_vtt(path: Path, rng: random.Random, turns: int) -> None:
    out, clock = ["WEBVTT", ""], 0.0
    for cue in range(1, 2 * turns + 1):
        speaker = "Sam Okafor" if cue % 2 else "Participant"
        start, clock = clock, clock + rng.uniform(2, 12)
        out += [str(cue), f"{_stamp(start)} --> {_stamp(clock)}", f"{speaker}: {_turn(rng, 2)}", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def _write_survey(path: Path, rng: random.Random, respondents: int) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    ids = ["StartDate", "Finished", "ResponseId", "Q1", "Q2", "Q3", "Q6_TEXT", "Q7_TEXT", "persona"]
    texts = [
        "Start Date",
        "Finished",
        "Response ID",
        "How likely are you to recommend us to a friend or colleague?",
        "Overall, how satisfied are you with us?",
        "It was easy to get my issue handled.",
        "What is the main reason for your score?",
        "If you could change one thing, what would it be?",
        "persona",
    ]
    writer.writerow(ids)
    writer.writerow(texts)
    import_ids = [
        "startDate",
        "finished",
        "_recordId",
        "QID1",
        "QID2",
        "QID3",
        "QID6_TEXT",
        "QID7_TEXT",
        "persona",
    ]
    writer.writerow([f'{{"ImportId":"{i}"}}' for i in import_ids])
    personas = ["remote-worker", "budget-family", "cautious-switcher"]
    for n in range(respondents):
        writer.writerow(
            [
                "2026-10-01 10:00:00",
                "True",
                f"R_{n:08d}",
                rng.randint(0, 10),
                rng.randint(1, 5),
                rng.randint(1, 7),
                _sentence(rng),
                _sentence(rng) if rng.random() < 0.6 else "",
                rng.choice(personas),
            ]
        )
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def build_study(root: Path, interviews: int, respondents: int, seed: int = 7) -> Project:
    """Write a synthetic study with ``interviews`` transcripts and a survey."""
    rng = random.Random(seed)
    project = Project(root)
    folder = project.raw / "interviews"
    folder.mkdir(parents=True)
    (project.raw / "surveys").mkdir()
    rows = ["participant_id,persona,name,transcript_names"]
    for n in range(interviews):
        pid = f"P{n:04d}"
        rows.append(
            f"{pid},{rng.choice(['remote-worker', 'budget-family'])},Person {n},Participant"
        )
        writer = _write_vtt if n % 4 == 0 else _write_txt
        writer(folder / f"{pid}_interview{'.vtt' if n % 4 == 0 else '.txt'}", rng, 100)
    project.participants_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _write_survey(project.raw / "surveys" / "survey.csv", rng, respondents)
    (root / "study.yml").write_text(
        "speakers:\n  interviewers: [Sam Okafor]\nsurvey:\n  persona_column: persona\n"
    )
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the study here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="wb-bench-"))
    try:
        t0 = time.perf_counter()
        project = build_study(root, args.interviews, args.respondents)
        t1 = time.perf_counter()
        with PeakRSS() as memory:
            result = ingest(project, progress=True)
        t2 = time.perf_counter()
        segments = result.segments
        codable = int((segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT).sum())
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"generated study in {t1 - t0:.1f} s: {args.interviews} interviews, "
            f"{args.respondents:,} survey responses"
        )
        print(
            f"ingest: {t2 - t1:.1f} s for {len(segments):,} rows "
            f"({codable:,} codable segments) -> {len(segments) / (t2 - t1):,.0f} rows/s, "
            f"{codable / (t2 - t1):,.0f} codable segments/s"
        )
        print(
            f"peak memory (process tree, sampled): {memory.peak_mb:,.0f} MB; per process: "
            f"main {peak_self:,.0f} MB, largest worker {peak_children:,.0f} MB"
        )
        print("target: <= 30 s and <= 2,048 MB")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
