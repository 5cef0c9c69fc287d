"""``workbench init DIR``: a new, empty study a researcher can fill without reading code."""

from __future__ import annotations

from pathlib import Path

from workbench.bundled import NOTEBOOKS, TEMPLATES, copy_tree, shipped
from workbench.codebook import JOURNEY_TYPES, builtin_codebook, write_codebook
from workbench.config import TEMPLATE
from workbench.errors import ConfigError
from workbench.ingest.speakers import NAME, TRANSCRIPT_NAMES
from workbench.project import Project
from workbench.schema import PARTICIPANT_ID, PERSONA

PARTICIPANTS_HEADER = [PARTICIPANT_ID, PERSONA, NAME, TRANSCRIPT_NAMES, "age_band", "region"]

README = """\
# {name}

A Journey Workbench study.

1. Put interview transcripts in `data/raw/interviews/` (.txt, .md, .vtt, .srt, .docx) with the
   participant id in the file name (`P01_interview.txt`).
2. Put survey exports in `data/raw/surveys/` (Qualtrics, SurveyMonkey, Google Forms, or any
   CSV/XLSX with a respondent id column).
3. List participants in `data/raw/participants.csv`: id, persona, and the names they have in
   the transcripts (`;`-separated) so speakers resolve to the right person.
4. Run `workbench ingest --project .` and read the report it prints.
5. Code in JupyterLab (`workbench lab` opens `notebooks/01-code-interviews.ipynb`) or in a
   spreadsheet (`workbench codes next`), then `workbench train`, `tag` and `report`.

Files in `data/raw/` are never changed by the workbench.
"""


def scaffold(directory: Path, *, journey: str = "default") -> Project:
    """Create the folders, a commented ``study.yml``, the codebook, ``participants.csv`` headers,
    and the notebooks and report templates (which read the study they sit in).

    ``journey`` picks the built-in codebook the study starts from (see
    :data:`workbench.codebook.JOURNEY_TYPES`); it is written to ``codebook.yml`` to edit.

    Refuses to overwrite an existing ``study.yml``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = scaffold(pathlib.Path(tempfile.mkdtemp()) / "my-study")
    >>> sorted(x.name for x in p.raw.iterdir())
    ['interviews', 'participants.csv', 'surveys']
    >>> (p.root / "notebooks" / "01-code-interviews.ipynb").is_file()
    True
    """
    project = Project(Path(directory))
    if journey not in JOURNEY_TYPES:
        raise ConfigError(
            f"unknown journey type {journey!r}; choose one of: {', '.join(JOURNEY_TYPES)}"
        )
    if project.config_path.exists():
        raise ConfigError(f"{project.config_path} exists already; choose an empty folder")
    for folder in (
        project.raw / "interviews",
        project.raw / "surveys",
        project.processed,
        project.codes,
        project.models,
        project.reports,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    name = project.root.resolve().name
    project.config_path.write_text(TEMPLATE.format(name=name), encoding="utf-8")
    if not project.participants_path.exists():
        project.participants_path.write_text(",".join(PARTICIPANTS_HEADER) + "\n", encoding="utf-8")
    if not project.codebook_path.exists():
        write_codebook(builtin_codebook(journey), project.codebook_path)
    readme = project.root / "README.md"
    if not readme.exists():
        readme.write_text(README.format(name=name), encoding="utf-8")
    (project.root / ".gitignore").write_text(
        "data/processed/\nmodels/\nreports/\n", encoding="utf-8"
    )
    copy_tree(shipped(NOTEBOOKS), project.root / NOTEBOOKS)  # they open on this study
    copy_tree(shipped(TEMPLATES), project.root / TEMPLATES)
    return project
