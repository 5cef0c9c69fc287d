"""``workbench report``: self-contained HTML reports, chart files and a provenance manifest.

:func:`build_report` writes one run folder::

    reports/<run>/index.html                  all personas: summary table, comparison chart
    reports/<run>/charts/persona_comparison.{png,svg,pdf}
    reports/<run>/<persona-slug>/report.html  map, charts, opportunities, evidence, methods
    reports/<run>/<persona-slug>/charts/<chart>.{png,svg,pdf}
    reports/<run>/manifest.json               input hashes, parameters, versions, outputs

The pages are **self-contained and inert**: inline CSS, charts inlined as SVG rendered by
vl-convert (no JavaScript, no CDN, no web fonts), a Content-Security-Policy that forbids scripts
and network fetches, and every transcript string HTML-escaped. The evidence appendix lists every
quote behind every cell of the map (the journey is built with all quotes per cell, not a top k).
The run is written to a hidden staging folder and moved into place when complete, so an
interrupted run leaves no half-written report.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import vl_convert as vlc
from tqdm.auto import tqdm

from workbench import __version__, schema
from workbench import charts as ch
from workbench import report_html as h
from workbench import report_methods as rm
from workbench import report_pages as pages
from workbench.atomic import AtomicBatch
from workbench.batch import slug
from workbench.chart_export import save_chart, vl_version
from workbench.charts_map import journey_map
from workbench.codebook import Codebook, study_codebook
from workbench.errors import ConfigError
from workbench.journey import N_BOOT, JourneyMap, build_journey_map
from workbench.opportunities import OpportunityNotes
from workbench.project import Project
from workbench.report_html import ReportError

__all__ = ["ReportError", "build_report", "report_summary"]

MANIFEST_FILE = "manifest.json"
INDEX_FILE = "index.html"
REPORT_FILE = "report.html"
CHARTS_DIR = "charts"
FORMATS = ("png", "svg", "pdf")
EXPORT_FORMATS = ("png", "svg", "pdf", "html")
PNG_SCALE = 2
ALL_QUOTES = 1_000_000_000  # k for build_journey_map: every quote of every cell


def _project(project: Project | str | os.PathLike[str]) -> Project:
    return project if isinstance(project, Project) else Project(Path(project))


def read_optional(path: Path) -> pd.DataFrame | None:
    """A derived table if it exists (survey tables are absent in interview-only studies)."""
    return pd.read_parquet(path) if path.is_file() else None


def load_coded(project: Project) -> tuple[pd.DataFrame, Path]:
    """The study's coded table, or a :class:`ConfigError` saying how to make it."""
    path = project.processed_file("coded.parquet")
    if not path.is_file():
        raise ConfigError(
            f"{path}: no coded table (expected the output of `workbench tag`); run "
            f"`workbench tag --project {project.root}` first"
        )
    return pd.read_parquet(path), path


def _run_folder(project: Project, run_id: str | None) -> tuple[str, Path, Path]:
    run = slug(run_id) if run_id else datetime.now().strftime("%Y%m%d-%H%M%S")
    final = project.reports / run
    n = 1
    while run_id is None and final.exists():
        n += 1
        final = project.reports / f"{run}-{n}"
    if final.exists():
        raise ReportError(f"{final}: this report run already exists (pass another run id)")
    staging = project.reports / f".{final.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return final.name, final, staging


def _chart(
    chart: Any, folder: Path, name: str, formats: Sequence[str], prefix: str
) -> tuple[h.Markup, dict[str, str]]:
    """Save ``chart`` as files under ``folder/charts`` and return its inline SVG and links.

    The chart is laid out once (SVG, via :func:`~workbench.chart_export.save_chart`); PNG and
    PDF are converted from that SVG (what vl-convert does internally too, byte-identical PNG),
    which saves two Vega layouts per chart.
    """
    stem = folder / CHARTS_DIR / name
    svg_path = save_chart(chart, stem, formats=["svg"])["svg"]
    if "html" in formats:
        save_chart(chart, stem, formats=["html"])
    svg = svg_path.read_text(encoding="utf-8")
    converters = {
        "png": lambda: vlc.svg_to_png(svg, scale=PNG_SCALE),
        "pdf": lambda: vlc.svg_to_pdf(svg),
    }
    with AtomicBatch() as batch:
        for fmt, convert in converters.items():
            if fmt in formats:
                data = convert()
                batch.stage(stem.with_name(f"{name}.{fmt}"), lambda t, d=data: t.write_bytes(d))
    if "svg" not in formats:
        svg_path.unlink()
    files = {fmt: f"{CHARTS_DIR}/{name}.{fmt}" for fmt in formats}
    return h.inline_svg(svg, prefix), files


def _persona_charts(
    jm: JourneyMap, codebook: Codebook, persona: str, folder: Path, formats: Sequence[str]
) -> dict[str, h.Markup]:
    """Every chart of one persona as a captioned figure (missing tables: no figure)."""

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty or schema.PERSONA not in frame.columns:
            return frame.iloc[:0]
        return frame[frame[schema.PERSONA] == persona]

    made: dict[str, tuple[Any, str]] = {
        "journey_map": (
            journey_map(
                jm.stages,
                touchpoints=jm.touchpoints,
                emotions=jm.emotions,
                opportunities=jm.opportunities,
                evidence=jm.evidence,
                codebook=codebook,
                persona=persona,
            ),
            "Journey map: stages as columns; faded columns rest on weak evidence.",
        ),
        "emotion_curve": (
            ch.emotion_curve(jm.stages, jm.evidence, codebook=codebook, persona=persona),
            "Mean sentiment per stage with its 95% cluster-bootstrap interval.",
        ),
        "touchpoint_heatmap": (
            ch.stage_touchpoint_heatmap(jm.touchpoints, codebook=codebook, persona=persona),
            "Segments (size) and mean sentiment (colour) per stage × touchpoint.",
        ),
    }
    opportunities = mine(jm.opportunities)
    if not opportunities.empty:
        made["pain_priority"] = (
            ch.pain_point_priority(opportunities, codebook=codebook),
            "Pain points ranked by frequency × severity × reach.",
        )
    survey = mine(jm.survey)
    if not survey.empty:
        made["survey_metrics"] = (
            ch.survey_metrics(survey, codebook=codebook),
            "Survey measures with 95% intervals, overall and per stage the answers were coded to.",
        )
    choices = mine(jm.survey_choices)
    if not choices.empty:
        made["choice_shares"] = (
            ch.choice_shares(choices),
            "Share of the persona's respondents giving each answer, with 95% intervals.",
        )
    out = {}
    for name, (chart, caption) in made.items():
        svg, files = _chart(chart, folder, name, formats, prefix=name)
        out[name] = h.figure(svg, caption, files, css="map" if name == "journey_map" else "")
    return out


def build_report(
    project: Project | str | os.PathLike[str],
    *,
    coded: pd.DataFrame | None = None,
    run_id: str | None = None,
    personas: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    progress: bool = True,
    min_participants: int = 3,
    seed: int = 0,
) -> Path:
    """Write the HTML reports, chart files and manifest of one run; return the run folder.

    Parameters
    ----------
    project : Project or path
        The study.
    coded : DataFrame, optional
        The coded table; default ``data/processed/coded.parquet`` of the study.
    run_id : str, optional
        Name of the run folder under ``reports/`` (default: the local time, ``YYYYmmdd-HHMMSS``).
        An existing run is never overwritten.
    personas : sequence of str, optional
        Personas to report on (default: every persona of the coded table).
    formats : sequence of {"png", "svg", "pdf", "html"}
        Chart files written beside each report (the pages inline the SVG either way).
    progress : bool
        Show a progress bar over the personas.
    min_participants, seed
        Weak-evidence threshold and bootstrap seed of the journey map.

    Returns
    -------
    Path
        ``reports/<run>``; open ``index.html`` in it.
    """
    project = _project(project)
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise ReportError(f"chart formats {unknown} unknown (expected some of {EXPORT_FORMATS})")
    if run_id is not None and (project.reports / slug(run_id)).exists():
        raise ReportError(
            f"{project.reports / slug(run_id)}: this report run already exists "
            "(pass another run id)"
        )
    coded_path = None
    if coded is None:
        coded, coded_path = load_coded(project)
    codebook = study_codebook(project.root)
    questions = read_optional(project.processed_file("questions.parquet"))
    responses = read_optional(project.processed_file("responses.parquet"))
    stage_metrics = read_optional(project.processed_file("stage_metrics.parquet"))
    notes = OpportunityNotes(project).notes()
    jm = build_journey_map(
        coded,
        codebook,
        questions=questions,
        responses=responses,
        stage_metrics=stage_metrics,
        min_participants=min_participants,
        seed=seed,
        k=ALL_QUOTES,
        notes=notes,
    )
    found = sorted(str(p) for p in pd.unique(jm.stages[schema.PERSONA]))
    chosen = list(dict.fromkeys(personas)) if personas is not None else found
    unknown = [p for p in chosen if p not in found]
    if unknown or not chosen:
        raise ReportError(
            f"coded table: persona(s) {unknown or chosen} have no codable segments "
            f"(expected some of {found})"
        )
    slugs = _slugs(chosen)
    methods = rm.gather_methods(project, codebook)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    run, final, staging = _run_folder(project, run_id)
    try:
        summaries = []
        context = pages.PageContext(jm, codebook, coded, methods, run, created)
        for persona in tqdm(chosen, desc="report", unit="persona", disable=not progress):
            folder = staging / slugs[persona]
            figures = _persona_charts(jm, codebook, persona, folder, formats)
            html_text = pages.persona_page(context, persona, figures)
            summaries.append(pages.persona_summary(jm, persona, slugs[persona], REPORT_FILE, coded))
            with AtomicBatch() as batch:
                batch.write_text(folder / REPORT_FILE, html_text)
        comparison = ch.persona_comparison(
            jm.stages[jm.stages[schema.PERSONA].isin(chosen)], jm.evidence, codebook=codebook
        )
        svg, files = _chart(comparison, staging, "persona_comparison", formats, "comparison")
        figure = h.figure(svg, "Emotion curve of every persona on shared axes.", files)
        index = pages.index_page(context, summaries, figure)
        manifest = {
            "run": run,
            "created": created,
            "workbench_version": __version__,
            "parameters": {
                "personas": chosen,
                "formats": list(formats),
                "min_participants": min_participants,
                "seed": seed,
                "bootstrap_replicates": N_BOOT,
                "quotes_per_cell": "all",
            },
            "codebook": {
                "name": codebook.name,
                "version": codebook.version,
                "hash": jm.codebook_hash,
            },
            "inputs": rm.inputs(project, coded, coded_path),
            "packages": rm.package_versions(),
            "vega_lite": vl_version(),
            "warnings": list(jm.warnings),
            "personas": summaries,
        }
        with AtomicBatch() as batch:
            batch.write_text(staging / INDEX_FILE, index)
        manifest["outputs"] = rm.hash_tree(staging, staging)
        with AtomicBatch() as batch:
            batch.write_json(staging / MANIFEST_FILE, manifest)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _slugs(personas: Sequence[str]) -> dict[str, str]:
    """File-name-safe, unique folder names of the personas."""
    out: dict[str, str] = {}
    for persona in personas:
        base = slug(persona)
        name, n = base, 1
        while name in out.values() or name in (CHARTS_DIR,):
            n += 1
            name = f"{base}-{n}"
        out[persona] = name
    return out


def report_summary(path: str | os.PathLike[str]) -> str:
    """A few lines about a report run (its folder, ``index.html`` or ``manifest.json``).

    Raises
    ------
    ConfigError
        When no manifest is found there.
    """
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    manifest_path = folder / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{manifest_path}: cannot read the report manifest ({exc}); expected the folder of "
            "a run written by `workbench report`"
        ) from exc
    lines = [f"Report {manifest.get('run')} ({manifest.get('created')}) in {folder}"]
    for p in manifest.get("personas", []):
        measure, nps = p.get("headline"), p.get("nps")
        if measure:
            nps_text = f", {measure['label']} {measure['text']}"
        else:  # manifests written before headline measures
            nps_text = f", NPS {nps:+.0f}" if isinstance(nps, int | float) else ""
        lines.append(
            f"  {p['persona']}: {p['n_segments']} segments, {_people(p)}"
            f"{nps_text}, {p['weak_stages']} weak stage(s) -> {folder / p['report']}"
        )
    n_charts = sum(1 for name in manifest.get("outputs", {}) if f"{CHARTS_DIR}/" in name)
    lines.append(f"  {n_charts} chart files; open {folder / INDEX_FILE}")
    for warning in manifest.get("warnings", []):
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)


def _people(summary: dict) -> str:
    """``5 interviewees, 120 survey respondents`` (older manifests: participants)."""
    if summary.get("n_interviewees") is None:
        return f"{summary['n_participants']} participants"
    return (
        f"{summary['n_interviewees']} interviewees, {summary['n_respondents']} survey respondents"
    )
