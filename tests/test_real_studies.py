"""The researcher's path on real study packs (``../shared/data/studies``), through the CLI:
the facts each pack's MAPPING.md lists must show on the map."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workbench import schema
from workbench.cli import main
from workbench.project import Project

VA_PERSONAS = {
    "participant1": "overseas-retiree",
    "participant2": "digital-first-parent",
    "participant3": "empty-template",
    "participant7": "phone-first-health-user",
}


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def pack(shared_data: Path, name: str) -> Path:
    folder = shared_data / "studies" / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: real-pack test skipped")
    return folder


def configure(root: Path, **survey: str) -> None:
    """Set study.yml keys the way a researcher edits the file `init` wrote."""
    text = (root / "study.yml").read_text(encoding="utf-8")
    for key, value in survey.items():
        lines = [
            f"  {key}: {value}" if line.startswith(f"  {key}:") else line
            for line in text.splitlines()
        ]
        text = "\n".join(lines) + "\n"
    (root / "study.yml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def va_study(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The VA.gov transcripts as a researcher sets them up from the README."""
    source = pack(shared_data, "va-contact-us-interviews") / "transcripts"
    root = tmp_path_factory.mktemp("va") / "study"
    run("init", str(root))
    for path in source.glob("*.md"):
        shutil.copy(path, root / "data" / "raw" / "interviews" / path.name)
    rows = [f"{pid},{persona},,P{pid[11:]}" for pid, persona in VA_PERSONAS.items()]
    (root / "data" / "raw" / "participants.csv").write_text(
        "participant_id,persona,name,transcript_names\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    configure(root, interviewers="[Becky]")
    output = run("ingest", "--project", str(root))
    assert "participant3.md: no participant content" in output
    run("tag", "--project", str(root), "--workers", "1")
    run("report", "--project", str(root), "--run-id", "r1")
    return Project(root)


def test_va_participants_resolve_and_guide_text_is_context(va_study: Project):
    segments = pd.read_parquet(va_study.processed_file("segments.parquet"))
    codable = segments[segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    by_file = codable.groupby(schema.SOURCE_PATH)[schema.PARTICIPANT_ID].unique()
    assert {Path(f).stem.split("_")[1]: list(p) for f, p in by_file.items()} == {
        pid: [pid] for pid in ("participant1", "participant2", "participant7")
    }  # each transcript its own participant; the empty template has no participant rows
    assert set(codable[schema.SPEAKER]) == {"P1", "P2", "P7"}
    interviewer = segments[segments[schema.SPEAKER_ROLE] == schema.ROLE_INTERVIEWER]
    assert set(interviewer[schema.SPEAKER].dropna()) == {"Becky"}
    assert not codable[schema.TEXT].str.fullmatch(r"\[.*\]").any()  # notes, placeholders
    assert not codable[schema.TEXT].str.contains(r"\]\(#", regex=True).any()  # link lists


def test_va_map_shows_the_packs_facts(va_study: Project):
    coded = pd.read_parquet(va_study.processed_file("coded.parquet"))
    staged = coded[(coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT)]
    stages = staged[schema.STAGE].value_counts()
    assert stages.index[0] == "support"  # fact 1: support is the dominant stage
    assert not {"loyalty", "renewal"} & set(stages.index)  # absent upstream: not invented
    channels = staged[schema.TOUCHPOINTS].explode().value_counts()
    assert channels["phone"] > channels.get("webchat", 0) > 0  # phone is the main channel
    chatbot = staged[staged[schema.TEXT].str.contains(r"chat ?bot", case=False)]
    flagged = chatbot.groupby(schema.PARTICIPANT_ID)[schema.PAIN_POINT].any()
    assert len(flagged) >= 2 and flagged.all()  # fact 2: a pain point of everyone who names it
    report = (va_study.root / "reports" / "r1" / "index.html").read_text(encoding="utf-8")
    assert "overseas-retiree" in report and "Interviewees" in report


def natcs_gold(folder: Path) -> dict[str, str]:
    stage_map = pd.read_csv(folder / "stage_map.csv")
    stage_map = stage_map[stage_map["source"] == "natcs_insurance"]
    to_stage = dict(
        zip(stage_map["intent"], stage_map["journey_stage"].str.split("/").str[0], strict=True)
    )
    lines = (folder / "natcs_dstc11" / "development.test-utterances.jsonl").read_text("utf-8")
    return {r["utterance_id"]: to_stage[r["intent"]] for r in map(json.loads, lines.splitlines())}


def test_natcs_coded_in_a_sheet_trains_on_stages_and_maps_the_facts(
    shared_data: Path, tmp_path: Path
):
    folder = pack(shared_data, "support-intents")
    gold = natcs_gold(folder)
    root = tmp_path / "natcs"
    run("init", str(root))
    lines = (folder / "natcs_dstc11" / "development.test-utterances.jsonl").read_text("utf-8")
    turns = pd.DataFrame(map(json.loads, lines.splitlines()))
    turns["persona"] = "insurance policyholder"
    turns[["utterance_id", "persona", "utterance"]].to_csv(
        root / "data" / "raw" / "surveys" / "natcs.csv", index=False
    )  # the export a researcher has: no gold intent in it
    configure(root, id_column="utterance_id", persona_column="persona",
              open_questions="[utterance]")  # fmt: skip
    run("ingest", "--project", str(root))
    sheet = root / "to-code.csv"
    run("codes", "next", "--project", str(root), "--n", "300", "--out", str(sheet))
    filled = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    segments = pd.read_parquet(Project(root).processed_file("segments.parquet"))
    respondent = dict(
        zip(segments[schema.SEGMENT_ID], segments[schema.PARTICIPANT_ID], strict=True)
    )
    filled["stage"] = [gold[respondent[s]] for s in filled["segment_id"]]
    filled.to_csv(sheet, index=False)
    out = run("codes", "import", str(sheet), "--project", str(root), "--coder", "gold")
    assert "300 decision(s) imported" in out
    trained = run("train", "--project", str(root), "--codes-only")
    metrics = json.loads((root / "models" / "metrics.json").read_text())
    assert metrics["models"]["stage"]["use_model"], trained  # stage-only codes train
    assert metrics["models"]["touchpoints"]["reason"].startswith("skipped")
    run("tag", "--project", str(root), "--workers", "1")
    run("report", "--project", str(root), "--run-id", "r1")
    coded = pd.read_parquet(Project(root).processed_file("coded.parquet"))
    share = coded[schema.STAGE].value_counts(normalize=True)
    assert share.index[0] == "onboarding"  # fact 2: servicing and billing are the bulk (43.8%)
    assert 0.12 < share["support"] < 0.35 and 0.12 < share["consideration"] < 0.35
    assert all(share.get(s, 0) < 0.08 for s in ("purchase", "loyalty", "renewal"))
    machine = coded[coded[schema.CODE_SOURCE] != schema.SOURCE_HUMAN]
    truth = machine[schema.PARTICIPANT_ID].map(gold)
    assert (machine[schema.STAGE] == truth).mean() > 0.7  # the rest, coded by the model


def survey_study(root: Path, exports: Path, edits: dict[str, str]) -> Path:
    """A survey-only study as the README says: `init --journey ecommerce`, the export files in
    data/raw/surveys, and ``edits`` made to the lines of the study.yml that `init` wrote."""
    run("init", str(root), "--journey", "ecommerce")
    for path in exports.glob("*.csv"):
        shutil.copy(path, root / "data" / "raw" / "surveys" / path.name)
    text = (root / "study.yml").read_text(encoding="utf-8")
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    (root / "study.yml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def clothing_study(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The clothing-review export as a survey-only study, set up from the README alone: the
    shopping journey, personas as age bands, nothing else configured."""
    folder = pack(shared_data, "clothing-reviews-survey")
    edits = {
        "  persona_column: null": "  persona_column: Age",
        "  # persona_bands: [18, 35, 50, 65]": "  persona_bands: [18, 35, 50, 65]",
    }
    root = survey_study(tmp_path_factory.mktemp("clothing") / "study", folder, edits)
    output = run("ingest", "--project", str(root))
    assert "using the unnamed first column as the respondent id" in output
    assert "Recommended IND" in output and "yes/no (recommend)" in output  # the kinds table
    run("tag", "--project", str(root), "--workers", "2")
    run("report", "--project", str(root), "--run-id", "r1")
    return Project(root)


def _overall(jm, metric: str) -> pd.Series:
    rows = jm.survey[
        jm.survey[schema.PERSONA].isna()
        & jm.survey[schema.STAGE].isna()
        & (jm.survey[schema.METRIC] == metric)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_clothing_reviews_only_the_review_and_title_become_segments(clothing_study: Project):
    segments = pd.read_parquet(clothing_study.processed_file("segments.parquet"))
    assert set(segments[schema.QUESTION_ID]) == {"review_text", "title"}
    questions = pd.read_parquet(clothing_study.processed_file("questions.parquet"))
    kinds = dict(zip(questions[schema.QUESTION_TEXT], questions[schema.QUESTION_KIND],
                     strict=True))  # fmt: skip
    assert kinds["Recommended IND"] == schema.KIND_YES_NO
    assert kinds["Rating"] == schema.KIND_RATING
    assert kinds["Clothing ID"] == schema.KIND_ID
    for closed in ("Division Name", "Department Name", "Class Name"):
        assert kinds[closed] == schema.KIND_CHOICE
    personas = set(segments[schema.PERSONA])
    assert personas == {"18-34", "35-49", "50-64", "65+"}


def test_clothing_reviews_measures_match_the_pack(clothing_study: Project):
    from workbench.study import load_journey_map

    jm, _ = load_journey_map(clothing_study)
    recommend = _overall(jm, schema.METRIC_RECOMMEND)
    assert round(recommend[schema.ESTIMATE], 1) == 82.0  # fact 1
    assert recommend[schema.CI_LOW] < 82.0 < recommend[schema.CI_HIGH]
    assert recommend[schema.N_RESPONDENTS] == 11_743
    assert schema.METRIC_NPS not in set(jm.survey[schema.METRIC])  # no NPS is claimed
    mean = _overall(jm, schema.METRIC_RATING_MEAN)
    assert (round(mean[schema.ESTIMATE], 2), mean["scale"]) == (4.18, "1-5")
    assert round(_overall(jm, schema.METRIC_RATING_TOP2)[schema.ESTIMATE], 1) == 77.2
    everyone = jm.survey_by_answer[jm.survey_by_answer[schema.PERSONA].isna()]
    dept = everyone[
        (everyone["group_question"] == "department_name")
        & (everyone[schema.METRIC] == schema.METRIC_RATING_MEAN)
    ].set_index("answer")
    assert dept[schema.ESTIMATE].idxmin() == "Trend"  # fact 3: the weakest department
    assert round(dept.loc["Trend", schema.ESTIMATE], 2) == 3.50
    assert dept.loc["Trend", schema.N_RESPONDENTS] == 56
    returns = everyone[
        (everyone["group_question"] == "recommended_ind")
        & (everyone[schema.QUESTION_ID] == f"{schema.PAIN_CATEGORY}:returns")
    ].set_index("answer")
    # fact 2: returns are a detractor pain point
    assert returns.loc["No", schema.CI_LOW] > returns.loc["Yes", schema.CI_HIGH]


def test_clothing_reviews_report_shows_the_measures_readably(clothing_study: Project):
    index = (clothing_study.root / "reports" / "r1" / "index.html").read_text(encoding="utf-8")
    assert "Would recommend (%) [95% CI]" in index  # the headline measure, not NPS
    assert "82.0% [81.3, 82.7] (n=11,743)" not in index  # personas, not everyone, per column
    assert "Trend: 3.50 (n=56)" in index  # where the measures differ
    assert "NPS" not in index
    page = (clothing_study.root / "reports" / "r1" / "35-49" / "report.html").read_text(
        encoding="utf-8"
    )
    assert "Rating (mean)" in page and "1-5" in page
    assert "Who answered what" in page and "Department Name" in page
    assert "recommended_ind" not in page.split("<body")[1].split("<svg")[0]  # no raw ids in text


def test_bitext_is_flat_by_design_and_the_map_finds_no_trend(shared_data: Path, tmp_path: Path):
    """Fact 3 of support-intents: 27 intents x 300 utterances; every intent is 1/27 = 3.7%, and
    no category or intent may come out as a dominant complaint."""
    folder = pack(shared_data, "support-intents") / "bitext_intent_synthetic"
    edits = {
        "  id_column: null": "  id_column: row-number",
        "files: {}": 'files: {"surveys/*.csv": {persona: online shopper}}',
    }
    root = survey_study(tmp_path / "bitext", folder, edits)
    output = run("ingest", "--project", str(root))
    assert "8,100 survey respondents" in output
    run("tag", "--project", str(root), "--workers", "1")
    from workbench.study import load_journey_map

    jm, _ = load_journey_map(root)
    intents = jm.survey_choices[jm.survey_choices[schema.QUESTION_ID] == "intent"]
    assert len(intents) == 9  # the 8 most given answers and "Other"
    assert set(intents[schema.COUNT].iloc[:8]) == {300}  # three files, pooled: one question
    assert (intents[schema.SHARE].iloc[:8].round(1) == 3.7).all()
    segments = pd.read_parquet(Project(root).processed_file("segments.parquet"))
    assert set(segments[schema.QUESTION_ID]) == {"utterance"}  # slots and labels are closed
    assert set(segments[schema.PERSONA]) == {"online shopper"}
