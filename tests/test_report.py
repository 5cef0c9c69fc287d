"""Tests of ``workbench report`` on a copy of the sample study (ingested, coded by rules + VADER).

One report run is built per module (a few seconds: every chart is laid out once and saved as
PNG, SVG and PDF). A hostile quote, a hostile opportunity note and a hostile goal are planted in
the study to show the saved pages stay inert.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from workbench import schema as s
from workbench.codebook import study_codebook
from workbench.journey import build_journey_map
from workbench.opportunities import OPPORTUNITY_ID, OpportunityNotes
from workbench.project import Project
from workbench.report import build_report, report_summary
from workbench.report_html import ReportError, inline_svg

HOSTILE = "</script><img src=x onerror=alert(1)>"
HOSTILE_NOTE = '"><svg onload=alert(2)>'
RUN = "test-run"
PERSONAS = ("budget-family", "cautious-switcher", "remote-worker")
CHARTS = ("journey_map", "emotion_curve", "touchpoint_heatmap", "pain_priority", "survey_metrics")
CHROMIUM = Path("/usr/bin/chromium")


def _coded(project: Project) -> pd.DataFrame:
    """Rules + VADER codes for every segment (what `workbench tag` does before any model)."""
    from workbench.tag.rules import RuleTagger
    from workbench.tag.sentiment import VaderScorer

    segments = pd.read_parquet(project.processed_file("segments.parquet")).reset_index(drop=True)
    codebook = study_codebook(project.root)
    scores = VaderScorer().score(segments[s.TEXT].fillna("").tolist())
    tags = (
        RuleTagger(codebook)
        .fit()
        .predict_frame(segments[s.TEXT].fillna(""), sentiment=scores["compound"].to_numpy())
    )
    coded = pd.concat([segments, tags.reset_index(drop=True)], axis=1)
    coded[s.SENTIMENT] = scores["compound"].to_numpy()
    coded[s.SENTIMENT_LABEL] = scores[s.SENTIMENT_LABEL].to_numpy()
    coded[s.CODER] = None
    coded[s.NEEDS_REVIEW] = False
    coded[s.CODEBOOK_HASH] = codebook.hash
    return coded


def _codable(coded: pd.DataFrame) -> pd.DataFrame:
    keep = (coded[s.SPEAKER_ROLE] == s.ROLE_PARTICIPANT) & coded[s.STAGE].notna()
    return coded[keep.fillna(False).astype(bool)]


@pytest.fixture(scope="module")
def study(tmp_path_factory, repo_root) -> Project:
    from workbench.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("study")
    shutil.copytree(repo_root / "data" / "raw", root / "data" / "raw")
    shutil.copy(repo_root / "study.yml", root / "study.yml")
    project = Project(root)
    ingest(project, skip_bad=True, progress=False)
    coded = _coded(project)
    # plant a hostile quote in a codable remote-worker segment that is also a goal (goal
    # quotes are drawn as text on the map, so the string reaches the SVG too)
    rows = _codable(coded)
    target = rows.index[(rows[s.PERSONA] == "remote-worker").to_numpy()][0]
    coded.loc[target, s.TEXT] = f"{HOSTILE} I wanted it to just work"
    coded.loc[target, s.GOAL] = True
    coded.to_parquet(project.processed_file("coded.parquet"), index=False)
    jm = build_journey_map(coded, study_codebook(root), n_boot=10)
    mine = jm.opportunities[jm.opportunities[s.PERSONA] == "remote-worker"]
    OpportunityNotes(project).set(mine[OPPORTUNITY_ID].iloc[0], HOSTILE_NOTE)
    return project


@pytest.fixture(scope="module")
def run(study) -> Path:
    return build_report(study, run_id=RUN, progress=False)


def _html_files(run: Path) -> list[Path]:
    return sorted(run.rglob("*.html"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_files_exist(run):
    assert run.name == RUN
    assert (run / "index.html").is_file()
    for persona in PERSONAS:
        folder = run / persona
        assert (folder / "report.html").stat().st_size > 10_000
        for name in CHARTS:
            png = (folder / "charts" / f"{name}.png").read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000, name
            width = int.from_bytes(png[16:20], "big")
            assert width > 200, name
            assert (folder / "charts" / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
            assert (folder / "charts" / f"{name}.svg").read_text().lstrip().startswith("<svg")
    assert (run / "charts" / "persona_comparison.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(run.parent.glob(".*partial")), "staging folder left behind"


def test_manifest_hashes_and_keys(run, study):
    manifest = json.loads((run / "manifest.json").read_text())
    for key in ("run", "created", "workbench_version", "parameters", "codebook", "inputs",
                "packages", "personas", "outputs"):  # fmt: skip
        assert key in manifest, key
    assert manifest["codebook"]["hash"] == study_codebook(study.root).hash
    raw = {p.relative_to(study.root).as_posix() for p in study.raw.rglob("*") if p.is_file()}
    assert set(manifest["inputs"]["raw"]) == raw
    for section in ("raw", "processed", "codes"):
        for rel, digest in manifest["inputs"][section].items():
            assert digest == _sha(study.root / rel), rel
    assert "data/codes/opportunity_notes.json" in manifest["inputs"]["codes"]
    coded = manifest["inputs"]["coded"]
    assert coded["path"] == "data/processed/coded.parquet"
    assert coded["sha256"] == _sha(study.processed_file("coded.parquet"))
    assert manifest["packages"]["pandas"] == metadata.version("pandas")
    assert manifest["parameters"]["personas"] == list(PERSONAS)
    for rel, digest in manifest["outputs"].items():
        assert digest == _sha(run / rel), rel
    assert "index.html" in manifest["outputs"]


def test_evidence_appendix_lists_every_codable_segment(run, study):
    coded = pd.read_parquet(study.processed_file("coded.parquet"))
    codable = _codable(coded)
    for persona in PERSONAS:
        page = (run / persona / "report.html").read_text()
        rows = page.count('<tr class="ev">')
        assert rows == int((codable[s.PERSONA] == persona).sum()), persona
        # every segment's source file is named in the appendix
        for path in codable.loc[codable[s.PERSONA] == persona, s.SOURCE_PATH].unique():
            assert f"<td>{path}</td>" in page


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_text_is_inert(run):
    pages = _html_files(run)
    assert len(pages) == 1 + len(PERSONAS)
    for page in pages:
        parser = _Collector()
        parser.feed(page.read_text(encoding="utf-8"))
        assert "img" not in parser.tags, page
        assert "script" not in parser.tags, page
        assert not [a for a, _ in parser.attrs if a.startswith("on")], page
    parser = _Collector()
    parser.feed((run / "remote-worker" / "report.html").read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert f"{HOSTILE} I wanted it to just work" in text  # the quote, shown as text
    assert HOSTILE_NOTE in text  # the note too
    svg = (run / "remote-worker" / "charts" / "journey_map.svg").read_text()
    assert "&lt;/script&gt;&lt;img" in svg  # the goal quote reached the map, escaped


def test_no_raw_value_reaches_a_reader(run):
    """No null, NaN or internal snake_case name in what a reader sees (file names aside)."""
    for page in [run / "index.html", *(run / p / "report.html" for p in PERSONAS)]:
        html_text = page.read_text(encoding="utf-8")
        visible = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html_text, flags=re.S)
        parser = _Collector()
        parser.feed(visible)
        words = " ".join(parser.text).split()
        assert not [w for w in words if w.strip(".,;:()") in ("nan", "NaN", "<NA>", "None")]
        snake = [
            w
            for w in words
            if "/" not in w and re.search(r"(^|:)[a-z]+(_[a-z0-9]+)+$", w.strip(".,;()"))
        ]  # "touchpoints:social_media" too; file paths are names a reader can use
        assert snake == [], (page.name, sorted(set(snake))[:10])
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", html_text)  # chart text, too
        assert not [t for t in labels if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", t.strip())]


def test_pages_make_no_network_references(run):
    remote = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
    for page in _html_files(run):
        text = page.read_text(encoding="utf-8")
        assert not remote.search(text), page
        assert "<script" not in text.lower() and "<link" not in text.lower(), page
        assert "@import" not in text and "url(http" not in text, page
        assert "Content-Security-Policy" in text and "default-src 'none'" in text


def test_report_summary_names_every_persona(run):
    text = report_summary(run)
    manifest = json.loads((run / "manifest.json").read_text())
    for entry in manifest["personas"]:
        assert f"{entry['persona']}: {entry['n_segments']} segments" in text
    assert str(run / "index.html") in text
    assert report_summary(run / "index.html") == text


def test_existing_run_is_not_overwritten(run, study):
    before = _sha(run / "index.html")
    with pytest.raises(ReportError, match="already exists"):
        build_report(study, run_id=RUN, progress=False)
    assert _sha(run / "index.html") == before


def test_unknown_persona_is_refused(study):
    with pytest.raises(ReportError, match="nobody"):
        build_report(study, run_id="other", personas=["nobody"], progress=False)
    assert not (study.reports / "other").exists()


def test_inline_svg_refuses_active_content_but_keeps_text():
    assert "onerror=alert" in inline_svg("<svg><text>onerror=alert(1)</text></svg>", "a")
    for bad in ('<svg><script>alert(1)</script></svg>', '<svg onload="alert(1)"></svg>',
                '<svg><image href="https://example.org/x.png"/></svg>'):  # fmt: skip
        with pytest.raises(ReportError):
            inline_svg(bad, "a")


@pytest.mark.browser
def test_report_renders_in_headless_chromium(run, study, tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser test")
    from playwright.sync_api import sync_playwright

    shots = study.reports / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            for persona in PERSONAS:
                page = browser.new_page(viewport={"width": 1400, "height": 1100})
                blocked, failed = [], []

                def route(r, blocked=blocked):
                    if r.request.url.startswith("file:"):
                        r.continue_()
                    else:
                        blocked.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.on("requestfailed", lambda req, failed=failed: failed.append(req.url))
                page.goto((run / persona / "report.html").as_uri())
                svg = page.locator("#map figure svg").first
                box = svg.bounding_box()
                assert box and box["width"] > 500 and box["height"] > 300
                labels = svg.locator("text").all_text_contents()
                assert "Awareness" in labels and "Support" in labels
                assert page.locator("tr.ev").count() > 50
                assert blocked == [] and failed == []
                shot = tmp_path / f"{persona}.png"
                page.screenshot(path=str(shot))
                assert shot.read_bytes()[:4] == b"\x89PNG"
                shutil.copy(shot, shots / shot.name)
                page.close()
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 1920])
def test_map_legends_and_every_persona_fit_the_page(run, width):
    """Measured in Chromium: no figure, legend or persona panel reaches past the viewport."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium to run the browser test")
    from playwright.sync_api import sync_playwright

    measure = """(sel) => Array.from(document.querySelectorAll(sel)).map(e => {
        const r = e.getBoundingClientRect(); return [r.left, r.right]; })"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto((run / PERSONAS[0] / "report.html").as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            svgs = page.evaluate(measure, "figure svg")
            legends = page.evaluate(measure, "#map figure svg g.role-legend")
            assert svgs and legends, "the map and its legends are drawn"
            assert all(left >= 0 and right <= width for left, right in svgs + legends)
            page.goto((run / "index.html").as_uri())
            titles = page.evaluate(measure, "#comparison svg g.role-title text")
            personas = [
                t for t in page.locator("#comparison svg g.role-title text").all_text_contents()
            ]
            assert set(PERSONAS) <= set(personas)  # every persona has its panel ...
            assert all(right <= width for _, right in titles)  # ... inside the page
        finally:
            browser.close()


def test_methods_agreement_from_the_code_store(tmp_path):
    from workbench.report_methods import store_agreement
    from workbench.store import CodeStore

    project = Project(tmp_path)
    table, note = store_agreement(project)
    assert table is None and "No human-code store" in note
    assert not project.codes.exists()  # reading never creates a store
    with CodeStore.for_project(tmp_path) as store:
        for i, (a, b) in enumerate([("search", "search"), ("support", "support"),
                                    ("support", "renewal"), ("search", "search")]):  # fmt: skip
            store.record(f"s{i}", "ana", stage=a, pain_point=i % 2 == 0)
            store.record(f"s{i}", "ben", stage=b, pain_point=i % 2 == 0)
    table, note = store_agreement(project)
    stage = table[table["code"] == s.STAGE].iloc[0]
    assert (stage["coder_a"], stage["coder_b"], stage["n_units"]) == ("ana", "ben", 4)
    assert stage["percent_agreement"] == 0.75
    assert "ana, ben" in note
