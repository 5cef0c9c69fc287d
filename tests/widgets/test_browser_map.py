"""The journey map in a real JupyterLab (notebook 03) fits the notebook at 1,280 px."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.study_fixture import tagged_coded_study  # noqa: F401
from tests.widgets.jupyter import (
    ARGS,
    CHROMIUM,
    accept_kernel_dialog,
    require_chromium,
    running_lab,
)
from workbench.project import Project

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MEASURE = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output svg'))
  .map(s => [s.getBoundingClientRect(), s.closest('.jp-OutputArea-output').getBoundingClientRect()])
  .filter(([r]) => r.width > 300).map(([r, o]) => [r.left, r.right, o.left, o.right])"""


def test_map_fits_the_notebook_in_jupyterlab(
    repo_root: Path,
    tagged_coded_study: Project,  # noqa: F811
    tmp_path: Path,
):
    from playwright.sync_api import sync_playwright

    require_chromium()
    study = tmp_path / "study"
    shutil.copytree(tagged_coded_study.root, study)
    shutil.copytree(repo_root / "notebooks", study / "notebooks")
    with running_lab(study, study, tmp_path) as (url, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(90_000)
            page.goto(f"{url}/lab/tree/notebooks/03-explore-map.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            accept_kernel_dialog(page)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            page.wait_for_selector(".jp-OutputArea-output svg", timeout=180_000)
            page.wait_for_timeout(3000)
            boxes = page.evaluate(MEASURE)
        finally:
            browser.close()
    assert boxes, "no chart drawn in the notebook"
    for left, right, out_left, out_right in boxes:  # the map and every chart: inside its output
        assert out_left - 1 <= left and right <= out_right + 1
