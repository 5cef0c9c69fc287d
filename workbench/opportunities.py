"""Opportunities: pain points ranked by frequency × severity × reach, and researcher notes.

One per persona × stage × pain category of the pain-point segments::

    frequency = pain-point segments of the category in the cell
    reach     = distinct participants among them
    severity  = mean over those segments of (1 + max(0, -sentiment) + negative_emotion) / 3
    score     = frequency * severity * reach

``negative_emotion`` is 1 when the segment's emotion has negative valence in the codebook, else
0, so severity lies in [1/3, 1]: every pain point counts, the angriest count three times as much.
``rank`` is the position within the persona (1 = the biggest opportunity). The opportunity id is
``persona/stage/category``, stable across rebuilds, and keys researcher notes
(:class:`OpportunityNotes`, stored with the human codes in ``data/codes/``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench import schema
from workbench.atomic import read_json, write_text_atomic
from workbench.errors import StoreError
from workbench.evidence import Codable, Ranking, _column, _quotes, group_order, specified
from workbench.project import Project

OPPORTUNITY_ID = "opportunity_id"
NOTES_FILE = "opportunity_notes.json"


def opportunities(
    rows: Codable,
    ranking: Ranking,
    negative_emotions: set[str],
    *,
    min_participants: int = 3,
    k: int = 5,
    notes: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pain points ranked by frequency × severity × reach, and their top ``k`` quotes each."""
    pain = np.flatnonzero(specified(rows))
    n_cat = len(rows.categories)
    key = rows.cell[pain] * n_cat + rows.category[pain]
    keys, group = np.unique(key, return_inverse=True)
    negative = np.isin(
        rows.emotion[pain],
        [rows.emotions.index(e) for e in negative_emotions if e in rows.emotions],
    )
    severity_i = (1 + np.nan_to_num(np.maximum(0, -rows.sentiment[pain])) + negative) / 3
    frequency = np.bincount(group, minlength=len(keys))
    participant = rows.participant[pain]
    width = int(participant.max(initial=0)) + 1
    reach = np.bincount(np.unique(group * width + participant) // width, minlength=len(keys))
    severity = np.bincount(group, weights=severity_i, minlength=len(keys)) / np.maximum(
        frequency, 1
    )
    cell, category = keys // n_cat, keys % n_cat
    n_stages = max(len(rows.stages), 1)
    persona, stage = cell // n_stages, cell % n_stages
    table = pd.DataFrame(
        {
            schema.PERSONA: [rows.personas[p] for p in persona],
            schema.STAGE: [rows.stages[s] for s in stage],
            schema.STAGE_ORDER: stage,
            schema.PAIN_CATEGORY: [rows.categories[c] for c in category],
            schema.FREQUENCY: frequency,
            schema.SEVERITY: severity,
            schema.REACH: reach,
            schema.SCORE: frequency * severity * reach,
        }
    )
    table.insert(0, OPPORTUNITY_ID, opportunity_ids(table))
    table[schema.WEAK_EVIDENCE] = table[schema.REACH] < min_participants
    ranked = group_order(group, participant, rows.human[pain] * 2.0 + ranking.score[pain])
    ids = _column(rows.frame, schema.SEGMENT_ID, rows.positions[pain[ranked.order]])
    bounds = np.searchsorted(group[ranked.order], np.arange(1, len(keys)))
    table[schema.EVIDENCE_IDS] = [list(p) for p in np.split(np.array(ids, dtype=object), bounds)]
    table[schema.NOTE] = table[OPPORTUNITY_ID].map(notes or {}).astype(object)
    table = table.sort_values(
        [schema.PERSONA, schema.SCORE, schema.REACH, schema.STAGE_ORDER],
        ascending=[True, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
    table.insert(
        table.columns.get_loc(schema.SCORE) + 1,
        schema.RANK,
        table.groupby(schema.PERSONA).cumcount() + 1,
    )
    keep = ranked.rank < k
    selected = pain[ranked.order[keep]]
    quotes = pd.DataFrame(
        {
            OPPORTUNITY_ID: np.asarray(opportunity_ids_of(rows, keys, n_cat), dtype=object)[
                group[ranked.order[keep]]
            ],
            **_quotes(rows, selected, ranked.rank[keep], ranking.score),
        }
    )
    return table, quotes


def opportunity_ids(table: pd.DataFrame) -> list[str]:
    """Stable ids ``persona/stage/category`` of the opportunity rows."""
    return [
        f"{p}/{s}/{c}"
        for p, s, c in zip(
            table[schema.PERSONA], table[schema.STAGE], table[schema.PAIN_CATEGORY], strict=True
        )
    ]


def opportunity_ids_of(rows: Codable, keys: np.ndarray, n_cat: int) -> list[str]:
    n_stages = max(len(rows.stages), 1)
    cell, category = keys // n_cat, keys % n_cat
    return [
        f"{rows.personas[c // n_stages]}/{rows.stages[c % n_stages]}/{rows.categories[g]}"
        for c, g in zip(cell, category, strict=True)
    ]


class OpportunityNotes:
    """Researcher notes on opportunities, kept with the human codes (``data/codes/``).

    The file is JSON: ``{"version": 1, "notes": {id: {"note", "author", "updated"}}}``; every
    change rewrites it atomically (a crash leaves the previous version).

    Examples
    --------
    >>> import tempfile
    >>> notes = OpportunityNotes(Path(tempfile.mkdtemp()))
    >>> notes.set("remote-worker/support/waiting", "Call-back instead of hold music")
    >>> notes.notes()
    {'remote-worker/support/waiting': 'Call-back instead of hold music'}
    """

    def __init__(self, project: Project | Path | str) -> None:
        self.project = project if isinstance(project, Project) else Project(Path(project))

    @property
    def path(self) -> Path:
        return self.project.codes / NOTES_FILE

    def load(self) -> dict[str, dict[str, Any]]:
        """Every note with its author and time; ``{}`` when there is no file yet."""
        data = read_json(self.path, what="opportunity-notes file")
        if data is None:
            return {}
        notes = data.get("notes") if isinstance(data, dict) else None
        if not isinstance(notes, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("note"), str) for v in notes.values()
        ):
            raise StoreError(
                f"{self.path}: unexpected layout (expected {{'version': 1, 'notes': "
                "{id: {'note': text, ...}}})"
            )
        return notes

    def notes(self) -> dict[str, str]:
        """Opportunity id → note text."""
        return {key: value["note"] for key, value in self.load().items()}

    def set(self, opportunity_id: str, note: str, *, author: str | None = None) -> None:
        """Save (or, with an empty ``note``, delete) the note of one opportunity."""
        notes = self.load()
        if note.strip():
            notes[opportunity_id] = {
                "note": note,
                "author": author,
                "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        else:
            notes.pop(opportunity_id, None)
        text = json.dumps({"version": 1, "notes": notes}, indent=2, ensure_ascii=False)
        write_text_atomic(text + "\n", self.path)

    def merge(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` (opportunities) with its ``note`` column filled from the saved notes."""
        out = table.copy()
        out[schema.NOTE] = out[OPPORTUNITY_ID].map(self.notes()).astype(object)
        return out
