"""The pages of a report run: one per persona and an index across personas.

Built from the tidy journey tables with the escaping helpers of :mod:`workbench.report_html`;
every transcript string (quotes, goals, notes, file names, participant ids) is escaped there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench import __version__, schema
from workbench import report_html as h
from workbench import report_methods as rm
from workbench import report_survey as rs
from workbench.codebook import Codebook
from workbench.coverage import map_coverage
from workbench.journey import JourneyMap
from workbench.key_moments import key_moments
from workbench.opportunities import OPPORTUNITY_ID

EVIDENCE_ROW = "ev"
QUOTES_PER_OPPORTUNITY = 2


@dataclass
class PageContext:
    """What every page of one run shares."""

    jm: JourneyMap
    codebook: Codebook
    coded: pd.DataFrame
    methods: rm.Methods
    run: str
    created: str

    def labels(self, section: str) -> dict[str, str]:
        return {c.code: c.label for c in getattr(self.codebook, section)}

    def footer(self) -> str:
        return (
            f"Journey Workbench {__version__} · run {self.run} · {self.created} · codebook "
            f"{self.codebook.name} ({self.jm.codebook_hash})"
        )


def _mine(frame: pd.DataFrame, persona: str) -> pd.DataFrame:
    if frame.empty or schema.PERSONA not in frame.columns:
        return frame.iloc[:0]
    return frame[frame[schema.PERSONA] == persona]


def _nps(survey: pd.DataFrame, persona: str) -> dict[str, Any] | None:
    """The persona's overall NPS (first NPS question) with its interval, or None."""
    rows = _mine(survey, persona)
    if rows.empty:
        return None
    rows = rows[(rows[schema.METRIC] == schema.METRIC_NPS) & rows[schema.STAGE].isna()]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return {
        "nps": float(row[schema.ESTIMATE]),
        "ci": [float(row[schema.CI_LOW]), float(row[schema.CI_HIGH])],
        "n": int(row[schema.N_RESPONDENTS]),
    }


def persona_summary(
    jm: JourneyMap, persona: str, folder: str, report_file: str, coded: pd.DataFrame | None = None
) -> dict:
    """The index row and manifest entry of one persona (plain JSON types); with ``coded``,
    interviewees and survey respondents are counted apart."""
    stages = _mine(jm.stages, persona)
    evidence = _mine(jm.evidence, persona)
    people = map_coverage(coded, persona) if coded is not None else None
    top = _mine(jm.opportunities, persona).sort_values(schema.RANK).head(3)
    nps = _nps(jm.survey, persona)
    measure = rs.headline(jm.survey, persona)
    return {
        "persona": persona,
        "folder": folder,
        "report": f"{folder}/{report_file}",
        "n_segments": int(stages[schema.N_SEGMENTS].sum()),
        "n_participants": int(evidence[schema.PARTICIPANT_ID].nunique()),
        "n_interviewees": people.interviewees if people else None,
        "n_respondents": people.respondents if people else None,
        "n_quotes": len(evidence),
        "weak_stages": int(stages[schema.WEAK_EVIDENCE].sum()),
        "nps": None if nps is None else nps["nps"],
        "nps_ci": None if nps is None else nps["ci"],
        "headline": measure,
        "top_opportunities": top[OPPORTUNITY_ID].tolist(),
    }


# --- persona page sections ------------------------------------------------------------------
def _key_moments(ctx: PageContext, persona: str) -> h.Markup:
    moments = key_moments(ctx.jm.stages, ctx.jm.opportunities, ctx.jm.evidence, persona,
                          ctx.codebook)  # fmt: skip
    if not moments:
        return h.Markup("")
    rows = [[m.title, m.text, m.evidence] for m in moments]
    return h.section(
        "moments", "Key moments", h.table(["Moment", "What the evidence shows", "Evidence"], rows)
    )


def _stage_table(ctx: PageContext, stages: pd.DataFrame) -> h.Markup:
    stage_l, pain_l = ctx.labels("stages"), ctx.labels("pain_points")
    rows, classes = [], []
    for r in stages.sort_values(schema.STAGE_ORDER).itertuples(index=False):
        d = r._asdict()
        ci = f"[{h.number(d[schema.SENTIMENT_CI_LOW])}, {h.number(d[schema.SENTIMENT_CI_HIGH])}]"
        rows.append(
            [
                stage_l.get(d[schema.STAGE], d[schema.STAGE]),
                d[schema.N_SEGMENTS],
                d[schema.N_PARTICIPANTS],
                h.number(d[schema.SENTIMENT_MEAN], signed=True),
                ci,
                h.number(d[schema.SHARE_NEGATIVE], 0, percent=True),
                d[schema.N_PAIN_POINTS],
                h.tags(d[schema.TOP_PAIN_POINTS], pain_l),
                h.Markup("<br>".join(h.esc(g) for g in d[schema.TOP_GOALS])),
                h.weak_badge(d[schema.WEAK_EVIDENCE]),
            ]
        )
        classes.append("weak" if d[schema.WEAK_EVIDENCE] else "")
    headers = [
        "Stage",
        "Segments",
        "Participants",
        "Mean sentiment",
        "95% CI",
        "Negative",
        "Pain points",
        "Top pain points",
        "Goals (quotes)",
        "Evidence",
    ]
    return h.table(headers, rows, numeric=(1, 2, 3, 4, 5, 6), row_classes=classes)


def _opportunities(ctx: PageContext, persona: str) -> h.Markup:
    table = _mine(ctx.jm.opportunities, persona).sort_values(schema.RANK)
    if table.empty:
        return h.paragraph("No pain points were coded for this persona.", "note")
    quotes = ctx.jm.opportunity_evidence
    stage_l, pain_l = ctx.labels("stages"), ctx.labels("pain_points")
    rows, classes = [], []
    for r in table.to_dict("records"):
        mine = quotes[quotes[OPPORTUNITY_ID] == r[OPPORTUNITY_ID]] if len(quotes) else quotes
        best = mine.sort_values(schema.RANK).head(QUOTES_PER_OPPORTUNITY) if len(mine) else mine
        cited = "".join(
            f'<p>“{h.esc(q[schema.TEXT])}” <span class="muted">— {h.esc(q[schema.PARTICIPANT_ID])}'
            f", {h.esc(q[schema.SOURCE_PATH])} {h.esc(q[schema.LOCATION])}</span></p>"
            for q in best.to_dict("records")
        )
        rows.append(
            [
                r[schema.RANK],
                pain_l.get(r[schema.PAIN_CATEGORY], r[schema.PAIN_CATEGORY]),
                stage_l.get(r[schema.STAGE], r[schema.STAGE]),
                r[schema.FREQUENCY],
                h.number(r[schema.SEVERITY]),
                r[schema.REACH],
                h.number(r[schema.SCORE], 1),
                h.weak_badge(r[schema.WEAK_EVIDENCE]),
                r.get(schema.NOTE),
                h.Markup(cited),
            ]
        )
        classes.append("weak" if r[schema.WEAK_EVIDENCE] else "")
    headers = [
        "Rank",
        "Pain point",
        "Stage",
        "Frequency",
        "Severity",
        "Reach",
        "Score",
        "Evidence",
        "Note",
        "Quotes",
    ]
    return h.table(
        headers, rows, numeric=(0, 3, 4, 5, 6), row_classes=classes, cell_classes={9: "quote"}
    )


def evidence_appendix(ctx: PageContext, persona: str) -> h.Markup:
    """Every quote behind every stage of the persona, grouped by stage, with provenance."""
    evidence = _mine(ctx.jm.evidence, persona).sort_values([schema.STAGE_ORDER, schema.RANK])
    stages = _mine(ctx.jm.stages, persona).set_index(schema.STAGE)
    coded = ctx.coded.drop_duplicates(schema.SEGMENT_ID).set_index(schema.SEGMENT_ID)
    touch = coded[schema.TOUCHPOINTS] if schema.TOUCHPOINTS in coded.columns else pd.Series()
    coder = coded[schema.CODER] if schema.CODER in coded.columns else pd.Series()
    stage_l, touch_l = ctx.labels("stages"), ctx.labels("touchpoints")
    parts = [
        h.paragraph(
            f"{len(evidence)} quotes: every codable segment behind the map, best evidence first "
            "within each stage (ranking in Methods). Quotes are verbatim.",
            "note",
        )
    ]
    for stage, quotes in evidence.groupby(schema.STAGE, sort=False):
        info = stages.loc[stage] if stage in stages.index else None
        reach = "" if info is None else f" · {int(info[schema.N_PARTICIPANTS])} participants"
        weak = h.weak_badge(info is not None and info[schema.WEAK_EVIDENCE])
        parts.append(
            h.Markup(
                f"<h3>{h.esc(stage_l.get(stage, stage))} "
                f'<span class="muted">{len(quotes)} quotes{h.esc(reach)}</span> {weak}</h3>'
            )
        )
        rows = [
            [
                q[schema.RANK],
                h.tags(touch.get(q[schema.SEGMENT_ID], []), touch_l),
                q[schema.TEXT],
                q[schema.PARTICIPANT_ID],
                q[schema.SOURCE_PATH],
                q[schema.LOCATION],
                q[schema.CODE_SOURCE],
                coder.get(q[schema.SEGMENT_ID]),
                h.number(q[schema.CONFIDENCE]),
                h.number(q[schema.SENTIMENT], signed=True),
            ]
            for q in quotes.to_dict("records")
        ]
        headers = [
            "#",
            "Touchpoints",
            "Quote",
            "Participant",
            "Source file",
            "Line / time",
            "Code source",
            "Coder",
            "Confidence",
            "Sentiment",
        ]
        parts.append(
            h.table(
                headers,
                rows,
                numeric=(0, 8, 9),
                row_classes=[EVIDENCE_ROW] * len(rows),
                cell_classes={2: "quote"},
            )
        )
    return h.Markup("\n".join(parts))


def _headline_value(measure: dict[str, Any] | None) -> str:
    if measure is None:
        return "–"
    if measure["metric"] == schema.METRIC_NPS:
        return f"{measure['estimate']:+.0f}"
    if measure["metric"] in schema.PERCENT_METRICS:
        return f"{measure['estimate']:.0f}%"
    return h.number(measure["estimate"])


def persona_page(ctx: PageContext, persona: str, figures: dict[str, h.Markup]) -> str:
    """The self-contained report of one persona."""
    stages = _mine(ctx.jm.stages, persona)
    info = persona_summary(ctx.jm, persona, "", "")
    measure = info["headline"]
    coverage = map_coverage(ctx.coded, persona)
    body = [
        h.cards(
            [
                ("interviewees", coverage.interviewees),
                ("survey respondents", coverage.respondents),
                ("segments on the map", info["n_segments"]),
                ("stages with weak evidence", info["weak_stages"]),
                (
                    measure["label"] if measure else "survey measure",
                    _headline_value(measure),
                ),
            ]
        ),
        _key_moments(ctx, persona),
        h.section(
            "map",
            "Journey map",
            figures["journey_map"],
            *(h.paragraph(line, "coverage") for line in coverage.lines()),
            _stage_table(ctx, stages),
        ),
        h.section(
            "charts",
            "Charts",
            *(figures[k] for k in ("emotion_curve", "touchpoint_heatmap") if k in figures),
        ),
        h.section(
            "opportunities",
            "Opportunities",
            figures.get("pain_priority", h.Markup("")),
            _opportunities(ctx, persona),
        ),
        h.section(
            "survey", "Survey", *rs.survey_section(ctx.jm, persona, ctx.labels("stages"), figures)
        ),
        h.section("evidence", "Evidence appendix", evidence_appendix(ctx, persona)),
        h.section(
            "methods", "Methods", rm.methods_section(ctx.methods, ctx.jm, ctx.coded, persona)
        ),
    ]
    toc = [
        ("moments", "Key moments"),
        ("map", "Map"),
        ("charts", "Charts"),
        ("opportunities", "Opportunities"),
        ("survey", "Survey"),
        ("evidence", "Evidence"),
        ("methods", "Methods"),
    ]
    return h.page(
        f"Journey report — {persona}",
        body,
        subtitle=f"{ctx.codebook.name} · run {ctx.run} · {ctx.created}",
        toc=toc,
        footer=ctx.footer(),
        back=("../index.html", "← All personas"),
    )


def index_page(ctx: PageContext, summaries: Sequence[dict], comparison: h.Markup) -> str:
    """The run's index: one row per persona, links to the reports, the comparison chart."""
    pain_l, stage_l = ctx.labels("pain_points"), ctx.labels("stages")

    def opportunity(oid: str) -> str:
        _, stage, category = [*oid.split("/"), "", "", ""][:3]
        return f"{pain_l.get(category, category)} · {stage_l.get(stage, stage)}"

    measures = [s["headline"] for s in summaries if s.get("headline")]
    first = measures[0] if measures else None  # every persona on the same question and measure
    rows = []
    for s in summaries:
        same = rs.headline(ctx.jm.survey, s["persona"], like=first) if first else None
        nps = same["text"] if same else "–"
        tops = h.Markup("<br>".join(h.esc(opportunity(o)) for o in s["top_opportunities"]))
        rows.append(
            [
                h.link(s["report"], s["persona"]),
                s["n_interviewees"] if s.get("n_interviewees") is not None else "–",
                s["n_respondents"] if s.get("n_respondents") is not None else "–",
                s["n_segments"],
                s["weak_stages"],
                nps,
                tops or "–",
            ]
        )
    headers = [
        "Persona",
        "Interviewees",
        "Survey respondents",
        "Segments on the map",
        "Weak stages",
        f"{measures[0]['label']} [95% CI]" if measures else "Survey measure",
        "Top opportunities",
    ]
    body = [
        h.section(
            "personas",
            "Personas",
            h.table(headers, rows, numeric=(1, 2, 3, 4, 5)),
            h.paragraph(
                "Each persona report holds the journey map, charts, opportunities, the "
                "full evidence appendix and the methods.",
                "note",
            ),
        ),
        h.section("comparison", "Persona comparison", comparison),
    ]
    survey = rs.survey_comparison(ctx.jm, [s["persona"] for s in summaries])
    if survey:
        body.append(h.section("survey", "Survey answers by persona", survey))
    if ctx.jm.warnings:
        body.append(h.section("warnings", "Warnings", *ctx.jm.warnings))
    return h.page(
        "Journey reports",
        body,
        subtitle=f"{ctx.codebook.name} · run {ctx.run} · {ctx.created}",
        footer=ctx.footer(),
    )
