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


def test_codes_import_status_export_and_orphans(tmp_path):
    from workbench.ingest.pipeline import ingest
    from workbench.project import Project
    from workbench.scaffold import scaffold

    project = scaffold(tmp_path / "s")
    transcript = project.raw / "interviews" / "P01_a.txt"
    transcript.write_text(
        "Interviewer: Tell me more.\nP01: The bill was wrong.\nInterviewer: Ok.\nP01: So I rang.\n"
    )
    segments = ingest(Project(project.root)).segments
    first = segments[segments["speaker"] == "P01"]["segment_id"].iloc[0]
    sheet = tmp_path / "codes.csv"
    sheet.write_text(f"segment_id,stage,touchpoints\n{first},support,phone;email\n")
    runner = CliRunner()
    root = str(project.root)
    result = runner.invoke(
        main, ["codes", "import", str(sheet), "--coder", "Ann", "--project", root]
    )
    assert result.exit_code == 0, result.output
    assert "1 decision(s) imported" in result.output
    status = runner.invoke(main, ["codes", "status", "--project", root])
    assert "Ann: 1 segment(s) coded" in status.output
    assert "orphaned codes (segment no longer in the study): 0" in status.output
    out = tmp_path / "export.csv"
    assert runner.invoke(main, ["codes", "export", str(out), "--project", root]).exit_code == 0
    exported = pd.read_csv(out, dtype=str)
    assert exported.loc[0, "stage"] == "support" and "bill was wrong" in exported.loc[0, "text"]
    transcript.write_text(transcript.read_text().replace("bill was wrong", "bill was late"))
    ingest(Project(project.root))
    status = runner.invoke(main, ["codes", "status", "--project", root])
    assert "orphaned codes (segment no longer in the study): 1" in status.output
    assert first in status.output


def test_evaluate_command_prints_one_json_object(shared_data, tmp_path):
    import json

    sentences = (shared_data / "uci_sentences" / "yelp_labelled.txt").read_text().split("\n")
    rows = [line.rsplit("\t", 1) for line in sentences if "\t" in line][:400]
    frame = pd.DataFrame(rows, columns=["text", "label"])
    frame["label"] = frame["label"].str.strip().map({"0": "negative", "1": "positive"})
    source = tmp_path / "labelled.csv"
    frame.to_csv(source, index=False)
    result = CliRunner().invoke(
        main,
        ["evaluate", str(source), "--text-column", "text", "--label-column", "label",
         "--budget", "80", "--strategy", "active", "--baseline", "vader", "--seed", "1",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"accuracy", "macro_f1", "kappa", "n_train", "n_test", "baseline"} <= set(report)
    assert report["n_train"] == 80 and report["n_test"] == 80
    assert 0.5 < report["baseline"]["accuracy"] <= 1.0
    final = report["final_model"]  # the model `workbench train` would keep, and how it chose
    assert final["uncoded"] == 240 and set(final["cv_macro_f1"]) == {"codes only", "with uncoded"}
    text = CliRunner().invoke(
        main,
        ["evaluate", str(source), "--text-column", "text", "--label-column", "label",
         "--budget", "80", "--strategy", "active", "--baseline", "vader", "--seed", "1"],
    )  # fmt: skip
    assert f"macro-F1 {report['macro_f1']:.3f}" in text.output.splitlines()[0]
    assert "Final model (as workbench train keeps it)" in text.output
    assert f"with uncoded {final['cv_macro_f1']['with uncoded']:.3f}" in text.output
