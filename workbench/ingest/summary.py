"""A readable, plain-text summary of an ingest report (what ``workbench ingest`` prints)."""

from __future__ import annotations

from typing import Any

_STATUS = {"ok": "ok", "failed": "FAILED", "skipped": "skipped"}


def _table(title: str, counts: dict[str, int]) -> list[str]:
    if not counts:
        return []
    width = max(len(name) for name in counts)
    lines = [title]
    lines += [f"  {name:<{width}}  {count:>7,}" for name, count in counts.items()]
    return lines


def format_report(report: dict[str, Any]) -> str:
    """Render the ingest report for a terminal.

    Examples
    --------
    >>> report = {"study": "s", "unit": "turn", "seconds": 0.1, "files": [],
    ...           "totals": {"files": 0, "failed": 0, "skipped": 0, "segments": 0,
    ...                      "codable_segments": 0, "by_source_type": {}, "by_persona": {},
    ...                      "by_speaker_role": {}, "questions": 0, "responses": 0}}
    >>> print(format_report(report).splitlines()[0])
    Ingest of study 's': 0 files, 0 codable segments (unit: turn) in 0.1 s
    """
    totals = report["totals"]
    lines = [
        f"Ingest of study {report['study']!r}: {totals['files']} files, "
        f"{totals['codable_segments']:,} codable segments (unit: {report['unit']}) "
        f"in {report['seconds']} s"
    ]
    files = report["files"]
    if files:
        width = max(len(entry["path"]) for entry in files)
        lines.append("")
        lines.append(f"  {'file':<{width}}  {'status':<7}  {'format':<16}  {'segments':>8}  who")
        for entry in files:
            who = entry.get("participant_id") or ""
            if entry.get("persona"):
                who += f" ({entry['persona']})"
            if entry.get("respondents"):
                who = f"{entry['respondents']} respondents"
            lines.append(
                f"  {entry['path']:<{width}}  {_STATUS[entry['status']]:<7}  "
                f"{(entry.get('format') or '-'):<16}  {entry.get('segments', 0):>8,}  {who}"
            )
    lines.append("")
    if "interviewees" in totals:
        lines.append(
            f"People: {totals['interviewees']:,} interviewees, "
            f"{totals['survey_respondents']:,} survey respondents"
        )
    lines += _table("Segments per source type:", totals["by_source_type"])
    lines += _table("Segments per persona:", totals["by_persona"])
    lines += _table(
        "Rows per speaker role (interviewer and other rows are context):", totals["by_speaker_role"]
    )
    lines.append(
        f"Survey questions: {totals['questions']}; closed answers: {totals['responses']:,}"
    )
    problems = [(entry["path"], entry["error"]["message"]) for entry in files if entry.get("error")]
    warnings = [warning for entry in files for warning in entry.get("warnings", [])]
    if warnings:
        lines.append("")
        lines.append(f"Warnings ({len(warnings)}):")
        lines += [f"  - {warning}" for warning in warnings]
    if problems:
        lines.append("")
        lines.append(f"Problems ({len(problems)}):")
        lines += [f"  - {message}" for _, message in problems]
    return "\n".join(lines)
