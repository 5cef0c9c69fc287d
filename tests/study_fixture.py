"""A tagged copy of the sample study with its shipped human codes.

Built once per test session (ingest → import the shipped codes → tag; no report), in pytest's
base temp folder. Training is skipped (it takes ~35 s): the machine coder then uses the rules.
Tests that write into the study copy it first (:func:`copy_study`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.codes_io import import_codes
from workbench.demo import IMPORTS, shipped_code_files
from workbench.ingest.pipeline import ingest
from workbench.project import Project
from workbench.store import CodeStore
from workbench.tag.pipeline import tag, train

READY = ".tagged-study-ready"


def build_tagged_study(repo_root: Path, root: Path, *, models: bool = False) -> Project:
    """Copy the sample study into ``root``; ingest, import codes, (train,) tag."""
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copytree(repo_root / IMPORTS, root / IMPORTS)
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    project = Project(root)
    result = ingest(project, skip_bad=True, executor=None)
    with CodeStore.for_project(root) as store:
        for path in shipped_code_files(project):
            import_codes(store, path, segments=result.segments)
    if models:
        train(project)
    tag(project, workers=1)
    (root / READY).write_text("ok\n")
    return project


@pytest.fixture(scope="session")
def tagged_coded_study(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The tagged sample study (read-only for tests: copy it before writing)."""
    root = tmp_path_factory.getbasetemp() / "tagged-coded-study"
    if not (root / READY).exists():
        shutil.rmtree(root, ignore_errors=True)
        build_tagged_study(repo_root, root)
    return Project(root)


def copy_study(project: Project, target: Path) -> Project:
    """A writable copy of ``project`` at ``target``."""
    shutil.copytree(project.root, target)
    return Project(target)
