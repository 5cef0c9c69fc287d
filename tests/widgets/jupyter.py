"""A real JupyterLab for the browser tests: started on 127.0.0.1 with a token, stopped after."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.store import CodeStore

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOTEBOOK = "01-code-interviews.ipynb"


def require_chromium() -> None:
    """Skip without Debian's Chromium, except in CI, where it must be there."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install it with apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium); browser test skipped")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root: Path, study: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving ``root`` with ``$WORKBENCH_PROJECT`` = ``study``: ``(url, token)``."""
    port, token = _free_port(), uuid.uuid4().hex
    home = tmp_path / "home"
    env = {
        **os.environ,
        "WORKBENCH_PROJECT": str(study),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "lab.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", "--allow-root", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        "JupyterLab did not start within 60 s:\\n" + log_path.read_text()[-3000:]
                    )
                time.sleep(0.3)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()


def accept_kernel_dialog(page) -> None:
    """Accept JupyterLab's "Select Kernel" dialog if it shows (Python 3 is preselected)."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        dialog.first.wait_for(timeout=15_000)
    except Exception:
        return  # no dialog: the kernel was started from the notebook's metadata
    dialog.first.click()
    dialog.first.wait_for(state="detached", timeout=15_000)


def wait_for_decisions(path: Path, n: int, timeout: float = 30.0):
    """The store's decision log once it holds ``n`` decisions (or after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        if path.exists():
            with CodeStore(path) as store:
                log = store.decisions()
            if len(log) >= n or time.monotonic() > deadline:
                return log
        elif time.monotonic() > deadline:
            pytest.fail(f"no code store at {path} after {timeout} s: nothing was confirmed")
        time.sleep(0.3)


def open_and_run(page, url: str, token: str, path: str, tmp_path: Path) -> None:
    """Open a notebook, run all cells from the Run menu, wait for the coding widget."""
    page.goto(f"{url}/lab/tree/{path}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    accept_kernel_dialog(page)
    # The kernel must be idle before Run All, else the run can be lost.
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    try:
        page.wait_for_selector(".wb-coding .wb-card", timeout=120_000)
    except Exception:
        page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
        errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']")
        text = errors.all_inner_texts() if errors.count() else []
        pytest.fail(f"coding widget did not appear in 120 s; cell errors: {text}")
    news = page.locator(".jp-toast-button", has_text="No")
    if news.count():
        news.first.click()  # the "Jupyter news?" toast would cover the screenshot
