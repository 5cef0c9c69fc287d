"""``workbench lab``: JupyterLab on a study, with its coding notebooks.

The notebooks read the study from ``$WORKBENCH_PROJECT`` (else the folder above them). The first
time, the repository's notebooks are copied into the study's ``notebooks/`` folder (a study's own
copies are never overwritten), so each study keeps its notebooks and their edits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from workbench.bundled import NOTEBOOKS, copy_tree, shipped
from workbench.errors import ConfigError
from workbench.project import Project

FIRST_NOTEBOOK = "01-code-interviews.ipynb"


def study_notebooks(project: Project) -> Path:
    """The study's ``notebooks/`` folder, filled from the shipped notebooks where missing (a
    study's own copies, and their edits, are never overwritten)."""
    target = project.root / "notebooks"
    if not (target / FIRST_NOTEBOOK).exists():
        shipped_notebooks = shipped(NOTEBOOKS)
        if not (shipped_notebooks / FIRST_NOTEBOOK).exists():
            raise ConfigError(
                f"{target / FIRST_NOTEBOOK} is missing and the shipped notebooks in "
                f"{shipped_notebooks} do not include it"
            )
        copy_tree(shipped_notebooks, target)
    return target


def lab_command(
    project: Project, *, port: int | None = None, browser: bool = True, extra: tuple[str, ...] = ()
) -> list[str]:
    """The JupyterLab command line that opens notebook 01 of ``project``."""
    if not project.root.is_dir():
        raise ConfigError(f"{project.root} is not a folder: create a study with `workbench init`")
    notebooks = study_notebooks(project)
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={project.root}",
        f"--LabApp.default_url=/lab/tree/{notebooks.relative_to(project.root).as_posix()}/"
        f"{FIRST_NOTEBOOK}",
    ]  # fmt: skip
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    return [*command, *extra]


def start_lab(project: Project, **kwargs) -> int:
    """Run JupyterLab on the study until it is stopped; return its exit code."""
    env = {**os.environ, "WORKBENCH_PROJECT": str(project.root)}
    return subprocess.call(lab_command(project, **kwargs), env=env, cwd=project.root)
