"""Notebook 01 in a real JupyterLab on the study exactly as `workbench demo` leaves it.

The state a new user is in after `make demo`: coded.parquet (list columns read back as arrays),
trained models, two coders in the store. Three segments are confirmed by keyboard and one by
mouse; Enter on an empty stage must store nothing; `workbench report` then shows the decisions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
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
from workbench.store import CodeStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CODER = "researcher"  # notebook 01's default coder


@pytest.fixture(scope="module")
def demo_study(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample study after `workbench demo` (through the CLI, as `make demo`)."""
    require_chromium()
    root = tmp_path_factory.mktemp("demo") / "study"
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copytree(repo_root / "data" / "codes" / "imports", root / "data" / "codes" / "imports")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    shutil.copytree(repo_root / "notebooks", root / "notebooks")
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "demo", "--project", str(root)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (root / "data" / "processed" / "coded.parquet").is_file()
    return root


def test_code_after_demo_in_jupyterlab_and_see_it_in_the_report(demo_study: Path, tmp_path):
    from playwright.sync_api import sync_playwright

    store_path = demo_study / "data" / "codes" / "codes.sqlite"
    with CodeStore(store_path) as store:
        before = len(store.decisions())
    with (
        running_lab(demo_study, demo_study, tmp_path) as (url, token),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)
            open_and_run(page, url, token, f"notebooks/{NOTEBOOK}", tmp_path)
            widget = page.locator(".wb-coding").first
            widget.scroll_into_view_if_needed()
            card = widget.locator(".wb-card")
            for number in ("2", "6", "3"):  # keyboard: a stage, then Enter
                text = card.inner_text()
                card.click()
                page.keyboard.press(number)
                page.keyboard.press("Enter")
                page.wait_for_function(
                    "t => document.querySelector('.wb-coding .wb-card').innerText !== t", arg=text
                )
            wait_for_decisions(store_path, before + 3)
            # Enter on an empty stage: nothing is stored, the widget says why and stays
            widget.locator("button", has_text="– none").click()
            text = card.inner_text()
            card.click()
            page.keyboard.press("Enter")
            page.wait_for_function(
                "() => document.querySelector('.wb-coding').innerText.includes('Nothing saved')"
            )
            assert card.inner_text() == text
            # mouse: a stage button, then Confirm
            widget.locator("button", has_text="6 Support").click()
            widget.locator("button", has_text="Confirm & next").click()
            log = wait_for_decisions(store_path, before + 4)
            message = widget.locator(".wb-status").last.inner_text()
            widget.screenshot(path=str(tmp_path / "after-demo.png"))
            errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']")
            assert errors.count() == 0, errors.all_inner_texts()  # every cell ran, agreement too
        finally:
            browser.close()
    mine = log[log[schema.CODER] == CODER]
    assert len(log) == before + 4 and len(mine) == 4  # Enter on empty added nothing
    assert mine[schema.STAGE].tolist() == ["consideration", "support", "decision", "support"]
    assert not re.search(r"\b[0-9a-f]{16}\b", message)  # segments named, not hashed
    report = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "tag", "--project", str(demo_study)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr[-2000:]
    report = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "report", "--project", str(demo_study),
         "--run-id", "after-coding"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr[-2000:]
    coded = pd.read_parquet(demo_study / "data" / "processed" / "coded.parquet")
    coded = coded.set_index(schema.SEGMENT_ID)
    html = "".join(
        p.read_text(encoding="utf-8")
        for p in (demo_study / "reports" / "after-coding").glob("*/report.html")
    )
    for segment in mine[schema.SEGMENT_ID]:
        row = coded.loc[segment]
        assert row[schema.CODE_SOURCE] == schema.SOURCE_HUMAN and row[schema.CODER] == CODER
        quote = " ".join(str(row[schema.TEXT]).split())[:40]
        assert quote.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;") in html
