"""The coding notebook in a real JupyterLab, driven by headless Chromium (Playwright).

Starts JupyterLab on 127.0.0.1 (free port, token, no browser) over a temp folder holding a copy
of ``notebooks/01-code-interviews.ipynb`` and a tiny ingested study, runs all cells from the Run
menu, confirms two segments with the keyboard and one with the mouse, and checks the three
decisions are in the study's SQLite store. A screenshot is kept in ``benchmarks/out/``.

Needs Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``); skipped with a message
only when it is absent and the ``CI`` variable is unset (in CI it must run).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.widgets.jupyter import (
    ARGS,
    CHROMIUM,
    NOTEBOOK,
    open_and_run,
    require_chromium,
    running_lab,
    wait_for_decisions,
)
from workbench import schema
from workbench.codebook import builtin_codebook
from workbench.ingest.pipeline import ingest
from workbench.scaffold import scaffold

pytestmark = [pytest.mark.browser, pytest.mark.slow]

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


@pytest.fixture
def lab(repo_root: Path, tmp_path: Path):
    """A running JupyterLab over a temp root with the notebook and a tiny ingested study."""
    require_chromium()
    root = tmp_path / "lab"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(repo_root / "notebooks" / NOTEBOOK, root / "notebooks" / NOTEBOOK)
    study = scaffold(root / "study")
    study.participants_path.write_text(PARTICIPANTS)
    (study.raw / "interviews" / "P01_call.txt").write_text(INTERVIEW)
    ingest(study, executor=None)
    with running_lab(root, study.root, tmp_path) as (url, token):
        yield url, token, study


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
            open_and_run(page, url, token, f"notebooks/{NOTEBOOK}", tmp_path)
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
            wait_for_decisions(study.codes / "codes.sqlite", 2)
            # mouse: choose a stage with its toggle button, then the Confirm button
            widget.locator("button", has_text=f"5 {stages[4]}").click()
            widget.locator("button", has_text="Confirm & next").click()
            log = wait_for_decisions(study.codes / "codes.sqlite", 3)
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
