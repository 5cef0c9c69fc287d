"""Pure parts of the map explorer: pinned evidence, the quotes behind a map cell, their HTML.

Pinned evidence
---------------
A researcher may *pin* a quote to a persona × stage of the map: pinned quotes are ranked before
every machine-ranked quote of that cell (in the order they were pinned). Pins are human input,
i.e. primary research data, so they live with the human codes in
``data/codes/pinned_evidence.json`` (never wiped by a rebuild), one entry per
``(persona, stage, segment_id)``::

    {"version": 1, "pins": [{"persona": ..., "stage": ..., "segment_id": ...,
                             "pinned_at": "2025-01-01T10:00:00+00:00", "note": null}]}

Every change rewrites the file atomically (:func:`workbench.atomic.write_text_atomic`).
:func:`rank_pinned` reorders a journey map's ``evidence`` frame by the pins; it is applied by
:func:`workbench.study.load_journey_map`.

Quotes are untrusted text: :func:`quotes_html` escapes every value it shows.
"""

from __future__ import annotations

import html
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench import schema
from workbench.atomic import read_json, write_text_atomic
from workbench.errors import StoreError
from workbench.evidence import format_location
from workbench.project import Project

PINS_FILE = "pinned_evidence.json"
PINNED = "pinned"  # evidence column: True for pinned quotes (not in schema.py; tell the lead)
PINNED_AT = "pinned_at"
ALL = "all"  # grid row of the whole stage (no touchpoint)
PIN_KEY = (schema.PERSONA, schema.STAGE, schema.SEGMENT_ID)
QUOTE_COLUMNS = (
    schema.SEGMENT_ID, schema.PARTICIPANT_ID, schema.PERSONA, schema.SOURCE_PATH,
    schema.LOCATION, schema.TEXT, schema.STAGE, schema.SENTIMENT, schema.CODE_SOURCE,
    schema.CODER, schema.CONFIDENCE,
)  # fmt: skip


class PinStore:
    """Quotes pinned to the map's evidence, kept in ``data/codes/pinned_evidence.json``.

    Examples
    --------
    >>> import tempfile
    >>> pins = PinStore(Path(tempfile.mkdtemp()))
    >>> pins.pin("budget-family", "support", "seg-1", note="the clearest")
    >>> pins.frame()[["persona", "stage", "segment_id", "note"]].values.tolist()
    [['budget-family', 'support', 'seg-1', 'the clearest']]
    >>> pins.unpin("budget-family", "support", "seg-1"); len(pins.frame())
    0
    """

    def __init__(self, project: Project | Path | str) -> None:
        self.project = project if isinstance(project, Project) else Project(Path(project))

    @property
    def path(self) -> Path:
        return self.project.codes / PINS_FILE

    def load(self) -> list[dict[str, Any]]:
        """Every pin (oldest first); ``[]`` when nothing is pinned yet."""
        data = read_json(self.path, what="pinned-evidence file")
        if data is None:
            return []
        pins = data.get("pins") if isinstance(data, dict) else None
        if not isinstance(pins, list) or not all(
            isinstance(p, dict) and all(isinstance(p.get(k), str) for k in PIN_KEY) for p in pins
        ):
            raise StoreError(
                f"{self.path}: unexpected layout (expected {{'version': 1, 'pins': [{{'persona', "
                "'stage', 'segment_id', 'pinned_at', 'note'}, ...]})"
            )
        return pins

    def _save(self, pins: list[dict[str, Any]]) -> None:
        text = json.dumps({"version": 1, "pins": pins}, indent=2, ensure_ascii=False)
        try:
            write_text_atomic(text + "\n", self.path)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot write the pinned evidence ({exc}); expected a writable "
                f"folder {self.path.parent}"
            ) from exc

    def pin(self, persona: str, stage: str, segment_id: str, *, note: str | None = None) -> None:
        """Pin a quote to a persona × stage (pinning again updates the note, keeps the time)."""
        pins = self.load()
        key = (persona, stage, segment_id)
        for entry in pins:
            if tuple(entry[k] for k in PIN_KEY) == key:
                entry[schema.NOTE] = note
                break
        else:
            pins.append(
                {
                    schema.PERSONA: persona,
                    schema.STAGE: stage,
                    schema.SEGMENT_ID: segment_id,
                    PINNED_AT: datetime.now(UTC).isoformat(timespec="seconds"),
                    schema.NOTE: note,
                }
            )
        self._save(pins)

    def unpin(self, persona: str, stage: str, segment_id: str) -> None:
        """Remove a pin (no error when it does not exist)."""
        key = (persona, stage, segment_id)
        pins = self.load()
        kept = [p for p in pins if tuple(p[k] for k in PIN_KEY) != key]
        if len(kept) != len(pins):
            self._save(kept)

    def frame(self) -> pd.DataFrame:
        """The pins as a table: persona, stage, segment_id, pinned_at, note (oldest first)."""
        columns = [*PIN_KEY, PINNED_AT, schema.NOTE]
        return pd.DataFrame(self.load(), columns=columns)

    def ids(self, persona: str, stage: str) -> list[str]:
        """Segment ids pinned to one persona × stage, in pin order."""
        return [
            p[schema.SEGMENT_ID]
            for p in self.load()
            if p[schema.PERSONA] == persona and p[schema.STAGE] == stage
        ]


def _pin_rows(
    pins: pd.DataFrame, coded: pd.DataFrame, stage_order: Mapping[str, int]
) -> pd.DataFrame:
    """Evidence rows (from ``coded``) for pins whose quote is not in the evidence frame."""
    rows = pins.merge(
        coded.drop(columns=[schema.PERSONA, schema.STAGE], errors="ignore"),
        on=schema.SEGMENT_ID,
        how="inner",
    )
    if rows.empty:
        return pd.DataFrame()

    def col(name: str) -> list[Any]:
        return rows[name].tolist() if name in rows.columns else [None] * len(rows)

    return pd.DataFrame(
        {
            schema.PERSONA: rows[schema.PERSONA],
            schema.STAGE: rows[schema.STAGE],
            schema.STAGE_ORDER: [stage_order.get(s, len(stage_order)) for s in rows[schema.STAGE]],
            schema.SEGMENT_ID: rows[schema.SEGMENT_ID],
            schema.PARTICIPANT_ID: col(schema.PARTICIPANT_ID),
            schema.SOURCE_PATH: col(schema.SOURCE_PATH),
            schema.LOCATION: [
                format_location(a, b)
                for a, b in zip(col(schema.LINE), col(schema.START_S), strict=True)
            ],
            schema.TEXT: col(schema.TEXT),
            schema.SENTIMENT: col(schema.SENTIMENT),
            schema.EMOTION: col(schema.EMOTION),
            schema.PAIN_POINT: col(schema.PAIN_POINT),
            schema.CONFIDENCE: col(schema.STAGE_CONFIDENCE),
            schema.CODE_SOURCE: col(schema.CODE_SOURCE),
            schema.SCORE: np.nan,
        }
    )


def rank_pinned(
    evidence: pd.DataFrame,
    pins: pd.DataFrame,
    *,
    coded: pd.DataFrame | None = None,
    stage_order: Mapping[str, int] | None = None,
    personas: Collection[str] | None = None,
    k: int | None = None,
) -> pd.DataFrame:
    """The evidence frame with pinned quotes first in their persona × stage, ranks renumbered.

    Parameters
    ----------
    evidence : DataFrame
        A journey map's ``evidence`` (persona, stage, stage_order, rank, segment_id, ...).
    pins : DataFrame
        :meth:`PinStore.frame` (persona, stage, segment_id, pinned_at, note).
    coded : DataFrame, optional
        The coded table: a pinned quote that is not among the cell's top quotes is added from
        it. Without it, only pins already in ``evidence`` are moved up.
    stage_order : mapping, optional
        Stage → order, for added rows (default: taken from ``evidence``).
    personas : collection of str, optional
        Personas the map shows (default: those in ``evidence``); other pins are ignored.
    k : int, optional
        Quotes to keep per cell: pinned quotes always, others up to ``k`` in all.

    Returns
    -------
    DataFrame
        ``evidence`` plus ``pinned`` (bool) and ``note`` (the pin's note), sorted by persona,
        stage order, then pinned quotes (pin order) and the other quotes (previous rank).

    Examples
    --------
    >>> ev = pd.DataFrame({"persona": ["a", "a"], "stage": ["s", "s"], "stage_order": [0, 0],
    ...                    "rank": [1, 2], "segment_id": ["x", "y"]})
    >>> pins = pd.DataFrame({"persona": ["a"], "stage": ["s"], "segment_id": ["y"],
    ...                      "pinned_at": ["t"], "note": [None]})
    >>> rank_pinned(ev, pins)[["segment_id", "rank", "pinned"]].values.tolist()
    [['y', 1, True], ['x', 2, False]]
    """
    out = evidence.copy()
    out[PINNED] = False
    out[schema.NOTE] = None
    wanted = set(personas) if personas is not None else set(out[schema.PERSONA].dropna())
    pins = pins[pins[schema.PERSONA].isin(wanted)].reset_index(drop=True)
    pins = pins.drop_duplicates(list(PIN_KEY)).reset_index(drop=True)
    pin_pos = {tuple(row): i for i, row in enumerate(pins[list(PIN_KEY)].to_numpy().tolist())}
    keys = list(zip(out[schema.PERSONA], out[schema.STAGE], out[schema.SEGMENT_ID], strict=True))
    out[PINNED] = [key in pin_pos for key in keys]
    missing = pins[[tuple(row) not in set(keys) for row in pins[list(PIN_KEY)].to_numpy().tolist()]]
    if coded is not None and not missing.empty:
        if stage_order is None:
            stage_order = dict(zip(out[schema.STAGE], out[schema.STAGE_ORDER], strict=True))
        added = _pin_rows(missing[list(PIN_KEY)], coded, stage_order)
        if not added.empty:
            added[PINNED] = True
            added = added.astype({c: out[c].dtype for c in added.columns if c in out.columns})
            out = pd.concat([out, added], ignore_index=True) if len(out) else added
    keys = list(zip(out[schema.PERSONA], out[schema.STAGE], out[schema.SEGMENT_ID], strict=True))
    notes = dict(zip(pin_pos, pins[schema.NOTE] if len(pins) else [], strict=True))
    out[schema.NOTE] = [notes.get(key) for key in keys]
    out["_pin"] = [pin_pos.get(key, len(pin_pos)) for key in keys]
    previous = out[schema.RANK] if schema.RANK in out.columns else pd.Series(0, index=out.index)
    out["_rank"] = previous.fillna(np.inf).astype(float)
    out = out.sort_values(
        [schema.PERSONA, schema.STAGE_ORDER, schema.STAGE, "_pin", "_rank"], kind="stable"
    )
    out[schema.RANK] = out.groupby([schema.PERSONA, schema.STAGE], sort=False).cumcount() + 1
    if k is not None:
        out = out[out[PINNED] | (out[schema.RANK] <= k)]
        out[schema.RANK] = out.groupby([schema.PERSONA, schema.STAGE], sort=False).cumcount() + 1
    return out.drop(columns=["_pin", "_rank"]).reset_index(drop=True)


def pin_first(ids: Sequence[str], pinned: Sequence[str]) -> list[str]:
    """``ids`` with the ``pinned`` ones first (in pin order), the rest in their order.

    Only pinned ids that are in ``ids`` are kept.

    >>> pin_first(["a", "b", "c"], ["c", "z"])
    ['c', 'a', 'b']
    """
    present = set(ids)
    first = [i for i in dict.fromkeys(pinned) if i in present]
    chosen = set(first)
    return first + [i for i in ids if i not in chosen]


def quotes_for(ids: Sequence[str], coded: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
    """The quotes of ``ids`` (in that order) with their provenance, from the coded table.

    Returns
    -------
    DataFrame
        :data:`QUOTE_COLUMNS`: segment_id, participant_id, persona, source_path, location
        (line or media time), text, stage, sentiment, code_source, coder, confidence (stage
        confidence). Ids not in ``coded`` are skipped.
    """
    ids = list(ids)[:k] if k is not None else list(ids)
    index = coded.drop_duplicates(schema.SEGMENT_ID).set_index(schema.SEGMENT_ID)
    rows = index.reindex([i for i in ids if i in index.index])

    def col(name: str) -> list[Any]:
        if name not in rows.columns:
            return [None] * len(rows)
        return rows[name].astype(object).where(rows[name].notna(), None).tolist()

    return pd.DataFrame(
        {
            schema.SEGMENT_ID: list(rows.index),
            schema.PARTICIPANT_ID: col(schema.PARTICIPANT_ID),
            schema.PERSONA: col(schema.PERSONA),
            schema.SOURCE_PATH: col(schema.SOURCE_PATH),
            schema.LOCATION: [
                format_location(a, b)
                for a, b in zip(col(schema.LINE), col(schema.START_S), strict=True)
            ],
            schema.TEXT: col(schema.TEXT),
            schema.STAGE: col(schema.STAGE),
            schema.SENTIMENT: col(schema.SENTIMENT),
            schema.CODE_SOURCE: col(schema.CODE_SOURCE),
            schema.CODER: col(schema.CODER),
            schema.CONFIDENCE: col(schema.STAGE_CONFIDENCE),
        },
        columns=list(QUOTE_COLUMNS),
    )


def cell_ids(
    stages: pd.DataFrame,
    touchpoints: pd.DataFrame | None,
    persona: str,
    stage: str,
    touchpoint: str = ALL,
) -> list[str]:
    """Segment ids behind one map cell (best first): a persona × stage, or × touchpoint."""
    frame = stages if touchpoint == ALL or touchpoints is None else touchpoints
    mask = (frame[schema.PERSONA] == persona) & (frame[schema.STAGE] == stage)
    if touchpoint != ALL and touchpoints is not None:
        mask &= frame[schema.TOUCHPOINT] == touchpoint
    hits = frame.loc[mask, schema.EVIDENCE_IDS]
    return [] if hits.empty else list(hits.iloc[0])


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def provenance(row: Mapping[str, Any]) -> str:
    """``participant · persona · source · location · code source (coder) · confidence``."""
    source = row.get(schema.CODE_SOURCE) or "uncoded"
    if row.get(schema.CODER):
        source = f"{source} ({row[schema.CODER]})"
    confidence = row.get(schema.CONFIDENCE)
    conf = "" if confidence is None or confidence != confidence else f"confidence {confidence:.2f}"
    bits = [
        row.get(schema.PARTICIPANT_ID),
        row.get(schema.PERSONA),
        row.get(schema.SOURCE_PATH),
        row.get(schema.LOCATION),
        source,
        conf,
    ]
    return " · ".join(str(b) for b in bits if b)


def quote_html(row: Mapping[str, Any], *, pinned: bool = False) -> str:
    """One quote card: the text and its provenance line, every value escaped.

    >>> "&lt;script&gt;" in quote_html({"text": "<script>x</script>", "participant_id": "P1"})
    True
    """
    mark = '<span class="wb-pin-mark">pinned</span> ' if pinned else ""
    return (
        f'<div class="wb-quote"><div class="wb-quote-text">{mark}“{_e(row.get(schema.TEXT))}”'
        f'</div><div class="wb-meta">{_e(provenance(row))}</div></div>'
    )


def quotes_html(quotes: pd.DataFrame, pinned: Collection[str] = ()) -> str:
    """All quotes of a cell as HTML (or a note when there are none)."""
    if quotes.empty:
        return '<div class="wb-status">no quotes behind this cell</div>'
    rows = quotes.to_dict("records")
    return "".join(quote_html(r, pinned=r[schema.SEGMENT_ID] in pinned) for r in rows)


def sentiment_color(mean: float | None, n_segments: int) -> str:
    """Background colour of a grid button: red (negative) … grey … green (positive), pale
    without evidence.

    >>> sentiment_color(-0.6, 4), sentiment_color(0.0, 4), sentiment_color(None, 0)
    ('#f4a6a6', '#e8e8e8', '#fafafa')
    """
    if not n_segments or mean is None or mean != mean:
        return "#fafafa"
    if mean <= -0.3:
        return "#f4a6a6"
    if mean <= -0.05:
        return "#fbd3c9"
    if mean < 0.05:
        return "#e8e8e8"
    if mean < 0.3:
        return "#d3efd3"
    return "#9fdc9f"


def grid_cells(
    stages: pd.DataFrame, touchpoints: pd.DataFrame | None, persona: str
) -> tuple[list[str], list[str], dict[tuple[str, str], dict[str, Any]]]:
    """Stage columns, row names (``all`` then touchpoints with evidence) and each cell's stats.

    Cell stats: ``n_segments``, ``sentiment_mean``, ``weak_evidence``.
    """
    mine = stages[stages[schema.PERSONA] == persona].sort_values(schema.STAGE_ORDER)
    columns = [str(s) for s in mine[schema.STAGE]]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    fields = (schema.N_SEGMENTS, schema.SENTIMENT_MEAN, schema.WEAK_EVIDENCE)
    for row in mine.to_dict("records"):
        cells[(ALL, str(row[schema.STAGE]))] = {f: row.get(f) for f in fields}
    rows = [ALL]
    if touchpoints is not None and not touchpoints.empty:
        tp = touchpoints[touchpoints[schema.PERSONA] == persona]
        used = tp.groupby(schema.TOUCHPOINT, sort=False)[schema.N_SEGMENTS].sum()
        rows += [str(t) for t in used.index if used[t] > 0]
        for row in tp.to_dict("records"):
            cells[(str(row[schema.TOUCHPOINT]), str(row[schema.STAGE]))] = {
                f: row.get(f) for f in fields
            }
    return columns, rows, cells
