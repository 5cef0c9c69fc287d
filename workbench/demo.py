"""``workbench demo``: the whole path on a study, step by step, each step printed.

ingest → import the study's shipped human codes (``data/codes/imports/*.csv|xlsx``, through the
same function as ``workbench codes import``) → train → tag → report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbench import bundled
from workbench.codes_io import import_codes
from workbench.errors import WorkbenchError
from workbench.ingest.pipeline import ingest
from workbench.ingest.summary import format_report
from workbench.project import Project
from workbench.store import CodeStore

IMPORTS = Path("data") / "codes" / "imports"


DEFAULT_FOLDER = Path("journey-workbench-demo")


def demo_project(directory: Path | None, here: Project) -> Project:
    """Where the demo runs: ``directory`` (the sample study copied into it), else ``here`` when
    it is a study or the clone itself (``make demo``), else ``./journey-workbench-demo``.

    An installed package never runs the demo inside itself: its sample study is copied out.
    """
    if directory is None and here.raw.is_dir():
        return here
    target = Path(directory or DEFAULT_FOLDER)
    bundled.copy_sample(target)
    return Project(target)


def shipped_code_files(project: Project) -> list[Path]:
    """Spreadsheets of human codes that come with the study, sorted."""
    folder = project.root / IMPORTS
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".csv", ".xlsx"))


def run_demo(project: Project, echo: Callable[[str], None] = print) -> Path:
    """Run every step on ``project``; return the report folder."""
    from workbench.report import build_report, report_summary
    from workbench.tag.pipeline import tag, train

    echo(f"Journey Workbench demo on {project.root}\n")
    echo("1/5 ingest")
    result = ingest(project, skip_bad=True, progress=True)
    echo(format_report(result.report))
    files = shipped_code_files(project)
    echo(f"\n2/5 human codes: importing {len(files)} spreadsheet(s) from {IMPORTS}")
    with CodeStore.for_project(project.root) as store:
        for path in files:
            imported = import_codes(store, path, segments=result.segments)
            echo(
                f"  {path.name}: {imported.imported} new decision(s), {imported.unchanged} "
                f"unchanged ({', '.join(imported.coders)})"
            )
        coded_segments = len(store.current_codes())
    echo("\n3/5 train models on the human codes")
    if coded_segments:
        try:
            summary = train(project)
        except WorkbenchError as error:
            echo(f"  skipped: {error}")
        else:
            for kind, entry in summary["models"].items():
                echo(f"  {kind:<11} {entry['reason']}")
    else:
        echo("  skipped: no human codes yet (rules and VADER code everything)")
    echo("\n4/5 tag every segment")
    tagged = tag(project, progress=True)
    sources = ", ".join(f"{k} {v:,}" for k, v in tagged.report["by_code_source"].items())
    echo(f"  {tagged.report['segments']:,} segments coded ({sources})")
    echo("\n5/5 reports")
    folder = build_report(project, coded=tagged.coded)
    echo(report_summary(folder))
    return folder
