"""Participants resolve unambiguously: anonymised labels, per-file overrides, shared names."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from workbench import schema
from workbench.cli import main
from workbench.ingest.pipeline import ingest
from workbench.project import Project

TRANSCRIPT = (
    "Interviewer: How did the switch go for you?\n"
    "Interviewee: The engineer came on {day} and the line worked the same evening.\n"
    "Interviewer: And the router?\n"
    "Interviewee: The app froze twice on {day}, so I used webchat.\n"
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def study(tmp_path: Path, files: dict[str, str], pids: list[str], config: str = "") -> Project:
    """Anonymised transcripts (``files``: path -> a day named in it), every interviewee
    labelled 'Interviewee', and a participants.csv listing that label for each of ``pids``."""
    raw = tmp_path / "data" / "raw"
    for rel, day in files.items():
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_text(TRANSCRIPT.format(day=day), encoding="utf-8")
    rows = [f"{pid},p{i % 2},,Interviewee;Interviewee1" for i, pid in enumerate(pids)]
    (raw / "participants.csv").write_text(
        "participant_id,persona,name,transcript_names\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "study.yml").write_text(config, encoding="utf-8")
    return Project(tmp_path)


def test_anonymised_interviewees_never_merge(tmp_path: Path):
    """Files named after days; the ids only in study.yml's per-file overrides."""
    ids = {f"interviews/{day.lower()}.txt": f"R{i:02d}" for i, day in enumerate(DAYS, 1)}
    overrides = "".join(f"  {rel}: {{participant: {pid}}}\n" for rel, pid in ids.items())
    files = {rel: day for rel, day in zip(ids, DAYS, strict=True)}
    project = study(tmp_path, files, list(ids.values()), "files:\n" + overrides)
    result = ingest(project, write=False)
    codable = result.segments[result.segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    by_file = codable.groupby(schema.SOURCE_PATH)[schema.PARTICIPANT_ID].unique()
    assert {rel: list(pids) for rel, pids in by_file.items()} == {
        rel: [pid] for rel, pid in ids.items()
    }  # each file is its own participant: the override wins over the shared label
    warnings = [w for f in result.report["files"] for w in f["warnings"]]
    assert sum("'Interviewee' is listed for several participants" in w for w in warnings) == 5
    assert result.report["totals"]["interviewees"] == 5


def test_shared_label_resolves_from_the_file_name(tmp_path: Path):
    files = {"interviews/P01_a.txt": "Monday", "interviews/P02_b.txt": "Friday"}
    project = study(tmp_path, files, ["P01", "P02"])
    result = ingest(project, write=False)
    codable = result.segments[result.segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT]
    pairs = set(zip(codable[schema.SOURCE_PATH], codable[schema.PARTICIPANT_ID], strict=True))
    assert pairs == {("interviews/P01_a.txt", "P01"), ("interviews/P02_b.txt", "P02")}


def test_same_id_from_another_folder_warns(tmp_path: Path):
    files = {"interviews/study-a/P3.txt": "Monday", "interviews/study-b/P3.txt": "Friday"}
    project = study(tmp_path, files, ["P3"])
    result = ingest(project, write=False)
    warnings = [w for f in result.report["files"] for w in f["warnings"]]
    assert any(
        "participant P3 also comes from interviews/study-a/P3.txt in another folder" in w
        for w in warnings
    )


def test_cli_summary_counts_interviewees_and_respondents_apart(repo_root: Path, tmp_path: Path):
    import shutil

    shutil.copytree(repo_root / "data" / "raw", tmp_path / "data" / "raw")
    shutil.copy(repo_root / "study.yml", tmp_path / "study.yml")
    out = CliRunner().invoke(main, ["ingest", "--project", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "People: 15 interviewees, 342 survey respondents" in out.output  # closed answers too
