"""HTML building blocks of the reports: escaping, tables, inline SVG figures and the page shell.

Every value that reaches a page goes through :func:`esc` (``html.escape(..., quote=True)``)
unless it is a :class:`Markup` built here from escaped parts. Pages carry no scripts at all and a
Content-Security-Policy that forbids scripts and every network fetch, so a report is inert and
offline even if something slipped through. Charts are inlined as the SVG vl-convert renders
(text escaped by Vega); :func:`inline_svg` makes their element ids unique per figure (several
SVGs in one page would otherwise share ``clip1``, gradient ids and the like) and refuses any SVG
that contains a script, a ``foreignObject``, an event-handler attribute or an external link.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from defusedxml import ElementTree

from workbench import schema
from workbench.errors import WorkbenchError

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --band:#f5f7fa; --accent:#0072B2;
        --weak:#D55E00; }
* { box-sizing: border-box; }
body { margin:0; font-family:'Source Sans 3','Source Sans Pro','Helvetica Neue',Arial,
       'DejaVu Sans',sans-serif; color:var(--ink); background:#fff; line-height:1.45; }
header.top { background:var(--ink); color:#fff; padding:20px 32px; }
header.top h1 { margin:0; font-size:26px; font-weight:600; }
header.top p { margin:4px 0 0; color:#cbd2d9; font-size:14px; }
header.top a { color:#cbd2d9; }
main { padding:8px 32px 48px; max-width:1400px; }
nav.toc { font-size:14px; margin:12px 0 4px; }
nav.toc a { margin-right:14px; color:var(--accent); text-decoration:none; }
h2 { font-size:20px; font-weight:600; border-bottom:2px solid var(--line); padding-bottom:4px;
     margin-top:36px; }
h3 { font-size:16px; font-weight:600; margin:22px 0 6px; }
p.note, .muted { color:var(--muted); font-size:13px; }
figure { margin:12px 0 20px; overflow-x:auto; }
figure svg { max-width:100%; height:auto; }
a { color:var(--accent); }
td.quote p { margin:0 0 6px; }
figcaption { font-size:12px; color:var(--muted); margin-top:4px; }
figcaption a { color:var(--accent); }
table { border-collapse:collapse; font-size:13px; margin:8px 0 16px; width:100%; }
th, td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left;
         vertical-align:top; }
th { background:var(--band); font-weight:600; position:sticky; top:0; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.quote { max-width:560px; }
tr.weak td { color:var(--muted); }
span.weak { color:var(--weak); font-weight:600; font-size:12px; }
span.tag { display:inline-block; background:var(--band); border:1px solid var(--line);
           border-radius:3px; padding:0 5px; margin:1px 2px 1px 0; font-size:12px; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin:12px 0; }
.card { border:1px solid var(--line); border-radius:6px; padding:10px 14px; min-width:150px; }
.card b { display:block; font-size:22px; }
.card span { color:var(--muted); font-size:12px; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; font-size:14px; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; }
footer { color:var(--muted); font-size:12px; padding:16px 32px; border-top:1px solid var(--line); }
@media print {
  header.top { background:#fff; color:var(--ink); border-bottom:2px solid var(--ink); }
  header.top p, header.top a { color:var(--muted); }
  nav.toc { display:none; }
  main { padding:0 8px; max-width:none; }
  h2 { break-after:avoid; }
  figure, tr { break-inside:avoid; }
  figure { overflow:visible; }
  figure svg { max-width:100%; }
  th { position:static; }
  a { color:inherit; text-decoration:none; }
}
"""

_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed"}
_SVG_ID = re.compile(r'\bid="([^"]+)"')


class ReportError(WorkbenchError):
    """A report cannot be written as asked (unsafe chart output, existing run folder, ...)."""


class Markup(str):
    """Text that is already safe HTML (built by this module from escaped parts)."""


def esc(value: Any) -> str:
    """HTML-escape any value (``None`` and NaN become an empty string); :class:`Markup` passes.

    Examples
    --------
    >>> esc('</script><img src=x onerror="alert(1)">')
    '&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> esc(None), esc(float("nan")), esc(Markup("<b>ok</b>"))
    ('', '', '<b>ok</b>')
    """
    if isinstance(value, Markup):
        return str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    try:
        if value != value:  # NaN-like missing markers
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


_FIELD_NAMES = {
    schema.STAGE: "Stage",
    schema.TOUCHPOINTS: "Touchpoints",
    schema.EMOTION: "Emotion",
    schema.SENTIMENT_LABEL: "Sentiment",
    schema.SENTIMENT: "Sentiment",
    schema.PAIN_POINT: "Pain point",
    schema.GOAL: "Goal",
}


def readable(name: Any, labels: dict[str, str] | None = None) -> str:
    """An internal name as a reader says it: a code kind, ``kind:code`` or a code.

    Examples
    --------
    >>> readable("pain_point"), readable("touchpoints:sms", {"sms": "Text / SMS"})
    ('Pain point', 'Touchpoints: Text / SMS')
    >>> readable("in_person")
    'In person'
    """
    text = str(name)
    if ":" in text:
        kind, _, code = text.partition(":")
        return f"{readable(kind)}: {readable(code, labels)}"
    if labels and text in labels:
        return labels[text]
    if text in _FIELD_NAMES:
        return _FIELD_NAMES[text]
    return text.replace("_", " ").capitalize() if "_" in text else text


def number(value: Any, digits: int = 2, *, percent: bool = False, signed: bool = False) -> str:
    """A number for a table cell; missing values are an en dash.

    Examples
    --------
    >>> number(0.4567), number(0.25, 0, percent=True), number(None), number(3.0, 1, signed=True)
    ('0.46', '25%', '–', '+3.0')
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x):
        return "–"
    if percent:
        return f"{100 * x:.{digits}f}%"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def tags(values: Iterable[Any] | None, labels: dict[str, str] | None = None) -> Markup:
    """A list of codes as small escaped tags."""
    labels = labels or {}
    if values is None or isinstance(values, str) or not hasattr(values, "__iter__"):
        values = [] if values is None or isinstance(values, float) else [values]
    parts = [
        f'<span class="tag">{esc(labels.get(str(v), v))}</span>'
        for v in values
        if isinstance(v, str) and v
    ]
    return Markup("".join(parts))


def link(href: str, text: Any) -> Markup:
    """A relative link (the target is escaped as an attribute)."""
    return Markup(f'<a href="{esc(href)}">{esc(text)}</a>')


def weak_badge(weak: Any, text: str = "weak evidence") -> Markup:
    return Markup(f'<span class="weak">{esc(text)}</span>' if bool(weak) else "")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Sequence[int] = (),
    row_classes: Iterable[str] | None = None,
    cell_classes: dict[int, str] | None = None,
    caption: str | None = None,
) -> Markup:
    """An HTML table; every cell is escaped unless it is :class:`Markup`.

    Examples
    --------
    >>> str(table(["a"], [["<x>"]]))
    '<table><thead><tr><th>a</th></tr></thead><tbody>\\n<tr><td>&lt;x&gt;</td></tr>\\n</tbody></table>'
    """
    numeric = set(numeric)
    cell_classes = dict(cell_classes or {})
    for i in numeric:
        cell_classes[i] = (cell_classes.get(i, "") + " num").strip()
    head = "".join(
        f'<th class="{cell_classes[i]}">{esc(h)}</th>'
        if i in cell_classes
        else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    classes = iter(row_classes) if row_classes is not None else None
    body = []
    for row in rows:
        cls = next(classes, "") if classes is not None else ""
        cells = "".join(
            f'<td class="{cell_classes[i]}">{esc(v)}</td>'
            if i in cell_classes
            else f"<td>{esc(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f'<tr class="{esc(cls)}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return Markup(
        f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table>"
    )


def inline_svg(svg: str, prefix: str) -> Markup:
    """An SVG rendered by vl-convert, ready to inline: ids made unique with ``prefix``.

    Raises :class:`ReportError` when the SVG holds anything active (script, event handler,
    ``foreignObject``, external link): a chart image never needs one.

    Examples
    --------
    >>> str(inline_svg('<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"/></svg>', "m"))
    '<svg><clipPath id="m-clip1"/><g clip-path="url(#m-clip1)"/></svg>'
    """
    bad = _active_part(svg)
    if bad:
        raise ReportError(f"chart {prefix!r}: refusing to inline SVG containing {bad}")
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    for old in sorted(set(_SVG_ID.findall(svg)), key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return Markup(svg)


def _active_part(svg: str) -> str | None:
    """The first active part of an SVG document (element, handler, external link), or None."""
    try:
        root = ElementTree.fromstring(svg)
    except Exception as exc:
        return f"malformed XML ({exc})"
    for element in root.iter():
        name = str(element.tag).rsplit("}", 1)[-1].casefold()
        if name in _FORBIDDEN_ELEMENTS:
            return f"a <{name}> element"
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].casefold()
            if local.startswith("on"):
                return f"an event handler ({local})"
            if local == "href" and not value.startswith(("#", "data:image/")):
                return f"an external link ({value[:40]!r})"
    return None


def figure(svg: Markup, caption: str, files: dict[str, str], *, css: str = "") -> Markup:
    """A figure: the inline SVG, a caption and links to the exported files."""
    links = " · ".join(link(href, fmt.upper()) for fmt, href in files.items())
    extra = f" — {links}" if links else ""
    cls = f' class="{esc(css)}"' if css else ""
    return Markup(f"<figure{cls}>{svg}<figcaption>{esc(caption)}{extra}</figcaption></figure>")


def cards(items: Sequence[tuple[str, Any]]) -> Markup:
    """Key figures as a row of cards (value, label)."""
    inner = "".join(
        f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in items
    )
    return Markup(f'<div class="cards">{inner}</div>')


def facts(items: Sequence[tuple[str, Any]]) -> Markup:
    """A definition list of label → value."""
    inner = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return Markup(f'<dl class="facts">{inner}</dl>')


def section(anchor: str, title: str, *parts: Any) -> Markup:
    """A titled section; parts are escaped unless they are :class:`Markup`."""
    body = "\n".join(esc(p) if not isinstance(p, Markup) else str(p) for p in parts)
    return Markup(f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n{body}\n</section>')


def paragraph(text: Any, css: str = "") -> Markup:
    cls = f' class="{esc(css)}"' if css else ""
    return Markup(f"<p{cls}>{esc(text)}</p>")


def page(
    title: str,
    body: Sequence[Markup],
    *,
    subtitle: str = "",
    toc: Sequence[tuple[str, str]] = (),
    footer: str = "",
    back: tuple[str, str] | None = None,
) -> str:
    """A complete, self-contained HTML document (inline CSS, no scripts, strict CSP)."""
    nav = " ".join(link(f"#{anchor}", text) for anchor, text in toc)
    back_link = f"<p>{link(*back)}</p>" if back else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><h1>{esc(title)}</h1><p>{esc(subtitle)}</p>{back_link}</header>\n'
        f"<main>\n"
        + (f'<nav class="toc">{nav}</nav>\n' if toc else "")
        + "\n".join(str(b) for b in body)
        + f"\n</main>\n<footer>{esc(footer)}</footer>\n</body>\n</html>\n"
    )
