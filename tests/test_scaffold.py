"""`workbench init`: a new study a researcher can fill in and ingest straight away."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.codebook import builtin_codebook, study_codebook
from workbench.config import load_config
from workbench.errors import ConfigError
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.scaffold import PARTICIPANTS_HEADER, scaffold


def test_init_creates_a_study_that_ingests(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "s"), "--journey", "complaint"])
    assert result.exit_code == 0, result.output
    project = Project(tmp_path / "s")
    assert project.participants_path.read_text().strip() == ",".join(PARTICIPANTS_HEADER)
    assert (project.raw / "interviews").is_dir() and (project.raw / "surveys").is_dir()
    config_text = project.config_path.read_text()
    assert config_text.count("#") > 10  # documented for researchers
    assert load_config(project.config_path).unit == "turn"
    assert study_codebook(project.root).stage_codes == builtin_codebook("complaint").stage_codes
    assert study_codebook(project.root).stage_codes != builtin_codebook("default").stage_codes
    (project.raw / "interviews" / "P01_a.txt").write_text(
        "Interviewer: Tell me more.\nP01: The bill was wrong.\nInterviewer: Ok.\nP01: So I rang.\n"
    )
    report = ingest(project, write=False).report
    assert report["totals"]["codable_segments"] == 2


def test_init_refuses_an_existing_study_and_unknown_journey(tmp_path):
    scaffold(tmp_path / "s")
    with pytest.raises(ConfigError, match="exists already"):
        scaffold(tmp_path / "s")
    with pytest.raises(ConfigError, match="unknown journey type 'x'"):
        scaffold(tmp_path / "t", journey="x")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "s")])
    assert result.exit_code == 1 and "exists already" in result.output
