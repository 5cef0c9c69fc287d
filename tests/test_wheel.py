"""The installed package is a working tool: a wheel built from the repository, installed outside
it, runs `workbench demo` and `workbench init` in any folder with no clone around."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The wheel built from the repository and installed into a folder of its own, with the
    dependencies of the test environment (so nothing but the package comes from the clone)."""
    work = tmp_path_factory.mktemp("wheel")
    _run(
        [sys.executable, "-m", "pip", "wheel", str(repo_root), "--no-deps", "-q", "-w", str(work)],
        cwd=work,
        env=dict(os.environ),
    )
    [wheel] = work.glob("journey_workbench-*.whl")
    target = work / "site"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        cwd=work,
        env=dict(os.environ),
    )
    env = {**os.environ, "PYTHONPATH": str(target), "WORKBENCH_PROJECT": ""}
    where = _run([sys.executable, "-c", "import workbench; print(workbench.__file__)"], work, env)
    assert Path(where.strip()).is_relative_to(target), where  # the wheel's code, not the clone's
    return {"target": str(target), **env}


def test_init_outside_the_repository_gives_a_study_with_its_notebooks(installed, tmp_path):
    _run([sys.executable, "-m", "workbench.cli", "init", "study"], tmp_path, installed)
    study = tmp_path / "study"
    assert (study / "notebooks" / "01-code-interviews.ipynb").is_file()
    assert (study / "templates" / "journey_map.ipynb").is_file()
    assert (study / "study.yml").is_file() and (study / "data" / "raw" / "interviews").is_dir()


def test_demo_from_the_wheel_copies_the_sample_study_out_and_runs_it(installed, tmp_path):
    out = _run([sys.executable, "-m", "workbench.cli", "demo"], tmp_path, installed)
    demo = tmp_path / "journey-workbench-demo"
    assert (demo / "data" / "raw" / "participants.csv").is_file()
    assert "5/5 reports" in out
    [index] = demo.glob("reports/*/index.html")
    assert "budget-family" in index.read_text(encoding="utf-8")
    assert (demo / "data" / "codes" / "codes.sqlite").is_file()  # the shipped codes imported
    bundled = Path(installed["target"]) / "workbench" / "_bundled" / "sample"
    assert not (bundled / "reports").exists() and not (bundled / "data" / "processed").exists()
