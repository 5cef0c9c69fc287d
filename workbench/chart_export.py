"""Save charts as PNG, SVG, PDF and self-contained HTML, offline and atomically.

Static images come from **vl-convert** (``vl_convert``), which bundles Vega and Vega-Lite and
needs no browser and no network. The HTML file is our own small page around vl-convert's
JavaScript bundle (Vega, Vega-Lite, vega-embed, inlined: about 0.9 MB), so it renders with no
network at all; Altair's ``chart.save("x.html")`` loads its scripts from a CDN instead.

The chart specification is embedded in a ``<script>``. Neither ``chart.save(..., inline=True)``
nor ``vl_convert.vegalite_to_html`` escapes ``</`` inside it, so a quote such as
``</script><img src=x onerror=alert(1)>`` would end the script and inject markup. Here the JSON
is written with ``<``, ``>``, ``&`` and the JavaScript line separators as ``\\uXXXX`` escapes:
still the same JSON value, but no tag can ever start inside the script.

Every export is written with the project theme enabled (see :mod:`workbench.charts_base`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from workbench.atomic import AtomicBatch
from workbench.charts_base import THEME_NAME
from workbench.errors import WorkbenchError

FORMATS = ("png", "svg", "pdf", "html")
EMBED_OPTIONS = {"renderer": "svg", "actions": {"export": True, "source": False, "editor": False}}

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ margin: 16px; background: #ffffff; }}
  #chart.vega-embed {{ width: 100%; display: flex; }}
</style>
<script type="text/javascript">
// Vega, Vega-Lite {vl_version} and vega-embed, inlined by vl-convert: no network needed.
{bundle}
</script>
</head>
<body>
<div id="chart"></div>
<script type="text/javascript">
const spec = {spec};
const embedOptions = {options};
vegaEmbed("#chart", spec, embedOptions).catch(console.error);
</script>
</body>
</html>
"""


class ExportError(WorkbenchError):
    """A chart could not be exported as asked (unknown format, conversion failure)."""


def script_json(data: Any) -> str:
    """JSON text that is safe inside an HTML ``<script>`` element.

    Examples
    --------
    >>> script_json({"q": "</script><b>"})
    '{"q": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    >>> json.loads(script_json({"q": "</script>"}))["q"]
    '</script>'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def vl_version() -> str | None:
    """The vl-convert Vega-Lite version matching Altair's schema (``None``: vl-convert's latest)."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vlc.get_vegalite_versions() else None


@lru_cache(maxsize=2)
def _bundle(version: str | None) -> str:
    bundle = vlc.javascript_bundle(vl_version=version)
    # A closing tag inside the inlined code would end the script early; the bundle has none
    # today, and this keeps it that way ("<\/" means "</" in JavaScript strings and regexes).
    return bundle.replace("</", "<\\/")


def chart_spec(chart: alt.TopLevelMixin | dict, theme: str | None = THEME_NAME) -> dict:
    """The Vega-Lite dict of ``chart`` with ``theme`` enabled (a dict is returned unchanged)."""
    if isinstance(chart, dict):
        return chart
    if theme is None:
        return chart.to_dict()
    with alt.theme.enable(theme):
        return chart.to_dict()


def chart_html(spec: dict, title: str = "Chart") -> str:
    """A self-contained HTML page that renders ``spec`` with no network access."""
    version = vl_version()
    return HTML_PAGE.format(
        title=html.escape(title, quote=True),
        vl_version=version or "latest",
        bundle=_bundle(version),
        spec=script_json(spec),
        options=script_json(EMBED_OPTIONS),
    )


def _targets(path_or_stem: str | Path, formats: Sequence[str] | None) -> dict[str, Path]:
    path = Path(path_or_stem)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        stem = path.with_suffix("")
        chosen = list(formats) if formats is not None else [suffix]
    else:
        stem = path
        chosen = list(formats) if formats is not None else list(FORMATS)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ExportError(f"{path}: unknown format(s) {unknown} (expected some of {FORMATS})")
    return {fmt: stem.parent / f"{stem.name}.{fmt}" for fmt in dict.fromkeys(chosen)}


def save_chart(
    chart: alt.TopLevelMixin | dict,
    path_or_stem: str | Path,
    formats: Sequence[str] | None = None,
    scale: float = 2,
    *,
    theme: str | None = THEME_NAME,
    title: str | None = None,
) -> dict[str, Path]:
    """Save ``chart`` as PNG, SVG, PDF and/or HTML; all files appear together or none does.

    Parameters
    ----------
    chart : altair chart or dict
        The chart (or an already compiled Vega-Lite dict).
    path_or_stem : str or Path
        ``reports/map`` writes ``reports/map.png``, ``.svg``, ``.pdf``, ``.html``;
        ``reports/map.svg`` writes only the SVG unless ``formats`` says otherwise.
    formats : sequence of {"png", "svg", "pdf", "html"}, optional
        Which files to write (default: all, or the one named by the suffix).
    scale : float
        PNG pixel scale (2 = twice the chart's size in pixels, for slides and print).
    theme : str or None
        Altair theme enabled while compiling (default: the project theme).
    title : str, optional
        HTML page title (default: the file stem).

    Returns
    -------
    dict
        Format → path written.
    """
    targets = _targets(path_or_stem, formats)
    spec = chart_spec(chart, theme)
    version = vl_version()
    writers = {
        "png": lambda: vlc.vegalite_to_png(spec, vl_version=version, scale=scale),
        "svg": lambda: vlc.vegalite_to_svg(spec, vl_version=version).encode("utf-8"),
        "pdf": lambda: vlc.vegalite_to_pdf(spec, vl_version=version),
        "html": lambda: chart_html(spec, title or next(iter(targets.values())).stem).encode(
            "utf-8"
        ),
    }
    with AtomicBatch() as batch:
        for fmt, target in targets.items():
            try:
                content = writers[fmt]()
            except Exception as exc:  # vl-convert raises ValueError with the JS message
                raise ExportError(f"{target}: could not export the chart as {fmt} ({exc})") from exc
            batch.stage(target, lambda tmp, data=content: Path(tmp).write_bytes(data))
    return targets
