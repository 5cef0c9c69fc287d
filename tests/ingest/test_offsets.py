"""Offsets are true for every segment of every reader: the decoded source at
``char_start:char_end`` holds the segment's text (white space folded, subtitle timing lines,
cue labels and tags removed, CSV quoting undone)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench import schema
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.segment import csv_field_text, span_text


def untrue(project: Project) -> tuple[int, list[tuple[str, str, str]]]:
    """(segments checked, the ones whose source span does not hold their text)."""
    result = ingest(project, write=False, skip_bad=True)
    texts = dict(
        zip(result.documents[schema.SOURCE_ID], result.documents[schema.TEXT], strict=True)
    )
    bad = []
    for row in result.segments.itertuples():
        read = csv_field_text if row.source_type == schema.SOURCE_SURVEY else span_text
        held = read(texts[row.source_id], row.char_start, row.char_end)
        if held != " ".join(row.text.split()):
            bad.append((row.source_path, row.text[:60], held[:60]))
    return len(result.segments), bad


def copy_study(raw: Path, root: Path, config: str = "") -> Project:
    shutil.copytree(raw, root / "data" / "raw")
    (root / "study.yml").write_text(config, encoding="utf-8")
    return Project(root)


def test_every_sample_segment_points_at_its_text(repo_root: Path, tmp_path: Path):
    project = copy_study(repo_root / "data" / "raw", tmp_path)
    shutil.copy(repo_root / "study.yml", tmp_path / "study.yml")
    n, bad = untrue(project)
    assert n > 1200 and bad == []  # turns over several lines and VTT/SRT cues merged, too


def test_every_real_transcript_segment_points_at_its_text(shared_data: Path, tmp_path: Path):
    source = shared_data / "studies" / "va-contact-us-interviews" / "transcripts"
    if not source.is_dir():
        pytest.skip(f"{source} is absent")
    raw = tmp_path / "raw"
    (raw / "interviews").mkdir(parents=True)
    for path in source.glob("*.md"):
        shutil.copy(path, raw / "interviews" / path.name)
    project = copy_study(raw, tmp_path / "study", "speakers: {interviewers: [Becky]}\n")
    n, bad = untrue(project)
    assert n > 200 and bad == []


def test_real_subtitle_fixtures_point_at_their_text(shared_data: Path, tmp_path: Path):
    source = shared_data / "formats" / "subtitles"
    if not source.is_dir():
        pytest.skip(f"{source} is absent")
    raw = tmp_path / "raw"
    (raw / "interviews").mkdir(parents=True)
    for path in source.glob("*"):
        if path.suffix in (".vtt", ".srt"):
            shutil.copy(path, raw / "interviews" / f"P01_{path.name}")
    project = copy_study(raw, tmp_path / "study")
    n, bad = untrue(project)
    assert n > 0 and bad == []
