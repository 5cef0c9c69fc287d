"""What a report's methods section and manifest say: coding counts, model metrics, agreement,
rules of the map and the provenance of every input.

Pure read-only helpers of :mod:`workbench.report`: nothing here writes to the study. The code
store is opened read-only and only when its file exists (a report never creates one).
"""

from __future__ import annotations

import hashlib
import io
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import agreement as agr
from workbench import report_html as h
from workbench import schema
from workbench.codebook import Codebook
from workbench.errors import WorkbenchError
from workbench.evidence import UNASSIGNED
from workbench.project import Project

if TYPE_CHECKING:
    from workbench.journey import JourneyMap

#: Distributions whose versions a manifest records (import name → distribution name).
PACKAGES = {
    "workbench": "journey-workbench",
    "pandas": "pandas",
    "numpy": "numpy",
    "pyarrow": "pyarrow",
    "altair": "altair",
    "vl-convert": "vl-convert-python",
    "scikit-learn": "scikit-learn",
    "scipy": "scipy",
    "nltk": "nltk",
    "skops": "skops",
}
AGREEMENT_COLUMNS = (
    schema.STAGE,
    schema.TOUCHPOINTS,
    schema.EMOTION,
    schema.PAIN_POINT,
    schema.GOAL,
)
UNKNOWN_CODER = "(none)"

WEAK_RULE = (
    "A cell (persona × stage, or persona × stage × touchpoint) is flagged as weak evidence when "
    "fewer than {n} distinct participants support it. Weak cells stay on the map but are faded "
    "on the charts and marked in the tables; stages without any coded segment are weak too."
)
BOOTSTRAP = (
    "Mean sentiment is the VADER compound score (−1..1) averaged over a cell's segments. Its 95% "
    "interval is a cluster bootstrap over participants: each of 1,000 replicates resamples the "
    "cell's participants with replacement (segments of one person are not independent) and "
    "takes the ratio mean; the interval is the 2.5th–97.5th percentile (seeded, reproducible). "
    "A cell with one participant resamples that person's segments; a cell with one segment has "
    "no spread. Survey NPS, CSAT and CES carry their own 95% intervals."
)
RANKING = (
    "Quotes are ranked within each cell: every participant is quoted once before anyone is "
    "quoted twice, human-coded segments before machine codes, then by a score of coding "
    "confidence (0.4), closeness to the cell's mean sentiment (0.35) and readable length (0.25)."
    " Opportunities are ranked by frequency × severity × reach of their pain points."
)


@dataclass
class Methods:
    """Everything the methods section shows, gathered once per report run."""

    codebook: Codebook
    model_metrics: pd.DataFrame
    model_notes: list[str] = field(default_factory=list)
    agreement: pd.DataFrame | None = None
    agreement_note: str = ""


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_frame(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's Parquet bytes (for a coded table passed in memory)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def hash_tree(folder: Path, root: Path) -> dict[str, str]:
    """``relative path → sha256`` of every regular file under ``folder`` (sorted)."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages a report depends on (``None`` when absent)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name, dist in PACKAGES.items():
        try:
            out[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def coding_counts(coded: pd.DataFrame, persona: str | None = None) -> pd.DataFrame:
    """Codable segments (participant turns with a stage) per code source × coder."""
    rows = codable(coded)
    if persona is not None:
        rows = rows[rows[schema.PERSONA].astype(object).fillna(UNASSIGNED) == persona]
    source = (
        rows[schema.CODE_SOURCE].astype(object).fillna("unknown")
        if schema.CODE_SOURCE in rows.columns
        else pd.Series("unknown", index=rows.index)
    )
    coder = (
        rows[schema.CODER].astype(object).fillna(UNKNOWN_CODER)
        if schema.CODER in rows.columns
        else pd.Series(UNKNOWN_CODER, index=rows.index)
    )
    counts = (
        pd.DataFrame({schema.CODE_SOURCE: source, schema.CODER: coder})
        .value_counts()
        .rename(schema.COUNT)
        .reset_index()
    )
    return counts.sort_values([schema.CODE_SOURCE, schema.CODER], ignore_index=True)


def codable(coded: pd.DataFrame) -> pd.DataFrame:
    """Participant rows with a stage: the rows a journey map is built from."""
    keep = coded[schema.SPEAKER_ROLE].astype(object) == schema.ROLE_PARTICIPANT
    keep &= coded[schema.STAGE].notna()
    return coded[keep.fillna(False).astype(bool)]


def model_metrics(project: Project, codebook: Codebook) -> tuple[pd.DataFrame, list[str]]:
    """Cross-validated metrics saved with the trained models in ``models/`` (and problems)."""
    from workbench.tag.persistence import load_model

    rows, notes = [], []
    for path in sorted(project.models.glob("*.skops")) if project.models.is_dir() else []:
        try:
            trained = load_model(path, codebook_hash=codebook.hash)
        except WorkbenchError as exc:
            notes.append(str(exc))
            continue
        m = trained.metrics or {}
        base = m.get("baseline") if isinstance(m.get("baseline"), dict) else {}
        rows.append(
            {
                "model": trained.kind,
                "file": path.relative_to(project.root).as_posix(),
                "n": m.get("n"),
                "accuracy": m.get("accuracy"),
                "macro_f1": m.get("macro_f1"),
                "kappa": m.get("kappa"),
                "baseline_accuracy": base.get("accuracy"),
                "baseline_macro_f1": base.get("macro_f1"),
            }
        )
    return pd.DataFrame(rows), notes


def store_agreement(project: Project) -> tuple[pd.DataFrame | None, str]:
    """κ and α between the coders of the study's code store, or why there is none."""
    from workbench.store import STORE_FILE, CodeStore

    path = project.codes / STORE_FILE
    if not path.is_file():
        return None, f"No human-code store ({path.relative_to(project.root).as_posix()}) yet."
    try:
        with CodeStore(path, read_only=True) as store:
            codes = store.current_codes()
    except WorkbenchError as exc:
        return None, f"The code store could not be read: {exc}"
    coders = sorted(codes[schema.CODER].dropna().unique()) if len(codes) else []
    try:
        report = agr.agreement_report(codes, code_columns=list(AGREEMENT_COLUMNS))
    except WorkbenchError as exc:
        found = ", ".join(coders) or "none"
        return None, f"Agreement needs two coders on the same segments (coders: {found}). {exc}"
    return report, f"Current codes of {len(coders)} coder(s): {', '.join(coders)}."


def gather_methods(project: Project, codebook: Codebook) -> Methods:
    """Model metrics and inter-coder agreement of the study, read once per report."""
    metrics, notes = model_metrics(project, codebook)
    agreement, note = store_agreement(project)
    return Methods(codebook, metrics, notes, agreement, note)


def inputs(project: Project, coded: pd.DataFrame, coded_path: Path | None) -> dict[str, Any]:
    """Hashes of every input: raw files, processed tables, the code store, the coded table."""
    root = project.root
    out: dict[str, Any] = {
        "raw": hash_tree(project.raw, root),
        "processed": hash_tree(project.processed, root),
        "codes": hash_tree(project.codes, root),
    }
    if coded_path is not None:
        out["coded"] = {"path": coded_path.relative_to(root).as_posix(), "sha256": None}
        out["coded"]["sha256"] = out["processed"].get(out["coded"]["path"])
    else:
        out["coded"] = {"path": None, "sha256": sha256_frame(coded), "note": "frame in memory"}
    return out


def methods_section(m: Methods, jm: JourneyMap, coded: pd.DataFrame, persona: str) -> h.Markup:
    """Codebook, coding counts, model metrics, agreement and the rules of the map."""
    cb = m.codebook
    stage_l = {c.code: c.label for c in cb.stages}
    labels = {
        code: label
        for section in ("stages", "touchpoints", "emotions", "pain_points")
        for code, label in cb.labels(section).items()
    }
    parts: list[Any] = [
        h.Markup("<h3>Codebook</h3>"),
        h.facts(
            [
                ("Name", f"{cb.name} (journey {cb.journey}, version {cb.version})"),
                ("Hash", jm.codebook_hash),
                ("Stages", " → ".join(stage_l[s] for s in cb.stage_codes)),
            ]
        ),
        h.Markup("<h3>Coding</h3>"),
    ]
    counts = coding_counts(coded, persona).rename(columns={schema.COUNT: "persona"})
    overall = coding_counts(coded).rename(columns={schema.COUNT: "all"})
    both = overall.merge(counts, how="left", on=[schema.CODE_SOURCE, schema.CODER]).fillna(0)
    parts.append(
        h.table(
            ["Code source", "Coder", "Segments (this persona)", "Segments (all personas)"],
            [
                [r[schema.CODE_SOURCE], r[schema.CODER], int(r["persona"]), int(r["all"])]
                for r in both.to_dict("records")
            ],
            numeric=(2, 3),
        )
    )
    parts.append(h.Markup("<h3>Models</h3>"))
    if m.model_metrics.empty:
        parts.append(
            h.paragraph(
                "No trained models in models/ (codes come from rules and human coding).", "note"
            )
        )
    else:
        parts.append(
            h.table(
                [
                    "Model",
                    "File",
                    "Codes",
                    "Accuracy",
                    "Macro-F1",
                    "κ",
                    "Rules accuracy",
                    "Rules macro-F1",
                ],
                [
                    [
                        h.readable(r["model"]),
                        r["file"],
                        r["n"],
                        *(
                            h.number(r[k])
                            for k in (
                                "accuracy",
                                "macro_f1",
                                "kappa",
                                "baseline_accuracy",
                                "baseline_macro_f1",
                            )
                        ),
                    ]
                    for r in m.model_metrics.to_dict("records")
                ],
                numeric=(2, 3, 4, 5, 6, 7),
            )
        )
        parts.append(h.paragraph("Cross-validated metrics saved with each model.", "note"))
    parts.extend(h.paragraph(n, "note") for n in m.model_notes)
    parts.append(h.Markup("<h3>Inter-coder agreement</h3>"))
    parts.append(h.paragraph(m.agreement_note, "note"))
    if m.agreement is not None:
        parts.append(
            h.table(
                [
                    "Code",
                    "Coder A",
                    "Coder B",
                    "Pair",
                    "Units",
                    "Agreement",
                    "Cohen's κ",
                    "Krippendorff's α",
                ],
                [
                    [
                        h.readable(r[agr.CODE], labels),
                        r[agr.CODER_A],
                        r[agr.CODER_B],
                        r[agr.PAIR_TYPE],
                        r[agr.N_UNITS],
                        h.number(r[agr.PERCENT_AGREEMENT], 0, percent=True),
                        h.number(r[agr.KAPPA]),
                        h.number(r[agr.ALPHA]),
                    ]
                    for r in m.agreement.to_dict("records")
                ],
                numeric=(4, 5, 6, 7),
            )
        )
        parts.append(
            h.paragraph("α ≥ 0.800 reliable; 0.667–0.800 tentative (Krippendorff).", "note")
        )
    parts += [
        h.Markup("<h3>Weak evidence</h3>"),
        h.paragraph(WEAK_RULE.format(n=jm.min_participants)),
        h.Markup("<h3>Sentiment intervals</h3>"),
        h.paragraph(BOOTSTRAP),
        h.Markup("<h3>Ranking</h3>"),
        h.paragraph(RANKING),
    ]
    if jm.warnings:
        parts.append(h.Markup("<h3>Warnings</h3>"))
        parts.extend(h.paragraph(w) for w in jm.warnings)
    return h.Markup("\n".join(str(p) for p in parts))
