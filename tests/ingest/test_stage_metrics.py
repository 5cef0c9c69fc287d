"""The study's own conversion and retention counts (data/raw/metrics.csv) reach the map."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.errors import InputError
from workbench.ingest.pipeline import ingest
from workbench.ingest.stage_metrics import read_stage_metrics
from workbench.journey import build_journey_map
from workbench.scaffold import scaffold

METRICS = (
    "persona,stage,metric,successes,total,label\n"
    "budget-family,decision,conversion,412,1350,quote to sign-up\n"
    "budget-family,renewal,retention,1010,1190,\n"
    ",renewal,retention,2950,3400,all customers\n"
)
SURVEY = "respondent_id,persona,How satisfied are you?,Any comments?\n" + "".join(
    f"R{i},budget-family,{1 + i % 5},The bill went up again in month {i}\n" for i in range(12)
)


def test_counts_become_shares_with_intervals_on_the_map(tmp_path):
    project = scaffold(tmp_path / "study")
    (project.raw / "metrics.csv").write_text(METRICS)
    (project.raw / "surveys" / "csat.csv").write_text(SURVEY)
    result = ingest(project)
    assert {e["path"] for e in result.report["files"]} == {"surveys/csat.csv"}  # not a survey
    counts = pd.read_parquet(project.processed_file("stage_metrics.parquet"))
    assert list(counts["total"]) == [1350, 1190, 3400]
    coded = result.segments.assign(**{schema.STAGE: "renewal", schema.SENTIMENT: -0.2})
    jm = build_journey_map(
        coded,
        builtin_codebook(),
        questions=result.questions,
        responses=result.responses,
        stage_metrics=counts,
    )
    rows = jm.survey[jm.survey[schema.QUESTION_ID] == "metrics.csv"]
    conversion = rows[rows[schema.METRIC] == schema.METRIC_CONVERSION].iloc[0]
    assert conversion[schema.ESTIMATE] == pytest.approx(100 * 412 / 1350)
    assert conversion[schema.CI_LOW] < conversion[schema.ESTIMATE] < conversion[schema.CI_HIGH]
    assert (conversion[schema.PERSONA], conversion[schema.STAGE]) == ("budget-family", "decision")
    assert conversion[schema.QUESTION_TEXT] == "quote to sign-up"
    everyone = rows[rows[schema.PERSONA].isna()].iloc[0]
    assert everyone[schema.QUESTION_TEXT] == "all customers"
    assert everyone[schema.N_RESPONDENTS] == 3400
    assert schema.METRIC_CSAT in set(jm.survey[schema.METRIC])  # beside the survey's own


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("persona,metric,total\na,retention,10\n", "'successes'"),
        ("metric,successes,total\nretention,12,10\n", "line 2, column 'successes'"),
        ("metric,successes,total\nretention,ten,10\n", "'ten' is not a whole number"),
    ],
)
def test_bad_counts_name_the_line_and_column(tmp_path, text, where):
    path = tmp_path / "metrics.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=where):
        read_stage_metrics(path)


def test_a_bad_metrics_file_is_reported_and_the_rest_is_read(tmp_path):
    project = scaffold(tmp_path / "study")
    (project.raw / "metrics.csv").write_text("metric,successes,total\nretention,12,10\n")
    (project.raw / "surveys" / "csat.csv").write_text(SURVEY)
    result = ingest(project, skip_bad=True)
    failed = [e for e in result.report["files"] if e["status"] == "failed"]
    assert [e["path"] for e in failed] == ["metrics.csv"]
    assert len(result.responses) == 12
