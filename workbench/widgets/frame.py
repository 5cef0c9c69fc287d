"""The frame the coding widget works on: the coded table, or a provisional one from the rules.

``workbench tag`` writes ``data/processed/coded.parquet``. Before it has run (a fresh study:
ingest, then straight to coding), :func:`load_coding_frame` builds a provisional coded frame from
``segments.parquet`` with the codebook's cue rules (:class:`~workbench.tag.rules.RuleTagger`)
and VADER (:class:`~workbench.tag.sentiment.VaderScorer`). Nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench import schema
from workbench.codebook import Codebook, study_codebook
from workbench.errors import ConfigError
from workbench.project import Project

CODED_FILE = "coded.parquet"
SEGMENTS_FILE = "segments.parquet"
DEFAULT_THRESHOLD = 0.6


def provisional_codes(
    segments: pd.DataFrame, codebook: Codebook, *, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Segments plus rule-and-VADER proposals, in the columns of the coded table.

    Parameters
    ----------
    segments : DataFrame
        The segments table.
    codebook : Codebook
    threshold : float
        Stage confidence below which a proposal is flagged ``needs_review``.

    Returns
    -------
    DataFrame
        ``segments`` (same row order, fresh index) with ``stage``, ``stage_confidence``,
        ``touchpoints``, ``emotion``, ``sentiment``, ``sentiment_label``, ``pain_point``,
        ``pain_category`` (missing), ``goal``, ``code_source`` (``rule``), ``coder`` (missing),
        ``needs_review`` and ``codebook_hash``.
    """
    from workbench.tag.rules import RuleTagger
    from workbench.tag.sentiment import VaderScorer

    frame = segments.reset_index(drop=True)
    texts = frame[schema.TEXT].astype(object).where(frame[schema.TEXT].notna(), "")
    scores = VaderScorer().score(list(texts), workers=1)
    compound = scores["compound"].to_numpy(dtype=float)
    tags = RuleTagger(codebook).fit().predict_frame(list(texts), sentiment=compound)
    out = frame.copy()
    for column in tags.columns:
        out[column] = (
            tags[column].to_numpy(dtype=object)
            if column == schema.TOUCHPOINTS
            else (tags[column].array)
        )
    out[schema.SENTIMENT] = compound
    out[schema.SENTIMENT_LABEL] = scores[schema.SENTIMENT_LABEL].astype("string").array
    out[schema.PAIN_CATEGORY] = pd.array([None] * len(out), dtype="string")
    out[schema.CODER] = pd.array([None] * len(out), dtype="string")
    confidence = out[schema.STAGE_CONFIDENCE].to_numpy(dtype=float)
    out[schema.NEEDS_REVIEW] = ~(confidence >= threshold) | np.asarray(
        out[schema.STAGE].isna(), dtype=bool
    )
    out[schema.CODEBOOK_HASH] = pd.array([codebook.hash] * len(out), dtype="string")
    return out


def load_coding_frame(
    project: Project | Path | str,
    *,
    codebook: Codebook | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The coded frame of a study for coding: ``coded.parquet``, else provisional codes.

    Parameters
    ----------
    project : Project or path
        The study folder.
    codebook : Codebook, optional
        Default: the study's (:func:`~workbench.codebook.study_codebook`).
    threshold : float
        Confidence threshold for ``needs_review`` of provisional codes.

    Raises
    ------
    ConfigError
        Neither ``coded.parquet`` nor ``segments.parquet`` exists.
    """
    project = project if isinstance(project, Project) else Project(Path(project))
    coded = project.processed_file(CODED_FILE)
    if coded.is_file():
        return pd.read_parquet(coded).reset_index(drop=True)
    segments = project.processed_file(SEGMENTS_FILE)
    if not segments.is_file():
        raise ConfigError(
            f"{segments} does not exist (nor {coded}): run `workbench ingest --project "
            f"{project.root}` first, then open the coding widget"
        )
    codebook = codebook if codebook is not None else study_codebook(project.root)
    return provisional_codes(pd.read_parquet(segments), codebook, threshold=threshold)
