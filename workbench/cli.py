"""The ``workbench`` command line: a thin front end over the package; no logic of its own.

Every command takes ``--project DIR`` (default: the current directory) and, on failure, exits
non-zero with a one-line reason.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.project import Project

project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The study folder (the one holding data/raw).",
)


def friendly(command):
    """Turn a WorkbenchError into a one-line message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except WorkbenchError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """Journey Workbench: evidence-backed customer journey maps from interviews and surveys."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--journey",
    default="default",
    show_default=True,
    help="Journey type whose codebook the study starts with.",
)
@friendly
def init(directory: Path, journey: str) -> None:
    """Scaffold a new study in DIRECTORY (folders, study.yml, participants.csv)."""
    from workbench.scaffold import scaffold

    project = scaffold(directory, journey=journey)
    click.echo(
        f"Created a study in {project.root}. Next: add files to {project.raw} "
        f"and run `workbench ingest --project {project.root}`."
    )


@main.command()
@project_option
@click.option("--skip-bad", is_flag=True, help="Write the good files even if some failed.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly
def ingest(project_dir: Path, skip_bad: bool, as_json: bool) -> None:
    """Read data/raw into data/processed/segments.parquet (and documents, questions, responses)."""
    from workbench.ingest.pipeline import IngestFailed
    from workbench.ingest.pipeline import ingest as run_ingest
    from workbench.ingest.summary import format_report

    try:
        result = run_ingest(Project(project_dir), skip_bad=skip_bad, progress=not as_json)
    except IngestFailed as failure:
        click.echo(
            json.dumps(failure.report, indent=2) if as_json else format_report(failure.report)
        )
        raise click.ClickException(str(failure)) from None
    click.echo(json.dumps(result.report, indent=2) if as_json else format_report(result.report))
    if not as_json:
        click.echo(f"\nWrote {', '.join(str(p) for p in result.written)}")


@main.command()
@click.argument("csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--text-column", required=True, help="Column holding the text to score.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the CSV with sentiment columns added.",
)
@click.option("--workers", type=int, default=None, help="Processes to use (default: all cores).")
@friendly
def sentiment(csv_file: Path, text_column: str, out_path: Path, workers: int | None) -> None:
    """Add VADER sentiment (neg, neu, pos, compound, label) to CSV_FILE; fully offline."""
    from workbench.schema import SENTIMENT_LABEL
    from workbench.tag.sentiment import score_csv

    scored = score_csv(csv_file, text_column=text_column, out_path=out_path, workers=workers)
    counts = scored[SENTIMENT_LABEL].value_counts().to_dict()
    click.echo(f"Scored {len(scored):,} rows -> {out_path} ({counts})")


@main.group()
def codes() -> None:
    """Human codes: import a colleague's spreadsheet, export, and status of the store."""


@codes.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@project_option
@click.option("--coder", help="The coder of every row (when the sheet has no coder column).")
@click.option(
    "--allow-unknown",
    is_flag=True,
    help="Import rows whose segment id is not in the current segments table.",
)
@friendly
def codes_import(
    files: tuple[Path, ...], project_dir: Path, coder: str | None, allow_unknown: bool
) -> None:
    """Import codes from CSV/XLSX FILES into data/codes/codes.sqlite."""
    from workbench.codebook import study_codebook
    from workbench.codes_io import import_codes
    from workbench.store import CodeStore
    from workbench.tag.pipeline import read_segments

    project = Project(project_dir)
    segments = read_segments(project)
    codebook = study_codebook(project.root)
    with CodeStore.for_project(project.root) as store:
        for path in files:
            report = import_codes(
                store,
                path,
                coder=coder,
                segments=segments,
                allow_unknown=allow_unknown,
                codebook=codebook,
            )
            blank = f", {report.blank} blank row(s) skipped" if report.blank else ""
            click.echo(
                f"{path}: {report.imported} decision(s) imported, {report.unchanged} "
                f"unchanged{blank}, coders {', '.join(report.coders) or '(none)'}"
            )


@codes.command("next")
@project_option
@click.option("--n", "n", type=int, default=50, show_default=True, help="How many segments.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The coding sheet to write: .xlsx (drop-down lists) or .csv.",
)
@click.option("--coder", help="Fill the coder column with this name.")
@friendly
def codes_next(project_dir: Path, n: int, out: Path, coder: str | None) -> None:
    """Write the next N segments to code (active-learning order) as a coding sheet."""
    from workbench.coding_sheet import write_coding_sheet

    click.echo(write_coding_sheet(Project(project_dir), out, n=n, coder=coder).summary())


@codes.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@project_option
@click.option("--coder", help="Only this coder's codes.")
@friendly
def codes_export(out: Path, project_dir: Path, coder: str | None) -> None:
    """Export the current codes (with segment text) to OUT (.csv or .xlsx), formula-safe."""
    from workbench.codes_io import export_codes
    from workbench.store import CodeStore
    from workbench.tag.pipeline import read_segments

    project = Project(project_dir)
    with CodeStore.for_project(project.root) as store:
        export_codes(store, out, segments=read_segments(project), coder=coder)
    click.echo(f"Wrote {out}")


@codes.command("status")
@project_option
@friendly
def codes_status(project_dir: Path) -> None:
    """Coders, coded segments, overlaps and orphaned codes in the store."""
    from workbench.schema import CODER, SEGMENT_ID
    from workbench.store import CodeStore
    from workbench.tag.pipeline import read_segments

    project = Project(project_dir)
    segments = read_segments(project)
    with CodeStore.for_project(project.root) as store:
        current = store.current_codes()
        coders = store.coders()
        for name in coders:
            click.echo(f"{name}: {int((current[CODER] == name).sum())} segment(s) coded")
        for i, a in enumerate(coders):
            for b in coders[i + 1 :]:
                click.echo(f"overlap {a} / {b}: {len(store.overlap(a, b))} segment(s)")
        orphans = store.orphans(segments[SEGMENT_ID])
        click.echo(f"orphaned codes (segment no longer in the study): {len(orphans)}")
        for row in orphans.head(20).itertuples():
            click.echo(f"  {getattr(row, SEGMENT_ID)} ({getattr(row, CODER)})")


@main.command()
@project_option
@click.option("--workers", type=int, default=None, help="Processes to use (default: all cores).")
@friendly
def tag(project_dir: Path, workers: int | None) -> None:
    """Code every segment (rules, models, VADER) -> data/processed/coded.parquet; humans last."""
    from workbench.tag.pipeline import tag as run_tag

    result = run_tag(Project(project_dir), progress=True, workers=workers)
    click.echo(format_tag_report(result.report))
    click.echo(f"Wrote {result.written[0]}")


def format_tag_report(report: dict) -> str:
    """One readable paragraph about a tag run."""
    sources = ", ".join(f"{k}: {v:,}" for k, v in report["by_code_source"].items())
    lines = [
        f"Coded {report['segments']:,} segments with codebook {report['codebook']!r} "
        f"({report['codebook_hash']}) in {report['seconds']} s",
        f"  stage source: {sources}; {report['needs_review']:,} flagged needs_review",
        f"  models in use: {', '.join(report['models_used']) or 'none (rules and VADER)'}",
    ]
    if report.get("by_sentiment_source"):
        used = ", ".join(f"{k}: {v:,}" for k, v in report["by_sentiment_source"].items())
        lines.append(f"  sentiment source: {used}")
    lines += [f"  warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)


@main.command()
@project_option
@click.option(
    "--min-per-class",
    type=int,
    default=10,
    show_default=True,
    help="Human codes per class before a model may take over from the rules.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--codes-only",
    is_flag=True,
    help="Learn from the human codes alone, not also from a sample of uncoded segments.",
)
@friendly
def train(project_dir: Path, min_per_class: int, seed: int, codes_only: bool) -> None:
    """Fit classifiers on the human codes -> models/ (skops) and models/metrics.json."""
    from workbench.tag.models import SEMI_MARGIN
    from workbench.tag.pipeline import train as run_train

    summary = run_train(
        Project(project_dir),
        min_per_class=min_per_class,
        seed=seed,
        use_uncoded=not codes_only,
        progress=True,
    )
    if summary.get("uncoded_texts"):
        click.echo(
            f"Each model is tried on the codes alone and also learning from "
            f"{summary['uncoded_texts']} uncoded segments; the latter is kept when its CV "
            f"macro-F1 is more than {SEMI_MARGIN} higher"
        )
    for kind, entry in summary["models"].items():
        metrics = entry.get("metrics", {})
        score = (
            "learned from uncoded segments too, "
            if (metrics.get("uncoded") or {}).get("used")
            else ""
        )
        click.echo(f"{kind:<11} n={entry['n']:<5} {score}{entry['reason']}")
    click.echo(f"Wrote models and metrics to {Project(project_dir).models}")


@main.command()
@click.argument("csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--text-column", required=True)
@click.option("--label-column", required=True)
@click.option(
    "--budget",
    type=int,
    default=300,
    show_default=True,
    help="How many segments would be coded by hand.",
)
@click.option(
    "--strategy", type=click.Choice(["random", "active"]), default="random", show_default=True
)
@click.option(
    "--baseline",
    type=click.Choice(["vader"]),
    default=None,
    help="Also score VADER alone (sentiment labels).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--test-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Held-out CSV (default: a held-out 20% of CSV_FILE).",
)
@click.option(
    "--group-column",
    default=None,
    help="Keep rows sharing this column's value (source document, respondent) on one side "
    "of the split.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@friendly
def evaluate(
    csv_file: Path,
    text_column: str,
    label_column: str,
    budget: int,
    strategy: str,
    baseline: str | None,
    seed: int,
    test_file: Path | None,
    group_column: str | None,
    as_json: bool,
) -> None:
    """How good would auto-coding be if BUDGET segments of CSV_FILE were coded by hand?"""
    from workbench.tag.evaluate import evaluate_csv

    result = evaluate_csv(
        csv_file,
        text_column=text_column,
        label_column=label_column,
        budget=budget,
        strategy=strategy,
        baseline=baseline,
        seed=seed,
        test_path=test_file,
        group_column=group_column,
    )
    if as_json:
        click.echo(json.dumps(result, default=float))
        return
    click.echo(
        f"{strategy} coding of {result['n_train']:,} segments, scored on "
        f"{result['n_test']:,} held-out: accuracy {result['accuracy']:.3f}, "
        f"macro-F1 {result['macro_f1']:.3f}, kappa {result['kappa']:.3f}"
    )
    for point in result.get("learning_curve", []):
        click.echo(f"  n={point['n_train']:>6,}  macro-F1 {point['macro_f1']:.3f}")
    final = result.get("final_model")
    if final and final.get("uncoded"):
        how = "also learning from" if final["learned_from_uncoded"] else "not helped by"
        cv = ", ".join(f"{k} {v:.3f}" for k, v in final["cv_macro_f1"].items())
        click.echo(
            f"Final model (as workbench train keeps it): {how} {final['uncoded']:,} uncoded "
            f"segments (CV macro-F1 {cv}); the curve's fast stand-in scored macro-F1 "
            f"{final['fast_estimate']['macro_f1']:.3f} with the same codes"
        )
    if result.get("baseline"):
        base = result["baseline"]
        click.echo(
            f"VADER alone: accuracy {base['accuracy']:.3f}, macro-F1 "
            f"{base['macro_f1']:.3f}, kappa {base['kappa']:.3f}"
        )


@main.command()
@click.argument("template", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@project_option
@click.option(
    "--per",
    default="persona",
    show_default=True,
    help="The template parameter that takes one value per run.",
)
@click.option("--value", "values", multiple=True, help="Values to run (default: every persona).")
@click.option(
    "-p",
    "--parameter",
    "params",
    multiple=True,
    type=(str, str),
    help="Another template parameter, NAME VALUE (YAML-parsed).",
)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option(
    "--timeout",
    type=float,
    default=600,
    show_default=True,
    help="Seconds a cell may run before its run is failed.",
)
@friendly
def batch(
    template: Path,
    project_dir: Path,
    per: str,
    values: tuple[str, ...],
    params: tuple[tuple[str, str], ...],
    workers: int,
    timeout: float,
) -> None:
    """Run a papermill TEMPLATE once per persona (or --per value), in parallel."""
    import yaml

    from workbench.batch import run_batch

    result = run_batch(
        template,
        project=Project(project_dir),
        per=per,
        values=list(values) or None,
        parameters={k: yaml.safe_load(v) for k, v in params},
        workers=workers,
        timeout=timeout,
    )
    for run in result.runs:
        where = run.notebook or "-"
        why = f" ({run.reason})" if run.reason else ""
        click.echo(f"{run.status:<6} {per}={run.value}  {run.duration_s:.1f} s  {where}{why}")
    click.echo(f"Manifest: {result.manifest_path}")
    if not result.ok:
        raise click.ClickException(f"{len(result.failed)} of {len(result.runs)} run(s) failed")


@main.command()
@project_option
@click.option("--run-id", default=None, help="Folder name under reports/ (default: a timestamp).")
@click.option("--persona", "personas", multiple=True, help="Only these personas.")
@click.option(
    "--formats",
    default="png,svg,pdf",
    show_default=True,
    help="Static chart formats to write beside the HTML.",
)
@friendly
def report(project_dir: Path, run_id: str | None, personas: tuple[str, ...], formats: str) -> None:
    """Write reports/<run>/: index.html, a report per persona, charts, manifest.json."""
    from workbench.report import build_report, report_summary

    path = build_report(
        Project(project_dir),
        run_id=run_id,
        personas=list(personas) or None,
        formats=tuple(f for f in formats.split(",") if f),
    )
    click.echo(report_summary(path))


@main.command(context_settings={"ignore_unknown_options": True})
@project_option
@click.option("--port", type=int, default=None, help="Port of the Jupyter server.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@click.argument("jupyter_args", nargs=-1, type=click.UNPROCESSED)
@friendly
def lab(
    project_dir: Path, port: int | None, no_browser: bool, jupyter_args: tuple[str, ...]
) -> None:
    """Start JupyterLab on the study, opening the coding notebook (extra args go to Jupyter)."""
    from workbench.lab import start_lab

    raise SystemExit(
        start_lab(
            Project(project_dir.resolve()), port=port, browser=not no_browser, extra=jupyter_args
        )
    )


@main.command()
@click.argument(
    "directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=None
)
@project_option
@friendly
def demo(directory: Path | None, project_dir: Path) -> None:
    """Run the whole path on the sample study, in DIRECTORY (copied there first; default
    ./journey-workbench-demo), or in place in a clone or a study folder (--project)."""
    from workbench.demo import demo_project, run_demo

    run_demo(demo_project(directory, Project(project_dir)), echo=click.echo)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
