"""Survey metrics: NPS, CSAT, CES with intervals, per persona and per coded stage."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest

from workbench import schema
from workbench.survey import CSAT_MEAN, survey_metrics

Z = 1.959963984540054


def tables(metric: str, values: list[float], personas: list[str] | None = None):
    questions = pd.DataFrame(
        {schema.SOURCE_ID: ["s"], schema.QUESTION_ID: ["Q"], schema.QUESTION_METRIC: [metric]}
    )
    responses = pd.DataFrame(
        {
            schema.SOURCE_ID: "s",
            schema.RESPONDENT_ID: [f"R{i}" for i in range(len(values))],
            schema.PERSONA: personas or ["a"] * len(values),
            schema.QUESTION_ID: "Q",
            schema.VALUE_NUM: values,
        }
    )
    return questions, responses


def one(frame: pd.DataFrame, metric: str, persona="a", stage=None) -> pd.Series:
    mask = (frame[schema.METRIC] == metric) & (frame[schema.PERSONA].map(lambda p: p == persona))
    mask &= frame[schema.STAGE].map(lambda s: s == stage)
    rows = frame[mask]
    assert len(rows) == 1, frame
    return rows.iloc[0]


def test_nps_by_hand():
    # 5 promoters, 3 passives, 2 detractors -> 50% - 20% = 30
    row = one(survey_metrics(*tables("nps", [10, 9, 10, 9, 10, 7, 8, 8, 3, 6])), "nps")
    assert row[schema.ESTIMATE] == pytest.approx(30.0)
    se = math.sqrt((0.5 + 0.2 - 0.3**2) / 10)
    assert row[schema.CI_LOW] == pytest.approx(100 * (0.3 - Z * se))
    assert row[schema.CI_HIGH] == pytest.approx(100 * (0.3 + Z * se))
    assert row[schema.N_RESPONDENTS] == 10


def test_csat_share_with_wilson_and_mean():
    frame = survey_metrics(*tables("csat", [5, 4, 3, 2, 5]))
    share = one(frame, "csat")
    assert share[schema.ESTIMATE] == pytest.approx(60.0)
    p, n = 0.6, 5
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    assert share[schema.CI_LOW] == pytest.approx(100 * (centre - half))
    assert share[schema.CI_HIGH] == pytest.approx(100 * (centre + half))
    assert one(frame, CSAT_MEAN)[schema.ESTIMATE] == pytest.approx(3.8)


def test_ces_mean_with_t_interval_and_scale():
    row = one(survey_metrics(*tables("ces", [3, 4, 5, 4, 6, 2, 5])), "ces")
    values = np.array([3, 4, 5, 4, 6, 2, 5.0])
    half = 2.4469118511449692 * values.std(ddof=1) / math.sqrt(7)  # t(0.975, df=6)
    assert row[schema.ESTIMATE] == pytest.approx(values.mean())
    assert row[schema.CI_LOW] == pytest.approx(values.mean() - half)
    assert row[schema.CI_HIGH] == pytest.approx(values.mean() + half)
    assert row["scale"] == "1-7"


def test_per_persona_overall_and_per_stage_from_coded_answers():
    questions, responses = tables("nps", [10, 10, 0, 0], personas=["a", "a", "b", "b"])
    coded = pd.DataFrame(
        {
            schema.SOURCE_ID: "s",
            schema.SOURCE_TYPE: schema.SOURCE_SURVEY,
            schema.SPEAKER_ROLE: schema.ROLE_PARTICIPANT,
            # R0 wrote two answers about support (counts once), R2 about support and renewal
            schema.PARTICIPANT_ID: ["R0", "R0", "R2", "R2", "R1"],
            schema.STAGE: ["support", "support", "support", "renewal", None],
        }
    )
    frame = survey_metrics(questions, responses, coded=coded)
    assert one(frame, "nps", "a")[schema.ESTIMATE] == 100
    assert one(frame, "nps", "b")[schema.ESTIMATE] == -100
    assert one(frame, "nps", None)[schema.ESTIMATE] == 0  # all respondents
    support = one(frame, "nps", None, "support")
    assert support[schema.ESTIMATE] == 0 and support[schema.N_RESPONDENTS] == 2
    assert one(frame, "nps", "a", "support")[schema.N_RESPONDENTS] == 1
    assert one(frame, "nps", "b", "renewal")[schema.ESTIMATE] == -100
    only_b = survey_metrics(questions, responses, coded=coded, persona="b")
    assert set(only_b[schema.PERSONA]) == {"b"}


def test_journey_map_carries_survey_metrics():
    from workbench.codebook import builtin_codebook
    from workbench.journey import build_journey_map

    questions, responses = tables("nps", [10, 9, 10, 9, 10, 7, 8, 8, 3, 6])
    coded = pd.DataFrame(
        {
            schema.SEGMENT_ID: ["x"],
            schema.PARTICIPANT_ID: ["R0"],
            schema.PERSONA: ["a"],
            schema.SPEAKER_ROLE: [schema.ROLE_PARTICIPANT],
            schema.STAGE: ["support"],
            schema.SENTIMENT: [0.1],
        }
    )
    jm = build_journey_map(coded, builtin_codebook(), questions=questions, responses=responses)
    assert one(jm.survey, "nps")[schema.ESTIMATE] == pytest.approx(30.0)


@pytest.fixture(scope="module")
def sample_study(repo_root, tmp_path_factory):
    """The bundled sample study ingested from a temporary copy (the repo is never written)."""
    from workbench.ingest.pipeline import ingest
    from workbench.project import Project

    if not (repo_root / "data" / "raw" / "surveys").is_dir():
        pytest.skip("the sample study has no survey yet")
    root = tmp_path_factory.mktemp("study")
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    project = Project(root)
    ingest(project, skip_bad=True)
    read = lambda name: pd.read_parquet(project.processed_file(name))  # noqa: E731
    return read("questions.parquet"), read("responses.parquet"), read("segments.parquet")


def test_sample_study_survey_metrics(sample_study):
    questions, responses, _ = sample_study
    frame = survey_metrics(questions, responses)
    nps = frame[(frame[schema.METRIC] == "nps") & frame[schema.STAGE].isna()]
    personas = set(nps[schema.PERSONA].dropna())
    assert len(personas) >= 3
    assert nps[schema.ESTIMATE].between(-100, 100).all()
    assert (nps[schema.CI_LOW] <= nps[schema.ESTIMATE]).all()
    assert (nps[schema.ESTIMATE] <= nps[schema.CI_HIGH]).all()
    assert {"nps", "csat", "ces"} <= set(frame[schema.METRIC])
    # the estimate per persona agrees with a direct count from the responses table
    q = questions.loc[questions[schema.QUESTION_METRIC] == "nps", schema.QUESTION_ID].iloc[0]
    persona = sorted(personas)[0]
    values = responses[
        (responses[schema.QUESTION_ID] == q) & (responses[schema.PERSONA] == persona)
    ][schema.VALUE_NUM].dropna()
    expected = 100 * ((values >= 9).mean() - (values <= 6).mean())
    assert one(frame, "nps", persona)[schema.ESTIMATE] == pytest.approx(expected)


def test_sample_study_metrics_per_stage(sample_study):
    from workbench.codebook import builtin_codebook
    from workbench.tag.rules import RuleTagger

    questions, responses, segments = sample_study
    tags = RuleTagger(builtin_codebook()).fit().predict_frame(segments[schema.TEXT])
    coded = pd.concat([segments, tags], axis=1)
    frame = survey_metrics(questions, responses, coded=coded)
    staged = frame[frame[schema.STAGE].notna()]
    assert len(staged) > 0
    survey_stages = set(
        coded.loc[coded[schema.SOURCE_TYPE] == schema.SOURCE_SURVEY, schema.STAGE].dropna()
    )
    assert set(staged[schema.STAGE]) <= survey_stages
    overall = one(frame, "nps", None)[schema.N_RESPONDENTS]
    assert (staged[schema.N_RESPONDENTS] <= overall).all()
