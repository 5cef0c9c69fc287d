"""HTML pieces of the coding widget. Every piece of study text goes through ``html.escape``.

Transcripts and survey answers are untrusted text: a quote containing ``<script>`` must show as
text, never run. The functions here take plain values and return HTML strings, so they are
tested without a browser.

Examples
--------
>>> "&lt;b&gt;" in segment_html({"text": "<b>hi</b>"}, [], [], where="P1 · a.txt · line 3")
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from workbench import schema

CSS = """<style>
.wb-coding {outline: none; max-width: 980px;}
.wb-coding:focus-within, .wb-coding:focus {box-shadow: 0 0 0 2px #4c8bf5;}
.wb-card {border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; background: #fff;}
.wb-meta {color: #57606a; font-size: 12px; margin-bottom: 6px;}
.wb-turn {color: #6e7781; margin: 2px 0; font-size: 13px; white-space: pre-wrap;}
.wb-current {border-left: 4px solid #4c8bf5; padding: 4px 8px; margin: 6px 0;
  background: #f3f8ff; white-space: pre-wrap; font-size: 15px;}
.wb-speaker {font-weight: 600;}
.wb-proposal {padding: 6px 10px; border-radius: 6px; background: #f6f8fa; font-size: 13px;}
.wb-low-confidence {background: #fff8c5; border: 1px solid #d4a72c;}
.wb-badge {display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600;
  background: #bf8700; color: #fff; margin-left: 6px; font-size: 12px;}
.wb-error {border: 1px solid #cf222e; background: #ffebe9; color: #82071e; padding: 6px 10px;
  border-radius: 6px; white-space: pre-wrap;}
.wb-status {color: #57606a; font-size: 12px;}
.wb-others {color: #57606a; font-size: 12px;}
</style>"""

CHECK_BADGE = "check this"


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def _turn(row: Mapping[str, Any], css: str) -> str:
    speaker = row.get(schema.SPEAKER) or row.get(schema.SPEAKER_ROLE) or ""
    return (
        f'<div class="{css}"><span class="wb-speaker">{_e(speaker)}:</span> '
        f"{_e(row.get(schema.TEXT))}</div>"
    )


def segment_html(
    row: Mapping[str, Any],
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    *,
    where: str,
    header: str = "",
) -> str:
    """The segment card: meta line, preceding turns, the segment (highlighted), following turns."""
    parts = [f'<div class="wb-card"><div class="wb-meta">{_e(header)} {_e(where)}</div>']
    parts += [_turn(r, "wb-turn") for r in before]
    parts.append(_turn(row, "wb-current"))
    parts += [_turn(r, "wb-turn") for r in after]
    parts.append("</div>")
    return "".join(parts)


def where_text(row: Mapping[str, Any], location: str) -> str:
    """``participant · persona · source · location`` for the meta line."""
    bits = [
        row.get(schema.PARTICIPANT_ID),
        row.get(schema.PERSONA),
        row.get(schema.SOURCE_PATH),
        location,
    ]
    question = row.get(schema.QUESTION_ID)
    if question and row.get(schema.SOURCE_TYPE) == schema.SOURCE_SURVEY:
        bits.append(f"question {question}")
    return " · ".join(str(b) for b in bits if b)


def proposal_html(
    proposal: Mapping[str, Any], *, low: bool, labels: Mapping[str, str] | None = None
) -> str:
    """The model's proposal with its confidence; low confidence gets a class and a badge.

    ``labels`` maps codes to the codebook's labels (``social_media`` → ``Social media``).
    """
    labels = labels or {}

    def name(code: Any) -> str:
        return "–" if code is None or code != code else labels.get(str(code), str(code))

    confidence = proposal.get(schema.STAGE_CONFIDENCE)
    conf = "–" if confidence is None or confidence != confidence else f"{float(confidence):.2f}"
    touch = schema.as_list(proposal.get(schema.TOUCHPOINTS))
    sentiment = proposal.get(schema.SENTIMENT)
    sent = "" if sentiment is None or sentiment != sentiment else f" ({float(sentiment):+.2f})"
    flags = [name for name in (schema.PAIN_POINT, schema.GOAL) if proposal.get(name)]
    css = "wb-proposal wb-low-confidence" if low else "wb-proposal"
    badge = f'<span class="wb-badge">{CHECK_BADGE}</span>' if low else ""
    source = proposal.get(schema.CODE_SOURCE) or "model"
    return (
        f'<div class="{css}"><b>Proposal</b> ({_e(source)}){badge}<br>'
        f"stage <b>{_e(name(proposal.get(schema.STAGE)))}</b> · confidence {conf} · "
        f"touchpoints {_e(', '.join(map(name, touch)) or '–')} · "
        f"emotion {_e(name(proposal.get(schema.EMOTION)))} · "
        f"sentiment {_e(proposal.get(schema.SENTIMENT_LABEL) or '–')}{sent} · "
        f"{_e(', '.join(flags) or 'no pain point / goal')}</div>"
    )


def others_html(others: Mapping[str, Mapping[str, Any] | None], *, blind: bool) -> str:
    """Other coders' current codes for this segment, or a note in blind mode."""
    if blind:
        return '<div class="wb-others">blind coding: other coders\' codes are hidden</div>'
    shown = [
        f"{_e(coder)}: {_e(code.get(schema.STAGE) or '–')}"
        for coder, code in others.items()
        if code is not None
    ]
    if not shown:
        return ""
    return f'<div class="wb-others">other coders: {"; ".join(shown)}</div>'


def progress_html(
    *, coder: str, position: int, n_queue: int, n_coded: int, n_remaining: int, agreement: str
) -> str:
    """Coder, place in the queue, coded and remaining counts, agreement so far."""
    place = f"{position + 1} / {n_queue}" if n_queue else "0 / 0"
    return (
        f'<div class="wb-status">coder <b class="wb-coder">{_e(coder)}</b> · segment {place} · '
        f"coded {n_coded} · remaining {n_remaining} · {_e(agreement)}</div>"
    )


def error_html(message: str, title: str = "Not saved.") -> str:
    """A visible error box (the exception text escaped)."""
    return f'<div class="wb-error"><b>{_e(title)}</b> {_e(message)}</div>'


def status_html(message: str) -> str:
    """A quiet status line."""
    return f'<div class="wb-status">{_e(message)}</div>'
