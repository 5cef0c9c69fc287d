"""Loading a study's derived tables for notebooks and templates (thin cells call these)."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.codebook import Codebook, study_codebook
from workbench.journey import JourneyMap, build_journey_map
from workbench.opportunities import OpportunityNotes
from workbench.project import Project
from workbench.report import load_coded, read_optional


def load_journey_map(
    project: Project | str | os.PathLike[str],
    *,
    persona: str | None = None,
    min_participants: int = 3,
    quotes_per_cell: int = 5,
    seed: int = 0,
) -> tuple[JourneyMap, Codebook]:
    """Build the journey map of a tagged study (one persona, or all) with its codebook.

    Reads ``coded.parquet`` (run ``workbench tag`` first), the survey tables when present and the
    researcher's opportunity notes. Quotes the researcher pinned to a persona × stage
    (``data/codes/pinned_evidence.json``, see :mod:`workbench.widgets.evidence_view`) come first
    in the map's ``evidence``.
    """
    from workbench.widgets.evidence_view import PinStore, rank_pinned

    project = project if isinstance(project, Project) else Project(Path(project))
    coded, _ = load_coded(project)
    codebook = study_codebook(project.root)
    journey = build_journey_map(
        coded,
        codebook,
        questions=read_optional(project.processed_file("questions.parquet")),
        responses=read_optional(project.processed_file("responses.parquet")),
        stage_metrics=read_optional(project.processed_file("stage_metrics.parquet")),
        persona=persona,
        min_participants=min_participants,
        seed=seed,
        k=quotes_per_cell,
        notes=OpportunityNotes(project).notes(),
    )
    journey.evidence = rank_pinned(
        journey.evidence,
        PinStore(project).frame(),
        coded=coded,
        stage_order=codebook.stage_order,
        personas=None if persona is None else [persona],
        k=quotes_per_cell,
    )
    return journey, codebook
