"""How far to trust the codes: agreement between human coders, and between them and the model.

:func:`codes_long` gathers one row per (segment, coder): every human coder's current codes from
the code store, plus the machine's own codes for the same segments as coder ``"model"``.
:func:`reliability_table` feeds that long table to
:func:`workbench.agreement.agreement_report` (κ, α, percent agreement per code and coder pair).

The machine coder
-----------------
``coded.parquet`` carries the *human* codes on human-coded segments (human always wins), so the
model's view of those segments is recomputed: :class:`workbench.tag.machine.MachineCoder` with
the models that took over (:func:`workbench.tag.pipeline.load_active_models`) codes their texts;
codes without such a model come from the codebook's rules (and VADER for sentiment), exactly as
``workbench tag`` codes every other segment. The models were trained on these very human codes,
so human–model agreement here is **in-sample** (optimistic); the cross-validated scores in
``models/metrics.json`` are the out-of-sample estimate.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench import agreement as agr
from workbench import schema
from workbench.codebook import study_codebook
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.store import CodeStore

MODEL_CODER = "model"
CODE_COLUMNS = (
    schema.STAGE,
    schema.EMOTION,
    schema.SENTIMENT_LABEL,
    schema.PAIN_POINT,
    schema.GOAL,
)
LONG_COLUMNS = (
    schema.SEGMENT_ID, schema.CODER, schema.STAGE, schema.TOUCHPOINTS, schema.EMOTION,
    schema.SENTIMENT_LABEL, schema.PAIN_POINT, schema.GOAL,
)  # fmt: skip


def _project(project: Project | str | os.PathLike[str]) -> Project:
    return project if isinstance(project, Project) else Project(Path(project))


def human_codes_long(project: Project | str | os.PathLike[str]) -> pd.DataFrame:
    """Every human coder's current code per segment (one row per segment × coder)."""
    project = _project(project)
    if not (project.codes / "codes.sqlite").exists():
        raise WorkbenchError(
            f"{project.codes / 'codes.sqlite'}: no human codes yet (expected the code store; "
            "code in notebooks/01-code-interviews.ipynb or `workbench codes import FILE`)"
        )
    with CodeStore.for_project(project.root, read_only=True) as store:
        current = store.current_codes()
    return current[list(LONG_COLUMNS)].reset_index(drop=True)


def model_codes(
    project: Project | str | os.PathLike[str], segment_ids: Sequence[str]
) -> pd.DataFrame:
    """The machine's codes (active models, else rules) for ``segment_ids``, coder ``"model"``."""
    from workbench.tag.machine import MachineCoder
    from workbench.tag.pipeline import load_active_models, read_segments

    project = _project(project)
    segments = read_segments(project)
    segments = segments[segments[schema.SEGMENT_ID].isin(set(segment_ids))]
    segments = segments.drop_duplicates(schema.SEGMENT_ID)
    codebook = study_codebook(project.root)
    models, _ = load_active_models(project, codebook)
    machine = MachineCoder(codebook, models).code(segments[schema.TEXT].tolist())
    out = pd.DataFrame(
        {
            schema.SEGMENT_ID: segments[schema.SEGMENT_ID].to_numpy(dtype=object),
            schema.CODER: MODEL_CODER,
        }
    )
    for column in LONG_COLUMNS[2:]:
        out[column] = machine[column].to_numpy(dtype=object)
    return out


def codes_long(project: Project | str | os.PathLike[str], *, model: bool = True) -> pd.DataFrame:
    """Human codes plus (``model=True``) the machine's codes of the same segments, long.

    Returns
    -------
    DataFrame
        One row per (segment, coder): segment_id, coder, stage, touchpoints, emotion,
        sentiment_label, pain_point, goal. The machine coder is named ``"model"``.
    """
    humans = human_codes_long(project)
    if not model or humans.empty:
        return humans
    machine = model_codes(project, humans[schema.SEGMENT_ID].unique().tolist())
    both = pd.concat([humans.astype(object), machine.astype(object)], ignore_index=True)
    return both.sort_values([schema.SEGMENT_ID, schema.CODER], ignore_index=True)


def reliability_table(
    project: Project | str | os.PathLike[str],
    *,
    code_columns: Sequence[str] = CODE_COLUMNS,
    model: bool = True,
    codes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """κ, α and percent agreement per code for every human pair and every human vs the model.

    Parameters
    ----------
    project : Project or path
        A tagged study (code store, segments and, for the model, ``models/``).
    code_columns : sequence of str
        Codes to compare; add ``schema.TOUCHPOINTS`` for one row per touchpoint label.
    model : bool
        Compare each human coder with the machine coder too.
    codes : DataFrame, optional
        A :func:`codes_long` table already computed (saves recomputing the model's codes).

    Returns
    -------
    DataFrame
        :func:`workbench.agreement.agreement_report` rows: code, coder_a, coder_b, pair_type
        (``human-human`` / ``human-model``), n_units (segments both coded), percent_agreement,
        kappa, alpha.
    """
    long = codes if codes is not None else codes_long(project, model=model)
    return agr.agreement_report(
        long, code_columns=list(code_columns), model_coder=MODEL_CODER if model else None
    )


@dataclass
class CoderAgreement:
    """Stage agreement of one coder with each other coder, or why there is none yet."""

    coder: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = "\n".join(self.notes)
        if not self.table.empty:
            text = f"{self.table.to_string(index=False)}\n{text}".strip()
        return text

    def _repr_html_(self) -> str:
        import html

        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        table = "" if self.table.empty else self.table.to_html(index=False, na_rep="–")
        return table + notes


def agreement_with(store: CodeStore, coder: str, *, blind: bool = False) -> CoderAgreement:
    """Stage agreement between ``coder`` and every coder who coded some of the same segments.

    Never raises for a study where ``coder`` has not coded yet, or has no overlap with anyone:
    the result says so instead (what notebook 01 shows).
    """
    result = CoderAgreement(coder)
    if blind:
        result.notes.append("blind coding: agreement is hidden until you finish")
        return result
    coders = store.coders()
    if coder not in coders:
        result.notes.append(
            f"{coder} has not coded any segment yet; agreement appears once you and another "
            "coder have coded the same segments"
        )
        return result
    codes = store.current_codes()
    tables = []
    for other in (c for c in coders if c != coder):
        both = store.overlap(coder, other)
        if len(both) < 2:
            result.notes.append(f"{coder} and {other}: {len(both)} segment(s) coded by both")
            continue
        pair = codes[codes[schema.SEGMENT_ID].isin(both)]
        tables.append(
            agr.pairwise_agreement(pair, code_columns=[schema.STAGE], coder_a=coder, coder_b=other)
        )
    if tables:
        result.table = pd.concat(tables, ignore_index=True)
    elif len(coders) == 1:
        result.notes.append("no second coder yet")
    return result
