"""Non-English segments are found offline and never scored as neutral English."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench import schema
from workbench.coverage import map_coverage
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.store import CodeStore
from workbench.tag.language import detect_language
from workbench.tag.pipeline import tag

FRENCH = "Le formulaire de réclamation était un cauchemar, personne ne répondait au téléphone."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (FRENCH, "fr"),
        ("Ich habe dreimal angerufen und niemand hat mir geholfen.", "de"),
        ("Het was een ramp met de monteur, hij kwam niet opdagen.", "nl"),
        ("The claim form was a nightmare.", None),
        ("Oui, merci.", None),  # too short to tell: not flagged
    ],
)
def test_detects_only_confident_non_english(text: str, language: str | None):
    assert detect_language(text) == language


def test_no_english_sample_segment_is_flagged(repo_root: Path, tmp_path: Path):
    shutil.copytree(repo_root / "data" / "raw", tmp_path / "data" / "raw")
    shutil.copy(repo_root / "study.yml", tmp_path / "study.yml")
    segments = ingest(Project(tmp_path), write=False).segments
    texts = segments.loc[segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT, schema.TEXT]
    flagged = [t for t in texts if detect_language(t)]
    assert len(texts) > 1000 and flagged == []


def test_tag_uses_the_best_sentiment_signal_and_leaves_french_unscored(tmp_path: Path):
    raw = tmp_path / "data" / "raw" / "interviews"
    raw.mkdir(parents=True)
    (raw / "P01_a.txt").write_text(
        "Interviewer: How was the claim?\nP01: The claim form was a nightmare.\n"
        "Interviewer: And the engineer?\nP01: The engineer was great and very kind.\n",
        encoding="utf-8",
    )
    (raw / "P02_b.txt").write_text(
        f"Interviewer: Comment ça s'est passé ?\nP02: {FRENCH}\nInterviewer: Merci.\n"
        "P02: Je voulais juste que quelqu'un me rappelle enfin.\n",
        encoding="utf-8",
    )
    (raw.parent / "participants.csv").write_text(
        "participant_id,persona\nP01,a\nP02,a\n", encoding="utf-8"
    )
    project = Project(tmp_path)
    segments = ingest(project).segments
    nightmare = segments.loc[segments[schema.TEXT].str.contains("nightmare"), schema.SEGMENT_ID]
    with CodeStore.for_project(project.root) as store:
        store.record(nightmare.iloc[0], "ana", stage="support", sentiment_label="negative")
    coded = tag(project).coded.set_index(schema.SEGMENT_ID)
    row = coded.loc[nightmare.iloc[0]]
    assert row[schema.SENTIMENT] == 0.0  # VADER's blind spot ...
    assert row[schema.SENTIMENT_SCORE] == -1.0 and row[schema.SENTIMENT_SOURCE] == "human"
    french = coded[coded[schema.PARTICIPANT_ID] == "P02"]
    french = french[french[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    assert (french[schema.LANGUAGE] == "fr").all()
    assert (french[schema.SENTIMENT_SOURCE] == "unscored").all()
    assert np.isnan(french[schema.SENTIMENT_SCORE].to_numpy(dtype=float)).all()
    kind = coded[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT
    english = coded[kind & (coded[schema.PARTICIPANT_ID] == "P01")]
    vader = english[english[schema.SENTIMENT_SOURCE] == "vader"]
    assert (vader[schema.SENTIMENT_SCORE] == vader[schema.SENTIMENT]).all() and len(vader) == 1
    lines = " ".join(map_coverage(coded.reset_index(), "a").lines())
    assert "2 in French" in lines and "1 from human codes" in lines
