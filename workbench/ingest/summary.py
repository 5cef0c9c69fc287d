"""A readable, plain-text summary of an ingest report (what ``workbench ingest`` prints)."""

from __future__ import annotations

from typing import Any

from workbench import schema

ROLES = {schema.ROLE_RESPONDENT_ID: "respondent id", schema.ROLE_PERSONA: "persona"}
_STATUS = {"ok": "ok", "failed": "FAILED", "skipped": "skipped"}


def _table(title: str, counts: dict[str, int]) -> list[str]:
    if not counts:
        return []
    width = max(len(name) for name in counts)
    lines = [title]
    lines += [f"  {name:<{width}}  {count:>7,}" for name, count in counts.items()]
    return lines


def _cut(text: Any, width: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def question_table(path: str, questions: list[dict[str, Any]]) -> list[str]:
    """The per-question lines of one survey file: what each column was read as.

    Examples
    --------
    >>> rows = [{"question": "rating", "text": "Rating", "kind": "rating", "metric": None,
    ...          "scale": "1-5", "answers": 11743, "distinct": 5, "example": "4",
    ...          "unsure": None}]
    >>> for line in question_table("surveys/r.csv", rows):
    ...     print(line)
    Questions of surveys/r.csv (set survey.kinds in study.yml to change a kind):
      question  kind    scale   answers  distinct  example
      Rating    rating  1-5      11,743         5  4
    """
    kinds = []
    for q in questions:
        kind = schema.KIND_LABELS.get(q["kind"], q["kind"])
        if q.get("metric") and q["kind"] != schema.KIND_NPS:
            kind += f" ({q['metric']})"
        if q.get("role"):
            kind = ROLES.get(q["role"], q["role"])
        kinds.append(kind + (" ?" if q.get("unsure") else ""))
    names = [_cut(q["text"] or q["question"], 40) for q in questions]
    w_name = max(len("question"), *map(len, names))
    w_kind = max(len("kind"), *map(len, kinds))
    lines = [
        f"Questions of {path} (set survey.kinds in study.yml to change a kind):",
        f"  {'question':<{w_name}}  {'kind':<{w_kind}}  {'scale':<6}  {'answers':>7}  "
        f"{'distinct':>8}  example",
    ]
    for q, name, kind in zip(questions, names, kinds, strict=True):
        lines.append(
            f"  {name:<{w_name}}  {kind:<{w_kind}}  {q.get('scale') or '':<6}  "
            f"{q['answers']:>7,}  {q['distinct']:>8,}  {_cut(q.get('example'), 40)}"
        )
    unsure = [q for q in questions if q.get("unsure")]
    if unsure:
        lines.append("  ? = an uncertain guess (see the warnings)")
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
    for entry in files:
        if entry.get("questions"):
            lines.append("")
            lines += question_table(entry["path"], entry["questions"])
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
