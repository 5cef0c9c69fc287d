"""Fixtures for the widget tests: an ingested copy of the sample study and its coded frame."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.codebook import builtin_codebook
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.widgets.frame import provisional_codes


@pytest.fixture(scope="session")
def ingested_study(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the bundled sample study, ingested (segments.parquet, no coded.parquet)."""
    root = tmp_path_factory.mktemp("study")
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    project = Project(root)
    ingest(project, skip_bad=True, executor=None)
    return project


@pytest.fixture(scope="session")
def sample_coded(ingested_study: Project) -> pd.DataFrame:
    """Rule + VADER proposals for the sample segments (a realistic coded frame)."""
    segments = pd.read_parquet(ingested_study.processed_file("segments.parquet"))
    return provisional_codes(segments, builtin_codebook())
