"""The command-line contract: commands, options, one-line errors, non-zero exits."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from workbench.cli import main


def test_sentiment_command_scores_a_csv_and_keeps_ids(tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame(
        {"id": ["007", "008"], "comment": ["I love the new router!", "The outage was awful."]}
    ).to_csv(source, index=False)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main, ["sentiment", str(source), "--text-column", "comment", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out, dtype=str)
    assert list(scored["id"]) == ["007", "008"]
    assert list(scored["sentiment_label"]) == ["positive", "negative"]


def test_sentiment_command_missing_column_is_one_line(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,comment\n1,ok\n")
    result = CliRunner().invoke(
        main, ["sentiment", str(source), "--text-column", "text", "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "'comment'" in result.output


def test_ingest_outside_a_study_explains_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["ingest", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert "workbench init" in result.output


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    for command in ("init", "ingest", "sentiment", "demo"):
        assert command in result.output
