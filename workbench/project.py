"""Where a study's folders are.

A study (project) is a folder laid out as::

    study.yml                 study configuration (optional; defaults apply)
    codebook.yml              the study's own codebook (optional)
    data/raw/                 interviews/, surveys/, participants.csv  — never written
    data/processed/           segments.parquet, documents.parquet, ... — rebuilt at will
    data/codes/               the human-code store — primary data, never wiped
    models/                   trained classifiers
    reports/                  report runs

The repository itself is a study: the bundled sample study.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.errors import ConfigError

STUDY_CONFIG = "study.yml"
CODEBOOK_FILE = "codebook.yml"
PARTICIPANTS_FILE = "participants.csv"


@dataclass(frozen=True)
class Project:
    """Paths of one study.

    Examples
    --------
    >>> p = Project(Path("/tmp/study"))
    >>> p.raw.as_posix(), p.processed.name
    ('/tmp/study/data/raw', 'processed')
    """

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def codes(self) -> Path:
        return self.root / "data" / "codes"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def config_path(self) -> Path:
        return self.root / STUDY_CONFIG

    @property
    def codebook_path(self) -> Path:
        return self.root / CODEBOOK_FILE

    @property
    def participants_path(self) -> Path:
        return self.raw / PARTICIPANTS_FILE

    def processed_file(self, name: str) -> Path:
        """Path of a derived table, e.g. ``processed_file("segments.parquet")``."""
        return self.processed / name

    def require_raw(self) -> None:
        """Raise :class:`ConfigError` unless ``data/raw`` exists."""
        if not self.raw.is_dir():
            raise ConfigError(
                f"{self.raw} does not exist: run the command inside a study folder, pass "
                "--project DIR, or create one with `workbench init DIR`"
            )


def bundled_study() -> Project:
    """The sample study that ships with the workbench (the clone's root, or the installed
    package's copy: read it, do not run in it; ``workbench demo`` copies it out first)."""
    from workbench.bundled import SAMPLE, shipped

    return Project(shipped(SAMPLE))
