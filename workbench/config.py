"""The study configuration, ``study.yml`` at the study root.

Every key is optional; a study with no ``study.yml`` gets the defaults. Unknown keys are
rejected so a typo does not silently do nothing. See :data:`TEMPLATE` for the documented file
that ``workbench init`` writes.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench import schema
from workbench.errors import ConfigError

TEMPLATE = """\
# Journey Workbench study configuration. Every key is optional; delete what you do not need.
name: {name}
service: ""              # the product or service the journeys are about

segments:
  unit: turn             # turn (default) or sentence: what one codable segment is
  max_chars: 600         # participant turns longer than this are split at sentence boundaries

speakers:
  # Labels or names of the interviewers, as written in transcripts ("Interviewer", "Q" and
  # "Moderator" are recognised without being listed).
  interviewers: []
  # Force a role for a label: participant, interviewer or other.
  roles: {{}}

# Per-file settings, keyed by a path or glob relative to data/raw:
#   layout: labelled | otter | markdown-notes | vtt | srt | docx | qualtrics | qualtrics-legacy
#           | surveymonkey | google-forms | generic     (default: detected)
#   participant: P07      (default: the participant id found in the file name or speakers)
#   encoding: cp1252      (default: detected)
files: {{}}

survey:
  id_column: null        # respondent id column (default: detected, e.g. ResponseId)
  persona_column: null   # persona / segment column (default: a column named persona or segment)
  # persona_bands: [18, 35, 50, 65]   # a numeric persona column (age) in bands: 18-34 ... 65+
  open_questions: []     # question ids to treat as open text whatever their answers look like
  # What each column is, where ingest's guess (printed per question) is wrong. Kinds: open,
  # nps (0-10), recommend / retention / conversion (yes/no answers), yes_no, rating, csat,
  # ces, numeric, choice, multiple_choice, id, date, url, email, name, metadata.
  kinds: {{}}              # e.g. {{"Recommended IND": recommend, "Rating": csat, "ZIP code": id}}
  scales: {{}}             # a rating's scale when its header does not say, e.g. {{Rating: 1-5}}

ignore: []               # globs under data/raw to skip, e.g. ["drafts/*"]
"""

_SECTIONS: dict[str, set[str]] = {
    "segments": {"unit", "max_chars"},
    "speakers": {"interviewers", "roles"},
    "survey": {
        "id_column",
        "persona_column",
        "persona_bands",
        "open_questions",
        "kinds",
        "scales",
        "delimiter",
    },
}
_TOP = {"name", "service", "segments", "speakers", "files", "survey", "ignore", "personas"}
_FILE_KEYS = {"layout", "participant", "encoding", "persona"}


@dataclass
class FileSettings:
    """Settings that apply to one raw file."""

    layout: str | None = None
    participant: str | None = None
    encoding: str | None = None
    persona: str | None = None


@dataclass
class StudyConfig:
    """The parsed ``study.yml``."""

    name: str = "study"
    service: str = ""
    unit: str = schema.UNIT_TURN
    max_chars: int = 600
    interviewers: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    files: dict[str, FileSettings] = field(default_factory=dict)
    survey: dict[str, Any] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)
    source: str = "(defaults)"

    def for_file(self, rel_path: str) -> FileSettings:
        """Merge the settings of every ``files`` entry whose glob matches ``rel_path``."""
        merged = FileSettings()
        for pattern, settings in self.files.items():
            if fnmatch.fnmatch(rel_path, pattern):
                for key in _FILE_KEYS:
                    value = getattr(settings, key)
                    if value is not None:
                        setattr(merged, key, value)
        return merged

    def ignored(self, rel_path: str) -> bool:
        """Whether ``rel_path`` matches one of the ``ignore`` globs."""
        return any(fnmatch.fnmatch(rel_path, pattern) for pattern in self.ignore)


def _expect(condition: bool, source: str, key: str, expected: str, found: Any) -> None:
    if not condition:
        raise ConfigError(f"{source}: key {key!r} should be {expected}, found {found!r}")


def parse_config(data: Any, source: str) -> StudyConfig:
    """Validate a loaded YAML mapping and return a :class:`StudyConfig`.

    Examples
    --------
    >>> parse_config({"segments": {"unit": "sentence"}}, "study.yml").unit
    'sentence'
    >>> parse_config({"segmnts": {}}, "study.yml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.errors.ConfigError: study.yml: unknown key 'segmnts' (expected one of: ...)
    """
    if data is None:
        data = {}
    _expect(isinstance(data, dict), source, "(top level)", "a mapping of keys to values", data)
    for key in data:
        if key not in _TOP:
            raise ConfigError(
                f"{source}: unknown key {key!r} (expected one of: {', '.join(sorted(_TOP))})"
            )
    config = StudyConfig(source=source)
    config.name = str(data.get("name") or config.name)
    config.service = str(data.get("service") or "")
    for section, allowed in _SECTIONS.items():
        value = data.get(section) or {}
        _expect(isinstance(value, dict), source, section, "a mapping", value)
        for key in value:
            if key not in allowed:
                raise ConfigError(
                    f"{source}: unknown key {section}.{key} "
                    f"(expected one of: {', '.join(sorted(allowed))})"
                )
    segments = data.get("segments") or {}
    config.unit = segments.get("unit", config.unit)
    _expect(
        config.unit in (schema.UNIT_TURN, schema.UNIT_SENTENCE),
        source,
        "segments.unit",
        "turn or sentence",
        config.unit,
    )
    config.max_chars = segments.get("max_chars", config.max_chars)
    _expect(
        isinstance(config.max_chars, int) and config.max_chars >= 80,
        source,
        "segments.max_chars",
        "a whole number of at least 80",
        config.max_chars,
    )
    speakers = data.get("speakers") or {}
    interviewers = speakers.get("interviewers") or []
    _expect(
        isinstance(interviewers, list),
        source,
        "speakers.interviewers",
        "a list of names",
        interviewers,
    )
    config.interviewers = [str(name) for name in interviewers]
    roles = speakers.get("roles") or {}
    _expect(isinstance(roles, dict), source, "speakers.roles", "a mapping of label to role", roles)
    for label, role in roles.items():
        _expect(
            role in schema.SPEAKER_ROLES,
            source,
            f"speakers.roles.{label}",
            " or ".join(schema.SPEAKER_ROLES),
            role,
        )
    config.roles = {str(label): str(role) for label, role in roles.items()}
    files = data.get("files") or {}
    _expect(isinstance(files, dict), source, "files", "a mapping of path/glob to settings", files)
    for pattern, settings in files.items():
        settings = settings or {}
        _expect(isinstance(settings, dict), source, f"files.{pattern}", "a mapping", settings)
        unknown = set(settings) - _FILE_KEYS
        if unknown:
            raise ConfigError(
                f"{source}: unknown key(s) {sorted(unknown)} under files.{pattern} "
                f"(expected one of: {', '.join(sorted(_FILE_KEYS))})"
            )
        config.files[str(pattern)] = FileSettings(
            **{key: (None if value is None else str(value)) for key, value in settings.items()}
        )
    config.survey = dict(data.get("survey") or {})
    _check_survey(config.survey, source)
    ignore = data.get("ignore") or []
    _expect(isinstance(ignore, list), source, "ignore", "a list of globs", ignore)
    config.ignore = [str(pattern) for pattern in ignore]
    return config


def _check_survey(survey: dict[str, Any], source: str) -> None:
    """The survey keys that are not plain strings have the shape they need."""
    bands = survey.get("persona_bands")
    if bands not in (None, []):
        _expect(
            isinstance(bands, list)
            and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bands),
            source,
            "survey.persona_bands",
            "a list of numbers (the lower bound of each band, e.g. [18, 35, 50, 65])",
            bands,
        )
    for key, shape in (("kinds", "column: kind"), ("scales", "column: low-high, e.g. 1-5")):
        value = survey.get(key)
        if value not in (None, {}):
            _expect(
                isinstance(value, dict), source, f"survey.{key}", f"a mapping of {shape}", value
            )
    for column, scale in (survey.get("scales") or {}).items():
        _expect(
            bool(re.fullmatch(r"\s*\d+\s*-\s*\d+\s*", str(scale))),
            source,
            f"survey.scales.{column}",
            "a scale written low-high, e.g. 1-5 or 0-10",
            scale,
        )
    for key in ("open_questions",):
        value = survey.get(key)
        if value not in (None, []):
            _expect(isinstance(value, list), source, f"survey.{key}", "a list of columns", value)


def load_config(path: Path) -> StudyConfig:
    """Read ``study.yml``; a missing file gives the defaults."""
    if not path.exists():
        return StudyConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path.name}{where}: not valid YAML ({exc})") from None
    return parse_config(data, path.name)
