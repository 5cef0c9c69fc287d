"""`workbench lab` starts JupyterLab on the study, with the coding notebook ready."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from workbench.lab import FIRST_NOTEBOOK, lab_command
from workbench.project import Project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_serves_the_study_with_its_notebooks(tmp_path: Path):
    root = tmp_path / "study"
    (root / "data" / "raw").mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "lab", "--project", str(root), "--no-browser",
         "--port", str(port), "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token="],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        listing = None
        for _ in range(120):
            try:
                url = f"http://127.0.0.1:{port}/api/contents/notebooks"
                with urllib.request.urlopen(url, timeout=2) as response:
                    listing = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer"
        names = {item["name"] for item in listing["content"]}
        assert FIRST_NOTEBOOK in names  # served from the study's own notebooks folder
        assert (root / "notebooks" / FIRST_NOTEBOOK).is_file()
    finally:
        process.terminate()
        process.wait(30)


def test_a_studys_own_notebook_is_never_overwritten(tmp_path: Path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / FIRST_NOTEBOOK).write_text("{}", encoding="utf-8")
    command = lab_command(Project(tmp_path), port=8899, browser=False)
    assert (notebooks / FIRST_NOTEBOOK).read_text(encoding="utf-8") == "{}"
    assert f"--ServerApp.root_dir={tmp_path}" in command and "--no-browser" in command
    assert any(c.endswith(f"notebooks/{FIRST_NOTEBOOK}") for c in command)
    assert shutil.which(command[0]) or Path(command[0]).exists()
