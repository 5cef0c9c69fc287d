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
from workbench.project import Project, bundled_study

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


def _segments_of(project: Project):
    import pandas as pd

    from workbench.ingest.pipeline import SEGMENTS_FILE

    path = project.processed_file(SEGMENTS_FILE)
    if not path.exists():
        raise WorkbenchError(f"{path} is missing: run `workbench ingest` first")
    return pd.read_parquet(path)


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
    from workbench.codes_io import import_codes
    from workbench.store import CodeStore

    project = Project(project_dir)
    segments = _segments_of(project)
    with CodeStore.for_project(project.root) as store:
        for path in files:
            report = import_codes(
                store, path, coder=coder, segments=segments, allow_unknown=allow_unknown
            )
            click.echo(
                f"{path}: {report.imported} decision(s) imported, {report.unchanged} "
                f"unchanged, coders {', '.join(report.coders)}"
            )


@codes.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@project_option
@click.option("--coder", help="Only this coder's codes.")
@friendly
def codes_export(out: Path, project_dir: Path, coder: str | None) -> None:
    """Export the current codes (with segment text) to OUT (.csv or .xlsx), formula-safe."""
    from workbench.codes_io import export_codes
    from workbench.store import CodeStore

    project = Project(project_dir)
    with CodeStore.for_project(project.root) as store:
        export_codes(store, out, segments=_segments_of(project), coder=coder)
    click.echo(f"Wrote {out}")


@codes.command("status")
@project_option
@friendly
def codes_status(project_dir: Path) -> None:
    """Coders, coded segments, overlaps and orphaned codes in the store."""
    from workbench.schema import CODER, SEGMENT_ID
    from workbench.store import CodeStore

    project = Project(project_dir)
    segments = _segments_of(project)
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
@friendly
def demo(project_dir: Path) -> None:
    """Run the whole path on the bundled sample study (or on --project if it has data/raw)."""
    from workbench.ingest.pipeline import ingest as run_ingest
    from workbench.ingest.summary import format_report

    project = Project(project_dir)
    if not project.raw.is_dir():
        project = bundled_study()
    click.echo(f"Journey Workbench demo on {project.root}\n")
    result = run_ingest(project, skip_bad=True, progress=True)
    click.echo(format_report(result.report))
    click.echo(f"\nWrote {', '.join(str(p) for p in result.written)}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
