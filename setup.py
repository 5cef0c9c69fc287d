"""Build hook: the wheel carries the sample study, the notebooks and the templates.

They live at the top of the repository (``data/raw``, ``notebooks/``, ``templates/``), outside
the package; this copies them into ``workbench/_bundled/`` of the build, where
:mod:`workbench.bundled` finds them once installed. Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PARTS = {
    "notebooks": "notebooks",
    "templates": "templates",
    "sample/data/raw": "data/raw",
    "sample/data/codes/imports": "data/codes/imports",
    "sample/study.yml": "study.yml",
}


class BuildWithBundled(build_py):
    """``build_py`` that also copies the shipped material into the built package."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "workbench" / "_bundled"
        for inside, outside in PARTS.items():
            source, destination = ROOT / outside, target / inside
            if source.is_dir():
                shutil.copytree(
                    source,
                    destination,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".*", "__pycache__", "*.executed.ipynb"),
                )
            elif source.is_file():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)


setup(cmdclass={"build_py": BuildWithBundled})
