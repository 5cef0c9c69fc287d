"""`workbench train` and `workbench tag` on a copy of the sample study with its human codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from workbench import schema
from workbench.cli import main
from workbench.codes_io import import_codes
from workbench.demo import shipped_code_files
from workbench.errors import WorkbenchError
from workbench.ingest.pipeline import SEGMENTS_FILE, ingest
from workbench.project import Project
from workbench.store import CodeStore
from workbench.tag.pipeline import CODED_FILE, METRICS_FILE, tag, train
from workbench.tag.sentiment import load_analyzer


def _copy(repo_root: Path, root: Path) -> Project:
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    return Project(root)


@pytest.fixture(scope="module")
def trained(repo_root: Path, tmp_path_factory) -> Project:
    """Ingested, human codes imported through the user path, models trained."""
    project = _copy(repo_root, tmp_path_factory.mktemp("trained"))
    segments = ingest(project).segments
    with CodeStore.for_project(project.root) as store:
        for path in shipped_code_files(Project(repo_root)):
            import_codes(store, path, segments=segments)
    train(project)
    return project


def test_tag_without_codes_uses_rules_and_exact_vader(repo_root, tmp_path):
    project = _copy(repo_root, tmp_path)
    with pytest.raises(WorkbenchError, match="run `workbench ingest` first"):
        tag(project)
    ingest(project)
    result = tag(project, workers=1)
    coded = pd.read_parquet(project.processed_file(CODED_FILE))
    codable = coded[coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    context = coded[coded[schema.SPEAKER_ROLE] != schema.ROLE_PARTICIPANT]
    assert set(codable[schema.CODE_SOURCE]) == {schema.SOURCE_RULE}
    assert context[schema.STAGE].isna().all() and context[schema.CODE_SOURCE].isna().all()
    sia = load_analyzer()
    sample = codable.sample(50, random_state=0)
    expected = [sia.polarity_scores(text)["compound"] for text in sample[schema.TEXT]]
    assert sample[schema.SENTIMENT].tolist() == expected
    assert coded[schema.CODEBOOK_HASH].nunique() == 1
    weak = codable[schema.STAGE_CONFIDENCE] < 0.6
    assert (codable.loc[weak, schema.NEEDS_REVIEW]).all()
    assert result.report["human_coded"] == 0
    with pytest.raises(WorkbenchError, match="no human codes yet"):
        train(project)


def test_train_saves_skops_models_metrics_and_policy(trained: Project):
    summary = json.loads((trained.models / METRICS_FILE).read_text())
    assert set(summary["models"]) == {
        "stage", "emotion", "touchpoints", "pain_point", "goal", "sentiment",
    }  # fmt: skip
    stage = summary["models"]["stage"]
    assert stage["n"] >= 180
    assert {"accuracy", "macro_f1", "kappa", "per_class", "confusion", "baseline"} <= set(
        stage["metrics"]
    )
    assert stage["metrics"]["baseline"]["name"] == "rules"
    sentiment = summary["models"]["sentiment"]["metrics"]
    assert sentiment["baseline"]["name"] == "VADER"  # the metrics show both
    for entry in summary["models"].values():
        assert entry["reason"].startswith(("use model", "keep"))
    assert (trained.models / "stage.skops").read_bytes()[:2] == b"PK"  # a skops zip, no pickle
    # every single-label model was also tried learning from the uncoded participant segments
    segments = pd.read_parquet(trained.processed_file(SEGMENTS_FILE))
    participant = segments[segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    with CodeStore.for_project(trained.root) as store:
        coded_ids = set(store.current_codes()[schema.SEGMENT_ID])
    uncoded = participant.loc[~participant[schema.SEGMENT_ID].isin(coded_ids), schema.TEXT]
    assert summary["uncoded_texts"] == uncoded[uncoded.str.strip() != ""].nunique() > 300
    for kind in ("stage", "emotion", "pain_point", "goal", "sentiment"):
        metrics = summary["models"][kind]["metrics"]
        f1, used = metrics["uncoded"]["macro_f1"], metrics["uncoded"]["used"]
        assert used == (f1["with uncoded"] > f1["codes only"] + metrics["uncoded"]["margin"])
        assert metrics["macro_f1"] == f1["with uncoded" if used else "codes only"]
    assert "uncoded" not in summary["models"]["touchpoints"]["metrics"]


def test_tag_applies_models_then_human_codes_last(trained: Project):
    result = tag(trained, workers=1)
    coded = result.coded
    summary = json.loads((trained.models / METRICS_FILE).read_text())
    used = sorted(k for k, v in summary["models"].items() if v["use_model"])
    assert result.report["models_used"] == used
    with CodeStore.for_project(trained.root) as store:
        current = store.current_codes().sort_values("decision_id")
    latest = current.drop_duplicates(schema.SEGMENT_ID, keep="last").set_index(schema.SEGMENT_ID)
    human = coded[coded[schema.CODE_SOURCE] == schema.SOURCE_HUMAN].set_index(schema.SEGMENT_ID)
    assert len(human) == len(latest)
    joined = human.join(latest, suffixes=("", "_store"))
    assert (joined[schema.STAGE] == joined[f"{schema.STAGE}_store"]).all()
    assert (joined[schema.CODER] == joined[f"{schema.CODER}_store"]).all()
    assert (joined[schema.STAGE_CONFIDENCE] == 1.0).all()
    machine = coded[coded[schema.CODE_SOURCE].isin([schema.SOURCE_MODEL, schema.SOURCE_RULE])]
    expected = schema.SOURCE_MODEL if "stage" in used else schema.SOURCE_RULE
    assert set(machine[schema.CODE_SOURCE]) == {expected}


def test_model_for_another_codebook_is_refused_with_a_warning(trained: Project, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(trained.root, other)
    from workbench.codebook import builtin_codebook, write_codebook

    write_codebook(builtin_codebook("complaint"), other / "codebook.yml")
    result = tag(Project(other), workers=1, write=False)
    assert result.report["models_used"] == []
    assert any("trained for codebook" in w for w in result.report["warnings"])


def test_cli_tag_and_train_print_readable_summaries(trained: Project):
    runner = CliRunner()
    result = runner.invoke(main, ["tag", "--project", str(trained.root), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "segments with codebook" in result.output and "human" in result.output


def test_cli_train_codes_only(trained: Project, tmp_path):
    copy = Project(tmp_path / "study")
    shutil.copytree(trained.root, copy.root)
    result = CliRunner().invoke(main, ["train", "--project", str(copy.root), "--codes-only"])
    assert result.exit_code == 0, result.output
    assert "uncoded" not in result.output and "stage       n=" in result.output
    summary = json.loads((copy.models / METRICS_FILE).read_text())
    assert summary["uncoded_texts"] == 0
    assert not any("uncoded" in entry["metrics"] for entry in summary["models"].values())
    before = json.loads((trained.models / METRICS_FILE).read_text())["models"]["stage"]
    assert summary["models"]["stage"]["metrics"]["macro_f1"] == pytest.approx(
        before["metrics"]["uncoded"]["macro_f1"]["codes only"]
    )


@pytest.fixture(scope="module")
def stage_only(trained: Project, tmp_path_factory) -> tuple[Project, str]:
    """A first pass as researchers really do it: the shipped codes reduced to a stage each,
    one stage thinned to 2 codes (a rare class)."""
    root = tmp_path_factory.mktemp("stage-only")
    shutil.copytree(trained.root / "data" / "raw", root / "data" / "raw")
    shutil.copytree(trained.root / "data" / "processed", root / "data" / "processed")
    shutil.copy(trained.root / "study.yml", root / "study.yml")
    project = Project(root)
    with CodeStore.for_project(trained.root) as store:
        codes = store.current_codes()
    codes = codes[codes[schema.STAGE].notna()].drop_duplicates(schema.SEGMENT_ID)
    rare = codes[schema.STAGE].value_counts().index[-1]
    codes = pd.concat([codes[codes[schema.STAGE] != rare], codes[codes[schema.STAGE] == rare][:2]])
    with CodeStore.for_project(root) as store:
        store.record_many(
            {
                schema.SEGMENT_ID: r[schema.SEGMENT_ID],
                schema.CODER: "ana",
                schema.STAGE: r[schema.STAGE],
            }
            for _, r in codes.iterrows()
        )
    return project, rare


def test_stage_only_codes_train_the_stage_model_and_skip_the_rest(stage_only):
    stage_only, rare = stage_only
    (stage_only.models).mkdir(parents=True, exist_ok=True)
    (stage_only.models / "touchpoints.skops").write_bytes(b"stale model of an earlier run")
    result = CliRunner().invoke(main, ["train", "--project", str(stage_only.root), "--codes-only"])
    assert result.exit_code == 0, result.output
    summary = json.loads((stage_only.models / METRICS_FILE).read_text())
    stage = summary["models"]["stage"]
    assert "metrics" in stage and stage["reason"].startswith(("use model", "keep rules"))
    assert stage["metrics"]["left_out"] == {rare: 2}  # reported, no veto
    assert stage["metrics"]["cv_grouped"]  # folds keep each source document whole
    assert rare not in stage["metrics"]["class_counts"]
    assert f"'{rare}' (2)" in result.output
    for kind in ("touchpoints", "emotion", "sentiment", "pain_point", "goal"):
        assert summary["models"][kind]["reason"].startswith("skipped: no"), kind
        assert not (stage_only.models / f"{kind}.skops").exists()  # nothing partial or stale
    assert (stage_only.models / "stage.skops").exists()
    tagged = CliRunner().invoke(main, ["tag", "--project", str(stage_only.root), "--workers", "1"])
    assert tagged.exit_code == 0, tagged.output
    coded = pd.read_parquet(stage_only.processed_file(CODED_FILE))
    assert (coded[schema.CODE_SOURCE] == schema.SOURCE_HUMAN).sum() > 100


def test_a_failed_train_leaves_the_previous_models(stage_only, tmp_path, monkeypatch):
    copy = Project(tmp_path / "study")
    shutil.copytree(stage_only[0].root, copy.root)
    train(copy, use_uncoded=False)
    before = (copy.models / METRICS_FILE).read_bytes()
    import workbench.tag.pipeline as pipeline

    def boom(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "save_model", boom)
    with pytest.raises(OSError):
        train(copy, use_uncoded=False, seed=1)
    assert (copy.models / METRICS_FILE).read_bytes() == before
    assert sorted(p.name for p in copy.models.iterdir()) == ["metrics.json", "stage.skops"]
