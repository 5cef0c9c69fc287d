"""The survey part of a report: every closed question that has answers, read as it was asked.

A persona report's survey section holds the measures (NPS only from 0–10 questions, yes/no
shares, ratings on their own scale, numbers), the questions that are not averaged because their
answers break their scale, who chose what in each choice question, and where the measures
differ most between the answers of a choice question (the weakest department, the best
channel), with the evidence to judge whether a gap is beyond noise. The index compares personas
on the same measures and on the most common answer of each choice question.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from workbench import report_html as h
from workbench import schema
from workbench.ingest.stage_metrics import METRICS_FILE
from workbench.survey_breakdowns import extremes
from workbench.survey_choices import ANSWER, GROUP_TEXT, OTHER

SCALE = schema.SCALE
_HEADLINE = (
    schema.METRIC_NPS,
    schema.METRIC_RECOMMEND,
    schema.METRIC_CSAT,
    schema.METRIC_RATING_TOP2,
    schema.METRIC_RATING_MEAN,
    schema.METRIC_CES,
)


ALL = "All respondents"
ALL_CUSTOMERS = " (all customers)"


def _persona_rows(frame: pd.DataFrame, persona: str | None) -> pd.DataFrame:
    if frame is None or frame.empty or schema.PERSONA not in frame.columns:
        return pd.DataFrame()
    if persona is None:
        return frame[frame[schema.PERSONA].isna()]
    return frame[frame[schema.PERSONA] == persona]


def _persona_measures(survey: pd.DataFrame, persona: str) -> pd.DataFrame:
    """A persona's measures, with the study's counts for all customers (``metrics.csv`` rows
    without a persona) named as such."""
    mine = _persona_rows(survey, persona)
    if survey is None or survey.empty:
        return mine
    counted = survey[survey[schema.PERSONA].isna() & (survey[schema.QUESTION_ID] == METRICS_FILE)]
    if counted.empty:
        return mine
    counted = counted.assign(
        **{schema.QUESTION_TEXT: counted[schema.QUESTION_TEXT] + ALL_CUSTOMERS}
    )
    return pd.concat([mine, counted], ignore_index=True)


def _label(metric: Any) -> str:
    return schema.METRIC_LABELS.get(metric, h.readable(metric))


def estimate_text(metric: Any, estimate: Any, low: Any, high: Any, scale: Any = None) -> str:
    """``+24 [+8, +39]`` for NPS, ``82.0% [81.3, 82.6]`` for shares, ``4.18 [4.16, 4.20]``.

    Examples
    --------
    >>> estimate_text("nps", 24.2, 8.1, 39.0), estimate_text("recommend", 82.0, 81.26, 82.66)
    ('+24 [+8, +39]', '82.0% [81.3, 82.7]')
    """
    if metric == schema.METRIC_NPS:
        return f"{estimate:+.0f} [{low:+.0f}, {high:+.0f}]"
    if _percent(metric, scale):
        return f"{estimate:.1f}% [{h.number(low, 1)}, {h.number(high, 1)}]"
    return f"{h.number(estimate)} [{h.number(low)}, {h.number(high)}]"


def _percent(metric: Any, scale: Any = None) -> bool:
    return metric in schema.PERCENT_METRICS or (
        isinstance(scale, str) and scale == schema.SHARE_SCALE
    )


def row_estimate(row: Any) -> str:
    """:func:`estimate_text` of one metrics row (a mapping or a Series)."""
    return estimate_text(
        row[schema.METRIC],
        row[schema.ESTIMATE],
        row[schema.CI_LOW],
        row[schema.CI_HIGH],
        row.get(SCALE) if hasattr(row, "get") else None,
    )


def _value_text(metric: Any, value: float) -> str:
    if _percent(metric):
        return f"{value:.1f}%"
    if metric == schema.METRIC_NPS:
        return f"{value:+.0f}"
    return h.number(value)


def headline(
    survey: pd.DataFrame, persona: str, like: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The persona's headline measure overall: the first of NPS, recommend, CSAT, rating and
    CES it has; with ``like`` (another persona's headline), the same question and measure, so
    an index column compares like with like."""
    rows = _persona_rows(survey, persona)
    if rows.empty:
        return None
    rows = rows[rows[schema.STAGE].isna()]
    if like is not None:
        rows = rows[rows[schema.QUESTION_TEXT] == like["question"]]
    for metric in [like["metric"]] if like is not None else _HEADLINE:
        found = rows[rows[schema.METRIC] == metric]
        if not found.empty:
            row = found.iloc[0]
            return {
                "metric": metric,
                "label": _label(metric),
                "question": row[schema.QUESTION_TEXT],
                "estimate": float(row[schema.ESTIMATE]),
                "ci": [float(row[schema.CI_LOW]), float(row[schema.CI_HIGH])],
                "n": int(row[schema.N_RESPONDENTS]),
                "text": row_estimate(row),
            }
    return None


def _metrics_table(rows: pd.DataFrame, stage_l: dict[str, str]) -> h.Markup:
    rows = rows.assign(_staged=rows[schema.STAGE].notna())
    order = {m: i for i, m in enumerate(schema.METRIC_LABELS)}
    rows = rows.assign(_order=rows[schema.METRIC].map(order).fillna(len(order)))
    rows = rows.sort_values(["_order", schema.QUESTION_ID, "_staged", schema.STAGE])
    body = [
        [
            r[schema.QUESTION_TEXT],
            _label(r[schema.METRIC]),
            r[SCALE] or "",
            stage_l.get(r[schema.STAGE], r[schema.STAGE]) if r["_staged"] else "All stages",
            estimate_text(
                r[schema.METRIC], r[schema.ESTIMATE], r[schema.CI_LOW], r[schema.CI_HIGH]
            ),
            r[schema.N_RESPONDENTS],
        ]
        for r in rows.to_dict("records")
    ]
    headers = ["Question", "Measure", "Scale", "Stage", "Estimate [95% CI]", "Respondents"]
    return h.table(headers, body, numeric=(4, 5))


def _not_averaged(frame: pd.DataFrame) -> list[h.Markup]:
    if frame is None or frame.empty:
        return []
    notes = [
        f"Not averaged: “{r.get(schema.QUESTION_TEXT) or r[schema.QUESTION_ID]}” — "
        f"{r.get(schema.KIND_NOTE) or 'its answers break their scale'}."
        for r in frame.to_dict("records")
    ]
    return [h.paragraph(note, "note") for note in notes]


def _choices_table(rows: pd.DataFrame) -> h.Markup:
    body = [
        [
            r[schema.QUESTION_TEXT],
            r[ANSWER],
            f"{r[schema.SHARE]:.1f}% [{h.number(r[schema.CI_LOW], 1)}, "
            f"{h.number(r[schema.CI_HIGH], 1)}]",
            r[schema.COUNT],
            r[schema.N_RESPONDENTS],
        ]
        for r in rows.to_dict("records")
    ]
    headers = ["Question", "Answer", "Share [95% CI]", "Respondents giving it", "Answering"]
    return h.table(headers, body, numeric=(2, 3, 4))


def _difference_rows(ext: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in ext.to_dict("records"):
        metric = r[schema.METRIC]
        rows.append(
            [
                r[GROUP_TEXT],
                f"{_label(metric)} · {r[schema.QUESTION_TEXT]}",
                f"{r['low_answer']}: {_value_text(metric, r['low_estimate'])} (n={r['low_n']:,})",
                f"{r['high_answer']}: {_value_text(metric, r['high_estimate'])} "
                f"(n={r['high_n']:,})",
            ]
        )
    return rows


def differences(by_answer: pd.DataFrame, persona: str | None) -> h.Markup:
    """Where the measures differ between the answers of a choice question: the differences
    beyond noise (95% intervals apart) in a table, the others folded away; a code nobody in
    any group wrote about is left out."""
    rows = _persona_rows(by_answer, persona)
    if rows.empty:
        return h.Markup("")
    ext = extremes(rows.drop(columns=[schema.PERSONA]))
    if ext.empty:
        return h.Markup("")
    ext = ext[ext["high_estimate"] > 0]
    ext = ext.assign(_gap=(ext["high_estimate"] - ext["low_estimate"]).abs())
    ext = ext.sort_values([GROUP_TEXT, "_gap"], ascending=[True, False])
    headers = ["By answer to", "Measure", "Lowest", "Highest"]
    apart, within = ext[ext["separated"]], ext[~ext["separated"]]
    parts = ["<h3>Where the measures differ</h3>"]
    if len(apart):
        parts.append(h.table(headers, _difference_rows(apart)))
    else:
        parts.append(h.paragraph("No difference between answer groups is beyond noise.", "note"))
    if len(within):
        parts.append(
            f"<details><summary>{len(within)} more difference(s) within noise (the intervals "
            f"overlap)</summary>{h.table(headers, _difference_rows(within))}</details>"
        )
    parts.append(
        h.paragraph(
            "Each measure, and what respondents wrote about, broken down by the answers of each "
            "choice question (groups of at least 5 respondents); a difference is beyond noise "
            "when the two 95% intervals do not overlap.",
            "note",
        )
    )
    return h.Markup("".join(parts))


def survey_section(
    jm: Any, persona: str, stage_l: dict[str, str], figures: dict[str, h.Markup]
) -> list[Any]:
    """The parts of a persona report's survey section (empty-survey note when none)."""
    metrics = _persona_measures(jm.survey, persona)
    choices = _persona_rows(jm.survey_choices, persona)
    if metrics.empty and choices.empty:
        return [h.paragraph("No closed survey answers for this persona.", "note")]
    parts: list[Any] = []
    if not metrics.empty:
        staged = metrics[schema.STAGE].notna()
        parts += [
            figures.get("survey_metrics", h.Markup("")),
            _metrics_table(metrics[~staged], stage_l),
        ]
        if staged.any():
            parts.append(
                h.Markup(
                    "<details><summary>Per stage (respondents whose open answers were coded to "
                    "it)</summary>" + _metrics_table(metrics[staged], stage_l) + "</details>"
                )
            )
    parts += _not_averaged(jm.survey_not_averaged)
    if not choices.empty:
        parts += [
            h.Markup("<h3>Who answered what</h3>"),
            figures.get("choice_shares", h.Markup("")),
            h.Markup(
                "<details><summary>Every answer as a table</summary>"
                + _choices_table(choices)
                + "</details>"
            ),
        ]
    parts.append(differences(jm.survey_by_answer, persona))
    return parts


def _estimate_cell(by: pd.DataFrame, who: Any) -> str:
    if who not in by.index:
        return "–"
    row = by.loc[who]
    return f"{row_estimate(row)} (n={int(row[schema.N_RESPONDENTS]):,})"


def survey_comparison(jm: Any, personas: Sequence[str]) -> h.Markup:
    """The index's comparison of personas (and all respondents) on every survey measure, and
    on the most common answer of each choice question."""
    metrics = jm.survey
    if metrics is None or metrics.empty:
        return h.Markup("")
    overall = metrics[metrics[schema.STAGE].isna()]
    overall = overall[overall[schema.PERSONA].isin(personas) | overall[schema.PERSONA].isna()]
    overall = overall.assign(**{schema.PERSONA: overall[schema.PERSONA].fillna(ALL)})
    columns = [*personas, ALL] if (overall[schema.PERSONA] == ALL).any() else list(personas)
    parts = []
    if not overall.empty:
        order = {m: i for i, m in enumerate(schema.METRIC_LABELS)}
        groups = overall.groupby([schema.QUESTION_ID, schema.QUESTION_TEXT, schema.METRIC])
        body = [
            [
                text,
                _label(metric),
                *(_estimate_cell(rows.set_index(schema.PERSONA), p) for p in columns),
            ]
            for (_, text, metric), rows in sorted(groups, key=lambda kv: order.get(kv[0][2], 99))
        ]
        numeric = tuple(range(2, 2 + len(columns)))
        parts.append(h.table(["Question", "Measure", *columns], body, numeric=numeric))
    choices = jm.survey_choices
    if choices is not None and not choices.empty:
        mine = choices[choices[schema.PERSONA].isin(personas) & (choices[ANSWER] != OTHER)]
        top = mine.sort_values(schema.SHARE, ascending=False).drop_duplicates(
            [schema.PERSONA, schema.QUESTION_ID, schema.QUESTION_TEXT]
        )
        body = []
        for (_, text), rows in top.groupby([schema.QUESTION_ID, schema.QUESTION_TEXT], sort=False):
            by = rows.set_index(schema.PERSONA)
            cells = [
                f"{by.at[p, ANSWER]} ({by.at[p, schema.SHARE]:.0f}%)" if p in by.index else "–"
                for p in personas
            ]
            body.append([text, *cells])
        parts.append(h.Markup("<h3>Most common answer</h3>"))
        parts.append(h.table(["Question", *personas], body))
    parts.append(differences(jm.survey_by_answer, None))
    return h.Markup("\n".join(parts))
