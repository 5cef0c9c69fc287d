"""Survey tables: records kept column by column, their lines and spans (survey_table)."""

from __future__ import annotations

import csv
import io
import random
import tracemalloc

import pytest

from workbench.ingest.survey import read_survey_text
from workbench.ingest.survey_table import split_delimited

WORDS = "the engineer came late and the router kept dropping so I rang the helpline twice".split()


def _export(rows: int, seed: int = 3) -> str:
    """A generic export: id, two closed columns, a date, an open answer (some quoted)."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["respondent_id", "Plan", "Rate us (1-5)", "Date", "Comments"])
    for n in range(rows):
        words = rng.choices(WORDS, k=rng.randint(8, 40))
        if rng.random() < 0.3:
            words.insert(3, '"sorted",')
        writer.writerow(
            [
                f"R{n:07d}",
                rng.choice(["Fibre 500", "Fibre 100", "NA"]),
                rng.randint(1, 5),
                f"2026-10-{rng.randint(1, 28):02d} 09:{rng.randint(0, 59):02d}",
                " ".join(words),
            ]
        )
    return buffer.getvalue()


def test_columns_keep_one_string_per_repeated_value_and_the_record_positions() -> None:
    text = _export(3000)
    table = split_delimited(text, "s.csv", ",")
    assert table.n_records == 3001
    plan = table.columns[1][1:]
    assert set(plan) == {"Fibre 500", "Fibre 100", "NA"}
    assert len({id(value) for value in plan}) == 3  # stored once each, not once per row
    assert len({id(value) for value in table.columns[0]}) == 3001  # ids stay as they are
    lines = text.split("\n")
    for i in (0, 1, 1500, 3000):
        assert table.lines[i] == i + 1
        assert text[table.starts[i] : table.ends[i]] == lines[i]
        assert next(csv.reader([lines[i]])) == table.row(i)


def test_parsing_holds_little_more_than_the_text() -> None:
    # traced peaks measured on this export: 2.2x (parse) and 3.9x (whole reader); with rows
    # as lists of strings (one object per cell) both were 6.9x
    text = _export(15_000)
    tracemalloc.start()
    try:
        split_delimited(text, "s.csv", ",")
        parse = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        read_survey_text(text, "s.csv")
        read = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parse < 3 * len(text), f"parse peak {parse / len(text):.1f}x the text"
    assert read < 5 * len(text), f"reader peak {read / len(text):.1f}x the text"


def test_progress_bar_counts_the_characters_read(capsys: pytest.CaptureFixture[str]) -> None:
    read_survey_text(_export(50), "big.csv", progress=True)
    assert "big.csv" in capsys.readouterr().err
    read_survey_text(_export(50), "small.csv")
    assert "small.csv" not in capsys.readouterr().err
