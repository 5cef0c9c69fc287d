"""Code in a spreadsheet: ``workbench codes next`` writes what to code next as a coding sheet.

The sheet lists the next ``n`` segments in the coding widget's active-learning order (segments
anyone has coded already are left out), each with what a coder needs to decide: participant,
file and line or time, the turns just before and after, the segment's text and the machine's
proposal. The code columns (``stage``, ``touchpoints``, ``emotion``, ``sentiment_label``,
``pain_point``, ``goal``, ``memo``) are empty, to fill in:

* XLSX: drop-down lists (data validation) offer the codebook's stages plus "not codable",
  its emotions, the sentiment labels and yes/no; a second sheet, ``choices``, lists every code
  with its label and description (touchpoints are typed, ``;``-separated).
* CSV: the same columns; the choices are written beside it as ``<name>-choices.csv``.

``workbench codes import FILE --coder NAME`` reads the filled sheet back with
:func:`workbench.codes_io.import_codes`: rows left blank are skipped (never stored as empty
codes), "not codable" is the explicit no-evidence decision, and a code the codebook does not
know is an error naming the row and column. Every cell is written formula-safe.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.worksheet.datavalidation import DataValidation

from workbench import schema
from workbench.atomic import AtomicBatch
from workbench.codebook import Codebook, study_codebook
from workbench.codes_io import CODE_COLUMNS, FORMATS, guard_csv, write_cells
from workbench.errors import ConfigError
from workbench.project import Project
from workbench.store import CodeStore
from workbench.widgets.context import location
from workbench.widgets.frame import load_coding_frame
from workbench.widgets.queue import order_positions

CONTEXT_COLUMNS = ("order", "participant", "where", "before", "text", "after", "proposed_stage")
SHEET_COLUMNS = (*CONTEXT_COLUMNS, *CODE_COLUMNS, schema.CODER, schema.SEGMENT_ID)
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class CodingSheet:
    """What :func:`write_coding_sheet` wrote."""

    path: Path
    rows: int
    choices: Path | None = None

    def summary(self) -> str:
        """One line for the command line."""
        extra = f" (choices in {self.choices})" if self.choices else ""
        return (
            f"Wrote {self.rows} segment(s) to code next to {self.path}{extra}; fill the stage "
            f"column (or 'not codable'), then `workbench codes import {self.path.name} "
            "--coder YOUR-NAME`"
        )


def _turn(row: pd.Series | None) -> str:
    if row is None:
        return ""
    who = row.get(schema.SPEAKER)
    who = row.get(schema.SPEAKER_ROLE) if who is None or pd.isna(who) else who
    return f"{who}: {row[schema.TEXT]}"


def sheet_frame(project: Project, n: int, coder: str | None = None) -> pd.DataFrame:
    """The next ``n`` segments to code, in the widget's active order, as sheet rows."""
    if n < 1:
        raise ConfigError(f"--n {n}: expected 1 or more segments")
    codebook = study_codebook(project.root)
    frame = load_coding_frame(project, codebook=codebook)
    coded: set[str] = set()
    if (project.codes / "codes.sqlite").exists():
        with CodeStore.for_project(project.root) as store:
            coded = set(store.current_codes()[schema.SEGMENT_ID])
    order = [
        p for p in order_positions(frame, "active") if frame.iat[p, 0] not in coded
    ]  # segment_id is the first column of every coded frame
    order = order[:n]
    by_source = frame.reset_index(drop=True)
    key = [schema.SOURCE_PATH, schema.TURN, schema.CHAR_START]
    sorted_rows = by_source.sort_values(key, kind="stable")
    rank = pd.Series(np.arange(len(sorted_rows)), index=sorted_rows.index)
    labels = codebook.labels("stages")
    out = []
    for number, position in enumerate(order, start=1):
        row = by_source.iloc[position]
        at = int(rank[position])
        before = sorted_rows.iloc[at - 1] if at > 0 else None
        after = sorted_rows.iloc[at + 1] if at + 1 < len(sorted_rows) else None
        same = row[schema.SOURCE_PATH]
        before = before if before is not None and before[schema.SOURCE_PATH] == same else None
        after = after if after is not None and after[schema.SOURCE_PATH] == same else None
        stage = row.get(schema.STAGE)
        out.append(
            {
                "order": number,
                "participant": row[schema.PARTICIPANT_ID],
                "where": f"{same} {location(row.get(schema.LINE), row.get(schema.START_S))}",
                "before": _turn(before),
                "text": row[schema.TEXT],
                "after": _turn(after),
                "proposed_stage": ""
                if stage is None or pd.isna(stage)
                else labels.get(stage, stage),
                **dict.fromkeys(CODE_COLUMNS, ""),
                schema.CODER: coder or "",
                schema.SEGMENT_ID: row[schema.SEGMENT_ID],
            }
        )
    return pd.DataFrame(out, columns=list(SHEET_COLUMNS))


def _choices(codebook: Codebook) -> pd.DataFrame:
    rows = [
        {"column": schema.STAGE, "code": c.code, "label": c.label, "description": c.description}
        for c in codebook.stages
    ]
    rows.append(
        {
            "column": schema.STAGE,
            "code": schema.NOT_CODABLE_LABEL,
            "label": "Not codable",
            "description": "No journey evidence (small talk, an aside): left off the map.",
        }
    )
    for section, column in (("touchpoints", schema.TOUCHPOINTS), ("emotions", schema.EMOTION)):
        rows += [
            {"column": column, "code": c.code, "label": c.label, "description": c.description}
            for c in getattr(codebook, section)
        ]
    rows += [{"column": schema.SENTIMENT_LABEL, "code": s, "label": s} for s in SENTIMENTS]
    rows += [{"column": f, "code": v, "label": v} for f in (schema.PAIN_POINT, schema.GOAL)
             for v in ("yes", "no")]  # fmt: skip
    return pd.DataFrame(rows, columns=["column", "code", "label", "description"]).fillna("")


def _write_xlsx(frame: pd.DataFrame, choices: pd.DataFrame, tmp: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "to code"
    write_cells(sheet, frame)
    lists = {
        schema.STAGE: [*choices.loc[choices["column"] == schema.STAGE, "code"]],
        schema.EMOTION: [*choices.loc[choices["column"] == schema.EMOTION, "code"]],
        schema.SENTIMENT_LABEL: list(SENTIMENTS),
        schema.PAIN_POINT: ["yes", "no"],
        schema.GOAL: ["yes", "no"],
    }
    last = max(len(frame) + 1, 2)
    for name, values in lists.items():
        letter = openpyxl.utils.get_column_letter(list(frame.columns).index(name) + 1)
        rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        rule.error = f"Choose one of the codebook's {name} codes (see the choices sheet)"
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last}")
    for name in ("before", "text", "after"):
        sheet.column_dimensions[
            openpyxl.utils.get_column_letter(SHEET_COLUMNS.index(name) + 1)
        ].width = 60
    write_cells(book.create_sheet("choices"), choices)
    book.save(tmp)


def _write_csv(frame: pd.DataFrame, tmp: Path) -> None:
    with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            writer.writerow([guard_csv(v) if isinstance(v, str) else v for v in row])


def write_coding_sheet(
    project: Project, path: Path | str, *, n: int = 50, coder: str | None = None
) -> CodingSheet:
    """Write the next ``n`` segments to code as a ``.csv`` or ``.xlsx`` coding sheet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"{path}: a coding sheet is .csv or .xlsx")
    frame = sheet_frame(project, n, coder)
    choices = _choices(study_codebook(project.root))
    side = path.with_name(f"{path.stem}-choices.csv") if suffix == ".csv" else None
    with AtomicBatch() as batch:
        if suffix == ".xlsx":
            batch.stage(path, lambda tmp: _write_xlsx(frame, choices, tmp))
        else:
            batch.stage(path, lambda tmp: _write_csv(frame, tmp))
            batch.stage(side, lambda tmp: _write_csv(choices, tmp))
    return CodingSheet(path, len(frame), side)
