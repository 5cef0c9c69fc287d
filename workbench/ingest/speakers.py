"""Who is speaking: the participants table, and interviewer/participant/other roles.

A transcript belongs to a participant, found (in this order) from the study config's ``files``
entry, a participant id in the file name (``P03_interview.txt``), or a speaker label that
``participants.csv`` lists for that participant. Each speaker label then resolves to a role:

1. ``speakers.roles`` in the study config, when it names the label;
2. ``interviewer`` for the config's ``speakers.interviewers`` (full name or first name) and for
   the usual interviewer labels (``Interviewer``, ``Interviewer 2``, ``Q``, ``Moderator``...);
3. ``participant`` for a label ``participants.csv`` lists (``transcript_names``, ``name`` or the
   id itself), or a generic participant label (``Interviewee1``, ``Participant``, ``A``...);
4. ``other`` for anyone else; the ingest report lists those speakers by file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench import schema
from workbench.config import StudyConfig
from workbench.errors import InputError
from workbench.ingest.base import decode

NAME = "name"
TRANSCRIPT_NAMES = "transcript_names"
PARTICIPANT_COLUMNS = (schema.PARTICIPANT_ID, schema.PERSONA, NAME, TRANSCRIPT_NAMES)

_INTERVIEWER = re.compile(
    r"^(interviewer|moderator|facilitator|researcher|q|question|int|i|host)\s*\d*$", re.I
)
_PARTICIPANT = re.compile(
    r"^(interviewee|participant|respondent|customer|user|a|answer|r|p)\s*\d*$", re.I
)


def _key(label: str) -> str:
    return " ".join(label.casefold().split())


@dataclass
class Participants:
    """The participants table and the label → participant id index built from it."""

    rows: list[dict[str, str]] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    persona_of: dict[str, str] = field(default_factory=dict)
    shared: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return list(self.persona_of)

    def add_alias(self, label: str, pid: str) -> None:
        """Index a label; a label two participants share is kept apart as ambiguous."""
        key = _key(label)
        if key in self.shared:
            if pid not in self.shared[key]:
                self.shared[key].append(pid)
        elif key in self.aliases and self.aliases[key] != pid:
            self.shared[key] = [self.aliases.pop(key), pid]
        else:
            self.aliases[key] = pid

    def lookup(self, label: str) -> str | None:
        """Participant id for a speaker label, or ``None`` (also when the label is shared)."""
        return self.aliases.get(_key(label))

    def sharing(self, label: str) -> list[str]:
        """The participants who share ``label`` in ``participants.csv`` (empty if it is unique)."""
        return self.shared.get(_key(label), [])

    def is_listed(self, label: str) -> bool:
        """True when ``participants.csv`` lists the label (for one participant or several)."""
        return _key(label) in self.aliases or _key(label) in self.shared


def read_participants(path: Path, rel: str = "participants.csv") -> Participants:
    """Read ``participants.csv``.

    Required columns: ``participant_id`` and ``persona``. Optional: ``name`` and
    ``transcript_names`` (every label the participant has in transcripts, ``;``-separated), plus
    any attributes. Ids stay strings. A missing file gives an empty table.

    Raises
    ------
    InputError
        For a missing column (listing the columns found), a ragged row, an empty id or
        duplicate ids (listing them with their lines).
    """
    if not path.exists():
        return Participants()
    decoded = decode(path.read_bytes(), rel)
    reader = csv.reader(decoded.text.splitlines())
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise InputError(
            rel, "no header row", line=1, expected="participant_id,persona,..."
        ) from None
    for required in (schema.PARTICIPANT_ID, schema.PERSONA):
        if required not in header:
            raise InputError(
                rel,
                f"no {required!r} column; columns found: {', '.join(header)}",
                line=1,
                expected=f"a header with {schema.PARTICIPANT_ID} and {schema.PERSONA}",
            )
    table = Participants()
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise InputError(
                rel,
                f"row has {len(cells)} fields",
                line=line,
                expected=f"{len(header)} fields like the header",
            )
        row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        pid = row[schema.PARTICIPANT_ID]
        if not pid:
            raise InputError(
                rel,
                "empty participant_id",
                line=line,
                column=schema.PARTICIPANT_ID,
                expected="an id such as P01",
            )
        if pid in seen:
            duplicates.append(f"{pid} (lines {seen[pid]} and {line})")
            continue
        seen[pid] = line
        table.rows.append(row)
        table.persona_of[pid] = row[schema.PERSONA]
        labels = [pid, row.get(NAME, ""), *row.get(TRANSCRIPT_NAMES, "").split(";")]
        for label in labels:
            if label.strip():
                table.add_alias(label, pid)
    if duplicates:
        raise InputError(
            rel,
            "duplicate participant ids: " + "; ".join(duplicates),
            column=schema.PARTICIPANT_ID,
            expected="each participant once",
        )
    return table


class SpeakerResolver:
    """Resolve the participant of a transcript and the role of each speaker label."""

    def __init__(self, participants: Participants, config: StudyConfig) -> None:
        self.participants = participants
        self.config = config
        self._interviewers = set()
        for name in config.interviewers:
            self._interviewers.add(_key(name))
            self._interviewers.add(_key(name.split()[0]) if name.split() else "")
        self._roles = {_key(label): role for label, role in config.roles.items()}
        self._id_patterns = [
            (pid, re.compile(rf"(?<![A-Za-z0-9]){re.escape(pid)}(?![0-9])", re.I))
            for pid in participants.ids
        ]

    def document_participant(
        self, rel_path: str, speakers: list[str | None]
    ) -> tuple[str | None, list[str]]:
        """Return the transcript's participant id and any warnings about it."""
        override = self.config.for_file(rel_path).participant
        name = Path(rel_path).name
        warnings = self._shared_label_warnings(rel_path, speakers)
        if override:
            pid = override
        else:
            pid = next((p for p, pattern in self._id_patterns if pattern.search(name)), None)
            if pid is None:
                counts: dict[str, int] = {}
                for speaker in speakers:
                    found = self.participants.lookup(speaker) if speaker else None
                    if found and self.role(speaker) == schema.ROLE_PARTICIPANT:
                        counts[found] = counts.get(found, 0) + 1
                if counts:
                    pid = max(counts, key=counts.get)
            if pid is None:
                token = re.search(r"(?<![A-Za-z0-9])(P\d{1,4})(?![0-9])", name, re.I)
                pid = token.group(1).upper() if token else None
        if pid is None:
            return None, [
                *warnings,
                f"{rel_path}: cannot tell which participant this transcript belongs to; put the "
                "participant id in the file name (P07_...) or set files.<path>.participant "
                "in study.yml",
            ]
        if pid not in self.participants.persona_of:
            return pid, [
                *warnings,
                f"{rel_path}: participant {pid} is not in participants.csv; add a row with "
                "their persona so their segments join the map",
            ]
        return pid, warnings

    def _shared_label_warnings(self, rel_path: str, speakers: list[str | None]) -> list[str]:
        labels = sorted({s for s in speakers if s and self.participants.sharing(s)})
        return [
            f"{rel_path}: speaker label {label!r} is listed for several participants in "
            f"participants.csv ({', '.join(self.participants.sharing(label))}); it is resolved "
            "from this file's own participant (files.<path>.participant in study.yml, or the "
            "id in the file name), never merged"
            for label in labels
        ]

    def role(self, speaker: str | None) -> str:
        """Role of a speaker label (see the module docstring for the order of rules)."""
        if speaker is None:
            return schema.ROLE_PARTICIPANT
        key = _key(speaker)
        if key in self._roles:
            return self._roles[key]
        if key in self._interviewers or _INTERVIEWER.match(key):
            return schema.ROLE_INTERVIEWER
        if self.participants.is_listed(speaker) or _PARTICIPANT.match(key):
            return schema.ROLE_PARTICIPANT
        return schema.ROLE_OTHER

    def participant_of(
        self, speaker: str | None, document_pid: str | None, *, override: bool = False
    ) -> str | None:
        """Participant id behind a participant speaker label (focus groups have several).

        A per-file ``participant`` override wins over every label; a label several
        participants share resolves to the file's own participant, never to one of theirs.
        """
        if speaker is not None and not override:
            found = self.participants.lookup(speaker)
            if found:
                return found
        return document_pid
