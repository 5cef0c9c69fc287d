"""The sample study's human codes: two coders' spreadsheets import cleanly and look human.

The files in ``data/codes/imports`` are imported, as a user would, against a fresh ingest of a
copy of the bundled sample study. Their segment ids must all be known, their codes must come
from the default codebook, and the blind double-coded overlap must agree the way two careful
researchers do: well, but not perfectly.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from workbench.agreement import CODE, KAPPA, pairwise_agreement
from workbench.codebook import builtin_codebook
from workbench.codes_io import import_codes
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.schema import (
    CODEBOOK_HASH,
    CODER,
    EMOTION,
    GOAL,
    PAIN_POINT,
    PARTICIPANT_ID,
    PERSONA,
    SEGMENT_ID,
    SENTIMENT_LABEL,
    SOURCE_TYPE,
    SPEAKER_ROLE,
    STAGE,
    TOUCHPOINTS,
)
from workbench.store import CodeStore

SAM, PRIYA = "Sam Okafor", "Priya Nair"
FILES = {SAM: "sam-okafor.csv", PRIYA: "priya-nair.xlsx"}
SENTIMENT_LABELS = {"negative", "neutral", "positive"}


@pytest.fixture(scope="module")
def segments(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Segments of a fresh ingest of a copy of the bundled sample study."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return ingest(Project(root), write=False, executor=pool).segments


@pytest.fixture(scope="module")
def imported(repo_root: Path, segments: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory):
    """A store holding both spreadsheets, and the import reports."""
    store = CodeStore(tmp_path_factory.mktemp("codes") / "codes.sqlite")
    folder = repo_root / "data" / "codes" / "imports"
    reports = {
        coder: import_codes(store, folder / name, segments=segments)
        for coder, name in FILES.items()
    }
    yield store, reports
    store.close()


@pytest.fixture(scope="module")
def codes(imported) -> pd.DataFrame:
    return imported[0].current_codes()


def test_every_segment_id_is_known_and_each_file_holds_one_coder(imported, segments):
    store, reports = imported
    for coder, report in reports.items():
        assert report.coders == [coder]
        assert report.unknown_segments == []
        assert report.imported >= 100
    assert store.orphans(segments[SEGMENT_ID]).empty
    assert store.coders() == sorted(FILES)


def test_codes_cover_the_study(codes, segments):
    coded = segments.set_index(SEGMENT_ID).loc[codes[SEGMENT_ID].unique()]
    assert len(coded) >= 180
    assert set(coded[SPEAKER_ROLE]) == {"participant"}
    interviews = coded[coded[SOURCE_TYPE] == "interview"]
    all_interviews = segments.loc[segments[SOURCE_TYPE] == "interview", PARTICIPANT_ID]
    assert set(interviews[PARTICIPANT_ID]) == set(all_interviews)
    assert (coded[SOURCE_TYPE] == "survey").sum() >= 30
    assert set(coded[PERSONA]) == set(segments[PERSONA].dropna())


def test_both_coders_coded_an_overlap(imported, codes):
    store, _ = imported
    per_coder = codes.groupby(CODER)[SEGMENT_ID].nunique()
    assert set(per_coder.index) == {SAM, PRIYA}
    assert per_coder.min() >= 100
    assert len(store.overlap(SAM, PRIYA)) >= 60


def test_every_value_is_a_default_codebook_code(codes):
    codebook = builtin_codebook("default")
    assert set(codes[STAGE].dropna()) <= set(codebook.stage_codes)
    assert set(codes[EMOTION].dropna()) <= set(codebook.codes("emotions"))
    used = {name for names in codes[TOUCHPOINTS] for name in names}
    assert used <= set(codebook.codes("touchpoints"))
    assert set(codes[SENTIMENT_LABEL].dropna()) <= SENTIMENT_LABELS
    assert set(codes[CODEBOOK_HASH]) == {codebook.hash}
    for column in (STAGE, EMOTION, SENTIMENT_LABEL, PAIN_POINT, GOAL):
        assert codes[column].notna().all(), column


def test_every_stage_has_evidence(codes):
    codebook = builtin_codebook("default")
    per_stage = codes.drop_duplicates([SEGMENT_ID, STAGE])[STAGE].value_counts()
    assert set(per_stage.index) == set(codebook.stage_codes)
    assert per_stage.min() >= 8


def test_stage_agreement_is_in_a_human_range(codes):
    table = pairwise_agreement(codes, code_columns=[STAGE, EMOTION], coder_a=SAM, coder_b=PRIYA)
    kappa = table.set_index(CODE)[KAPPA]
    assert 0.4 <= kappa[STAGE] <= 0.95
    assert 0.3 <= kappa[EMOTION] <= 0.95


def test_importing_again_changes_nothing(imported, repo_root, segments):
    store, reports = imported
    before = len(store.decisions())
    again = import_codes(
        store, repo_root / "data" / "codes" / "imports" / FILES[PRIYA], segments=segments
    )
    assert again.imported == 0
    assert again.unchanged == reports[PRIYA].imported
    assert len(store.decisions()) == before
