"""The coding notebook in a real JupyterLab, driven by headless Chromium (Playwright).

Starts JupyterLab on 127.0.0.1 (free port, token, no browser) over a temp folder holding a copy
of ``notebooks/01-code-interviews.ipynb`` and a tiny ingested study, runs all cells from the Run
menu, confirms two segments with the keyboard and one with the mouse, and checks the three
decisions are in the study's SQLite store. A screenshot is kept in ``benchmarks/out/``.

Needs Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``); skipped with a message
only when it is absent and the ``CI`` variable is unset (in CI it must run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.ingest.pipeline import ingest
from workbench.scaffold import scaffold
from workbench.store import CodeStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

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
PARTICIPANTS = "participant_id,persona,name,transcript_names\nP01,remote-worker,Ann Lee,Ann\n"
INTERVIEW = """Interviewer: How did you first hear about Brightwave?
Ann: A leaflet came through the door, then I compared prices on the website.
Interviewer: What made you pick them?
Ann: The price was lower and the reviews mentioned the <b>helpline</b>.
Interviewer: How did the installation go?
Ann: The engineer was late and nobody called to say so. I was furious.
Interviewer: And since then?
Ann: I rang support twice about the router; the second agent fixed it.
Interviewer: Would you renew?
Ann: Probably, if the renewal price does not jump.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(repo_root: Path, tmp_path: Path):
    """A running JupyterLab over a temp root with the notebook and a tiny ingested study."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install it with apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium); browser test skipped")
    root = tmp_path / "lab"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(repo_root / "notebooks" / NOTEBOOK, root / "notebooks" / NOTEBOOK)
    study = scaffold(root / "study")
    study.participants_path.write_text(PARTICIPANTS)
    (study.raw / "interviews" / "P01_call.txt").write_text(INTERVIEW)
    ingest(study, executor=None)
    port, token = _free_port(), uuid.uuid4().hex
    home = tmp_path / "home"
    env = {
        **os.environ,
        "WORKBENCH_PROJECT": str(study.root),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "lab.log").open("w")
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
                        "JupyterLab did not start within 60 s:\n"
                        + (tmp_path / "lab.log").read_text()[-3000:]
                    )
                time.sleep(0.3)
        yield url, token, study
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()


def _accept_kernel_dialog(page) -> None:
    """Accept JupyterLab's "Select Kernel" dialog if it shows (Python 3 is preselected)."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        dialog.first.wait_for(timeout=15_000)
    except Exception:
        return  # no dialog: the kernel was started from the notebook's metadata
    dialog.first.click()
    dialog.first.wait_for(state="detached", timeout=15_000)


def _wait_for_decisions(path: Path, n: int, timeout: float = 30.0):
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


def test_code_three_segments_in_jupyterlab(lab, repo_root: Path, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    url, token, study = lab
    stages = builtin_codebook().stage_codes
    shot = tmp_path / "coding-widget.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{url}/lab/tree/notebooks/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            _accept_kernel_dialog(page)
            # The kernel must be idle before Run All, else the run can be lost.
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=90_000)  # fmt: skip
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
            widget = page.locator(".wb-coding").first
            widget.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            card = widget.locator(".wb-card")
            first_text = card.inner_text()
            # keyboard: stage 2 + Enter, stage 3 + Enter (click the card to give the box focus)
            card.click()
            page.keyboard.press("2")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "t => document.querySelector('.wb-coding .wb-card').innerText !== t", arg=first_text
            )
            card.click()
            page.keyboard.press("3")
            page.keyboard.press("Enter")
            _wait_for_decisions(study.codes / "codes.sqlite", 2)
            # mouse: choose a stage with its toggle button, then the Confirm button
            widget.locator("button", has_text=f"5 {stages[4]}").click()
            widget.locator("button", has_text="Confirm & next").click()
            log = _wait_for_decisions(study.codes / "codes.sqlite", 3)
            page.wait_for_timeout(300)
            widget.screenshot(path=str(shot))
            # the HTML in the transcript is shown as text, not rendered
            page_html = page.content()
            assert "<b>helpline</b>" not in page_html or "&lt;b&gt;helpline" in page_html
        finally:
            browser.close()
    out = repo_root / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, out / "coding-widget.png")
    assert len(log) == 3, log
    assert log[schema.STAGE].tolist() == [stages[1], stages[2], stages[4]]
    assert log["action"].tolist() == ["code"] * 3
    assert log[schema.SEGMENT_ID].nunique() == 3
    assert set(log[schema.CODER]) == {"researcher"}
