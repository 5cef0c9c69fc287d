"""``workbench ingest``: every raw file → the documents, segments, questions and responses tables.

Files are found under ``data/raw`` and read by the reader for their extension (the layout within
a format is detected, or set in ``study.yml``). Every problem is collected, so one run reports
all of them. By default nothing is written when any file failed; with ``skip_bad`` the good files
are written and the failed ones are listed in the report. Outputs are published atomically.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from workbench import __version__, schema
from workbench.atomic import AtomicBatch
from workbench.config import StudyConfig, load_config
from workbench.errors import ConfigError, InputError, UnsupportedFormatError, WorkbenchError
from workbench.ingest.base import SurveyResult, Transcript, decode
from workbench.ingest.build import TableBuilder
from workbench.ingest.speakers import Participants, SpeakerResolver, read_participants
from workbench.ingest.stage_metrics import METRICS_FILE, read_stage_metrics
from workbench.ingest.stage_metrics import empty as empty_stage_metrics
from workbench.project import PARTICIPANTS_FILE, STUDY_CONFIG, Project

TRANSCRIPT_EXTENSIONS = (".txt", ".md", ".vtt", ".srt", ".docx")
SURVEY_EXTENSIONS = (".csv", ".tsv", ".xlsx")
SEGMENTS_FILE = "segments.parquet"
DOCUMENTS_FILE = "documents.parquet"
QUESTIONS_FILE = "questions.parquet"
RESPONSES_FILE = "responses.parquet"
STAGE_METRICS_FILE = "stage_metrics.parquet"
REPORT_FILE = "ingest_report.json"

#: Above this many files, reading runs in a process pool.
PARALLEL_FILES = 64
#: A survey file of at least this many bytes shows its own progress bar while it is parsed.
PROGRESS_BYTES = 50 * 2**20


class IngestFailed(WorkbenchError):
    """At least one file failed and ``--skip-bad`` was not given; nothing was written."""

    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report
        failed = [f for f in report["files"] if f["status"] == "failed"]
        super().__init__(
            f"{len(failed)} of {len(report['files'])} file(s) failed; nothing was written "
            "(fix them, or run again with --skip-bad to write the rest)"
        )


@dataclass
class FileOutcome:
    """What reading one file gave: a transcript, a survey, or an error."""

    rel: str
    kind: str
    sha256: str = ""
    encoding: str = ""
    parsed: Transcript | SurveyResult | None = None
    error: InputError | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    """The tables of one ingest run, its report and the files written."""

    segments: pd.DataFrame
    documents: pd.DataFrame
    questions: pd.DataFrame
    responses: pd.DataFrame
    report: dict[str, Any]
    written: list[Path] = field(default_factory=list)


def discover(project: Project, config: StudyConfig) -> Iterator[tuple[str, Path]]:
    """Yield ``(path relative to data/raw, absolute path)`` of every candidate file, sorted."""
    for path in sorted(project.raw.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(project.raw).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        if rel in (PARTICIPANTS_FILE, STUDY_CONFIG, METRICS_FILE) or config.ignored(rel):
            continue
        yield rel, path


def _survey_options(config: StudyConfig, layout: str | None):
    from workbench.ingest.survey import SurveyOptions

    options = {key: value for key, value in config.survey.items() if value not in (None, [], {})}
    return SurveyOptions(layout=layout, **options)


def read_file(rel: str, path: Path, config: StudyConfig, progress: bool = False) -> FileOutcome:
    """Read one raw file with the reader for its extension; never raises an InputError.

    With ``progress``, a survey file of at least :data:`PROGRESS_BYTES` shows a progress bar
    while it is parsed.
    """
    suffix = path.suffix.lower()
    settings = config.for_file(rel)
    kind = (
        schema.SOURCE_INTERVIEW
        if suffix in TRANSCRIPT_EXTENSIONS
        else schema.SOURCE_SURVEY
        if suffix in SURVEY_EXTENSIONS
        else "unsupported"
    )
    outcome = FileOutcome(rel=rel, kind=kind)
    try:
        if kind == "unsupported":
            raise UnsupportedFormatError(
                rel,
                f"unsupported file type {suffix or '(no extension)'}; skipped",
                expected=f"one of {', '.join(TRANSCRIPT_EXTENSIONS + SURVEY_EXTENSIONS)}",
            )
        raw = path.read_bytes()
        outcome.sha256 = hashlib.sha256(raw).hexdigest()
        if suffix in (".docx", ".xlsx"):
            if not raw:
                decode(raw, rel)  # raises the empty-file error
            outcome.encoding = "zip"
            if suffix == ".docx":
                from workbench.ingest.word import read_docx

                outcome.parsed = read_docx(raw, rel)
            else:
                from workbench.ingest.survey import read_survey_xlsx

                outcome.parsed = read_survey_xlsx(
                    raw, rel, _survey_options(config, settings.layout)
                )
        else:
            decoded = decode(raw, rel, encoding=settings.encoding)
            show = progress and len(raw) >= PROGRESS_BYTES
            del raw  # the text is parsed with one copy of the file in memory, not two
            outcome.encoding = decoded.encoding
            outcome.warnings.extend(decoded.warnings)
            outcome.parsed = _read_text(rel, suffix, decoded.text, settings.layout, config, show)
        outcome.warnings.extend(outcome.parsed.warnings)
    except InputError as error:
        outcome.error = error
    except ConfigError as error:  # e.g. an unknown layout set for this file in study.yml
        outcome.error = InputError(rel, str(error), expected="a layout this reader knows")
    return outcome


def _read_text(
    rel: str, suffix: str, text: str, layout: str | None, config: StudyConfig, progress: bool
):
    if suffix in (".txt", ".md"):
        from workbench.ingest.text import read_text_transcript

        return read_text_transcript(text, rel, layout=layout)
    if suffix == ".vtt":
        from workbench.ingest.subtitles import read_vtt

        return read_vtt(text, rel)
    if suffix == ".srt":
        from workbench.ingest.subtitles import read_srt

        return read_srt(text, rel)
    from workbench.ingest.survey import read_survey_text

    return read_survey_text(text, rel, _survey_options(config, layout), progress=progress)


def _read_all(
    files: list[tuple[str, Path]], config: StudyConfig, executor: Executor | None, progress: bool
) -> list[FileOutcome]:
    bar = tqdm(total=len(files), desc="reading", unit="file", disable=not progress)
    own_pool = executor is None and len(files) >= PARALLEL_FILES and (os.cpu_count() or 1) > 1
    pool = ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) if own_pool else executor
    try:
        if pool is None:
            outcomes = []
            for rel, path in files:
                outcomes.append(read_file(rel, path, config, progress))
                bar.update()
            return outcomes
        futures = [pool.submit(read_file, rel, path, config) for rel, path in files]
        outcomes = []
        for future in futures:
            outcomes.append(future.result())
            bar.update()
        return outcomes
    finally:
        bar.close()
        if own_pool:
            pool.shutdown()


def ingest(
    project: Project,
    *,
    skip_bad: bool = False,
    write: bool = True,
    progress: bool = False,
    executor: Executor | None = None,
) -> IngestResult:
    """Read every raw file of a study and build its tables.

    Parameters
    ----------
    project : Project
        The study.
    skip_bad : bool
        Write the good files even when some failed (the report lists the failed ones).
    write : bool
        Publish the tables and report under ``data/processed`` (atomically).
    progress : bool
        Show a progress bar.
    executor : concurrent.futures.Executor, optional
        Where to read files; by default a process pool for large studies.

    Raises
    ------
    IngestFailed
        When a file failed and ``skip_bad`` is false; nothing is written.
    """
    started = time.time()
    project.require_raw()
    config = load_config(project.config_path)
    participants_error = None
    try:
        participants = read_participants(project.participants_path, PARTICIPANTS_FILE)
    except InputError as error:
        participants, participants_error = Participants(), error
    metrics_error = None
    try:
        stage_metrics = read_stage_metrics(project.raw / METRICS_FILE, METRICS_FILE)
    except InputError as error:
        stage_metrics, metrics_error = empty_stage_metrics(), error
    resolver = SpeakerResolver(participants, config)
    outcomes = _read_all(list(discover(project, config)), config, executor, progress)
    builder = TableBuilder(config, resolver)
    builder.fit_splitter(o.parsed for o in outcomes if isinstance(o.parsed, Transcript))
    entries = []
    if participants_error is not None:
        entries.append(
            _entry(FileOutcome(PARTICIPANTS_FILE, "participants", error=participants_error))
        )
    if metrics_error is not None:
        entries.append(_entry(FileOutcome(METRICS_FILE, "metrics", error=metrics_error)))
    for outcome in outcomes:
        entry = _entry(outcome)
        if isinstance(outcome.parsed, Transcript):
            entry.update(builder.add_transcript(outcome.rel, outcome.parsed, outcome))
        elif isinstance(outcome.parsed, SurveyResult):
            entry.update(builder.add_survey(outcome.rel, outcome.parsed, outcome))
        entry["warnings"] = list(outcome.warnings) + entry.get("warnings", [])
        entries.append(entry)
    tables = builder.tables()
    report = _report(project, config, entries, tables, started, skip_bad)
    result = IngestResult(*tables, report=report)
    failed = any(entry["status"] == "failed" for entry in entries)
    if failed and not skip_bad:
        raise IngestFailed(report)
    if write:
        with AtomicBatch() as batch:
            names = (
                SEGMENTS_FILE, DOCUMENTS_FILE, QUESTIONS_FILE, RESPONSES_FILE, STAGE_METRICS_FILE
            )  # fmt: skip
            for name, frame in zip(names, (*tables, stage_metrics), strict=True):
                batch.write_parquet(project.processed_file(name), frame)
            batch.write_json(project.processed_file(REPORT_FILE), report)
        result.written = [project.processed_file(n) for n in (*names, REPORT_FILE)]
    return result


def _entry(outcome: FileOutcome) -> dict[str, Any]:
    if outcome.error is None:
        status = "ok"
    elif isinstance(outcome.error, UnsupportedFormatError):
        status = "skipped"
    else:
        status = "failed"
    entry: dict[str, Any] = {
        "path": outcome.rel,
        "type": outcome.kind,
        "status": status,
        "format": getattr(outcome.parsed, "format", None),
        "encoding": outcome.encoding or None,
        "sha256": outcome.sha256 or None,
        "segments": 0,
        "warnings": [],
    }
    if outcome.error is not None:
        entry["error"] = outcome.error.as_dict()
    return entry


def people_counts(codable: pd.DataFrame, responses: pd.DataFrame | None = None) -> dict[str, int]:
    """Interviewees and survey respondents, counted apart (never one "participants" figure).

    Respondents are those with an open answer (a segment) or a closed one (``responses``).

    Examples
    --------
    >>> frame = pd.DataFrame({"participant_id": ["P1", "P1", "R1", "R2"],
    ...                       "source_type": ["interview", "interview", "survey", "survey"]})
    >>> people_counts(frame, pd.DataFrame({"respondent_id": ["R2", "R3"]}))
    {'interviewees': 1, 'survey_respondents': 3}
    """
    kind = codable[schema.SOURCE_TYPE]
    people = codable[schema.PARTICIPANT_ID]
    respondents = set(people[kind == schema.SOURCE_SURVEY].dropna())
    if responses is not None and len(responses):
        respondents |= set(responses[schema.RESPONDENT_ID].dropna())
    return {
        "interviewees": int(people[kind == schema.SOURCE_INTERVIEW].dropna().nunique()),
        "survey_respondents": len(respondents),
    }


def _report(project, config, entries, tables, started, skip_bad) -> dict[str, Any]:
    segments = tables[0]
    codable = segments[segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]

    def counts(frame: pd.DataFrame, column: str) -> dict[str, int]:
        return {str(k): int(v) for k, v in frame[column].fillna("(none)").value_counts().items()}

    return {
        "study": config.name,
        "project": str(project.root),
        "workbench_version": __version__,
        "unit": config.unit,
        "skip_bad": skip_bad,
        "seconds": round(time.time() - started, 3),
        "totals": {
            "files": len(entries),
            "failed": sum(e["status"] == "failed" for e in entries),
            "skipped": sum(e["status"] == "skipped" for e in entries),
            "segments": len(segments),
            "codable_segments": len(codable),
            "by_source_type": counts(codable, schema.SOURCE_TYPE),
            "by_persona": counts(codable, schema.PERSONA),
            "by_speaker_role": counts(segments, schema.SPEAKER_ROLE),
            **people_counts(codable, tables[3]),
            "questions": len(tables[2]),
            "responses": len(tables[3]),
        },
        "files": entries,
    }
