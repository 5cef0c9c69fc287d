"""Exports checked as files: PNG pixels, SVG XML, PDF header, offline and injection-safe HTML."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from tests import chart_frames as F
from workbench import chart_export, charts
from workbench.chart_export import ExportError, save_chart, script_json
from workbench.charts_base import FONT
from workbench.codebook import builtin_codebook

CB = builtin_codebook()
STAGE_LABELS = [c.label for c in CB.stages if c.code in F.STAGES]


def curve() -> alt.LayerChart:
    return charts.emotion_curve(
        F.stages_frame(), F.evidence_frame(), codebook=CB, persona="remote-worker"
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def png_pixels(data: bytes) -> list[bytes]:
    """Decode an 8-bit RGB/RGBA PNG into rows of raw pixel bytes (filters undone)."""
    width, height = png_size(data)
    depth, color = data[24], data[25]
    assert depth == 8 and color in (2, 6)
    bpp = 4 if color == 6 else 3
    pos, idat = 8, b""
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return rows


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("charts")
    return save_chart(curve(), out / "emotion")


def test_all_formats_written_with_their_suffixes(exported):
    assert sorted(exported) == ["html", "pdf", "png", "svg"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in exported.values())
    assert {p.suffix for p in exported.values()} == {".png", ".svg", ".pdf", ".html"}
    assert not list(exported["png"].parent.glob(".*.tmp"))  # no temporary files left


def test_png_is_an_image_with_content(exported):
    rows = png_pixels(exported["png"].read_bytes())
    values = [v for row in rows[:: max(1, len(rows) // 60)] for v in row[::7]]
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    assert variance > 100  # a blank or single-colour image has (almost) none
    assert len(set(values)) > 20


def test_png_scale_two_doubles_the_pixels(tmp_path):
    small = charts.coding_progress(F.progress_frame(), codebook=CB)
    one = save_chart(small, tmp_path / "one.png", scale=1)["png"]
    two = save_chart(small, tmp_path / "two.png", scale=2)["png"]
    (w1, h1), (w2, h2) = png_size(one.read_bytes()), png_size(two.read_bytes())
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2
    assert not (tmp_path / "one.svg").exists()  # a suffix chooses that format only


def test_svg_is_xml_with_the_stage_labels_and_theme_font(exported):
    root = ET.parse(exported["svg"]).getroot()
    assert root.tag.endswith("svg")
    texts = {el.text for el in root.iter() if el.tag.endswith("text") and el.text}
    assert set(STAGE_LABELS) <= texts
    assert "Source Sans 3" in exported["svg"].read_text(encoding="utf-8")


def test_pdf_header(exported):
    assert exported["pdf"].read_bytes()[:5] == b"%PDF-"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict]] = []
        self.ends: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self.ends.append(tag)
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def test_html_is_offline_and_carries_the_spec(exported):
    text = exported["html"].read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(text)
    scripts = [attrs for tag, attrs in tags.starts if tag == "script"]
    assert len(scripts) == 2 and all("src" not in a for a in scripts)
    assert not re.search(r"<(script|link|img)[^>]+(src|href)\s*=\s*[\"']?https?://", text)
    assert "vegaEmbed" in tags.scripts[0] and len(tags.scripts[0]) > 100_000
    spec = json.loads(re.search(r"const spec = (.*);\n", tags.scripts[1]).group(1))
    assert spec["config"]["font"] == FONT  # exported with the project theme
    assert spec["layer"][-1]["mark"]["type"] == "circle"


def test_html_cannot_be_broken_out_of_even_with_raw_hostile_text(tmp_path):
    """No escaping upstream at all: the export layer alone must keep the markup inert."""
    frame = pd.DataFrame({"stage": ["a", "b"], "n": [1, 2], "quote": [F.HOSTILE, "<!-- x"]})
    chart = alt.Chart(frame).mark_bar().encode(x="stage:N", y="n:Q", tooltip="quote:N")
    path = save_chart(chart, tmp_path / "hostile.html")["html"]
    text = path.read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(text)
    assert [t for t, _ in tags.starts if t == "img"] == []
    assert [t for t, _ in tags.starts if t == "script"] == ["script", "script"]
    assert tags.ends.count("script") == 2
    assert text.lower().count("</script") == 2
    spec = json.loads(re.search(r"const spec = (.*);\n", tags.scripts[1]).group(1))
    assert F.HOSTILE in json.dumps(spec, ensure_ascii=False)  # the data itself survives intact


def test_script_json_round_trips_and_has_no_angle_brackets():
    data = {"q": F.HOSTILE + " & \u2028", "n": [1, None]}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ExportError, match="unknown format"):
        save_chart(curve(), tmp_path / "x", formats=("png", "gif"))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_format_leaves_no_file_at_all(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(chart_export.vlc, "vegalite_to_pdf", broken)
    with pytest.raises(ExportError, match=r"x\.pdf: could not export the chart as pdf \(boom\)"):
        save_chart(curve(), tmp_path / "x", formats=("png", "svg", "pdf"))
    assert list(tmp_path.iterdir()) == []
