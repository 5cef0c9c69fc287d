"""What the workbench ships besides its code: the sample study, the notebooks and the templates.

In a clone of the repository they sit beside the package (``data/raw``, ``notebooks/``,
``templates/``); in an installed wheel they are package data under ``workbench/_bundled/``
(copied there at build time by ``setup.py``). :func:`shipped` finds them either way, so
``workbench demo``, ``workbench init`` and ``workbench lab`` work from a wheel in any folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.errors import ConfigError

PACKAGE = Path(__file__).resolve().parent
INSIDE = PACKAGE / "_bundled"  # an installed wheel
BESIDE = PACKAGE.parent  # a clone of the repository
NOTEBOOKS = "notebooks"
TEMPLATES = "templates"
SAMPLE = "sample"
#: What the sample study is made of, relative to its root.
SAMPLE_PARTS = ("data/raw", "data/codes/imports", "study.yml")


def shipped(part: str) -> Path:
    """The folder of one shipped part: ``notebooks``, ``templates`` or ``sample`` (the sample
    study's root), inside the installed package or beside it in a clone.

    Raises
    ------
    ConfigError
        When the installation has neither (a wheel built without its package data).
    """
    inside = INSIDE / part
    if inside.is_dir():
        return inside
    beside = BESIDE if part == SAMPLE else BESIDE / part
    if (beside / "data" / "raw").is_dir() if part == SAMPLE else beside.is_dir():
        return beside
    raise ConfigError(
        f"the shipped {part} are missing (looked in {inside} and {beside}); reinstall "
        "journey-workbench from a wheel built with `pip wheel .` or use a clone"
    )


def copy_tree(source: Path, target: Path) -> list[Path]:
    """Copy the files of ``source`` into ``target``, never overwriting one; return the copies."""
    copied = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.name.startswith("."):
            continue
        destination = target / path.relative_to(source)
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        copied.append(destination)
    return copied


def copy_sample(target: Path) -> Path:
    """Copy the sample study (raw files, shipped codes, ``study.yml``) into ``target``.

    Existing files are kept, so a half-copied or edited study is completed, never overwritten.
    """
    source = shipped(SAMPLE)
    target.mkdir(parents=True, exist_ok=True)
    for part in SAMPLE_PARTS:
        path = source / part
        if path.is_dir():
            copy_tree(path, target / part)
        elif path.is_file() and not (target / part).exists():
            shutil.copy2(path, target / part)
    return target
