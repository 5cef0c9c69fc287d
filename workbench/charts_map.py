"""The journey map canvas: stages as columns, one row per lens, in one composed chart.

The picture researchers draw by hand in UXPressia or Smaply, computed from the journey tables
of one persona. Every row shares the same stage axis (fixed domain, same column width, same
left gutter), so the columns line up from top to bottom:

1. **Evidence** – the stage headers, with participants and segments behind each column; weak
   columns (``weak_evidence``) are written in orange and shaded in every row;
2. **Touchpoints** – circles sized by segments, coloured by mean sentiment on [-1, 1];
3. **Emotion** – the emotion curve (mean sentiment, 95% CI band, points sized by participants,
   top quote in the tooltip, escaped);
4. **Emotion mix** – share of each coded emotion per stage;
5. **Pain points**, 6. **Goals** – the top categories per stage, as text;
7. **Opportunities** – the best-ranked opportunity per stage with its score.

Rows whose table is not passed are left out. Only aggregates are embedded.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence

import altair as alt
import pandas as pd

from workbench import schema
from workbench.charts_base import (
    EVIDENCE,
    INK,
    MUTED,
    NEUTRAL_GREY,
    PALETTE,
    STAGE_COLUMNS,
    STAGE_LABEL,
    STRONG_LABEL,
    TOUCHPOINT_LABEL,
    WEAK_LABEL,
    as_data,
    code_labels,
    emotion_data,
    emotion_layers,
    evidence_level,
    one_persona,
    require_columns,
    sentiment_color,
    stage_codes,
    stage_step,
    stage_x,
    with_stage_labels,
    with_touchpoint_labels,
)
from workbench.codebook import Codebook

ROW = "row"
TEXT_LINES = "lines"
MIX_ORDER = "mix_order"
GUTTER = 130  # width of the left gutter (row names, y axes) shared by every row
WEAK_FILL = "#fdf1e7"
WEAK_INK = PALETTE[5]
ITEM_LIMIT = 32

ROW_EVIDENCE = "Evidence"
ROW_TOUCHPOINTS = "Touchpoints"
ROW_EMOTION = "Emotion"
ROW_EMOTION_MIX = "Emotion mix"
ROW_PAINS = "Pain points"
ROW_GOALS = "Goals"
ROW_OPPORTUNITIES = "Opportunities"

VALENCE_COLORS = {
    "negative": ("#b2182b", "#d6604d", "#f4a582", "#e7298a"),
    "neutral": (NEUTRAL_GREY, "#d9d9d9"),
    "positive": ("#2166ac", "#4393c3", "#92c5de", "#1b9e77", "#66a61e"),
}


def _gutter_axis(**kwargs) -> alt.Axis:
    return alt.Axis(minExtent=GUTTER, maxExtent=GUTTER, **kwargs)


def _lines(items: object, labels: dict, limit: int = 4, width: int = ITEM_LIMIT) -> str:
    """List of codes → up to ``limit`` labels, each wrapped at words into lines of at most
    ``width`` characters (plain text, drawn as text; nothing is cut mid-word).

    Examples
    --------
    >>> print(_lines(["billing", "I wanted a fixed price."], {"billing": "Billing"}, width=12))
    Billing
    I wanted a
    fixed price.
    """
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, Iterable):  # None, NaN, NA: nothing recorded
        return ""
    values = [str(labels.get(i, i)) for i in list(items)[:limit]]
    return "\n".join(textwrap.fill(v, width, break_long_words=False) for v in values)


def _weak_shade(stages: pd.DataFrame, domain: Sequence[str]) -> alt.Chart:
    """A pale column behind every weak stage (drawn in every row)."""
    return (
        alt.Chart(as_data(stages))
        .transform_filter(alt.FieldEqualPredicate(field=EVIDENCE, equal=WEAK_LABEL))
        .mark_rect(color=WEAK_FILL, stroke=WEAK_INK, strokeDash=[2, 3], strokeOpacity=0.5)
        .encode(x=stage_x(domain, axis=False))
    )


def _text_row(
    data: pd.DataFrame, domain: Sequence[str], name: str, height: int, color: str = INK
) -> alt.Chart:
    return (
        alt.Chart(as_data(data))
        .mark_text(
            baseline="middle", align="center", lineBreak="\n", color=color, limit=stage_step(domain)
        )
        .encode(
            x=stage_x(domain, axis=False),
            y=alt.Y(f"{ROW}:N", axis=_gutter_axis(title=None, ticks=False, domain=False)),
            text=alt.Text(f"{TEXT_LINES}:N"),
        )
        .properties(height=height)
    )


def _header_x(domain: Sequence[str]) -> alt.X:
    """The stage headers: the shared stage axis, on top, in bold."""
    return alt.X(
        f"{STAGE_LABEL}:N",
        sort=list(domain),
        scale=alt.Scale(domain=list(domain)),
        title=None,
        axis=alt.Axis(
            orient="top",
            labelAngle=0,
            labelFontSize=12,
            labelFontWeight="bold",
            labelLimit=stage_step(domain) - 6,
            labelExpr=wrapped_labels(domain, max(8, (stage_step(domain) - 6) // 8)),
            ticks=False,
            domain=False,
        ),
    )


def wrapped_labels(labels: Sequence[str], width: int) -> str:
    """A Vega label expression that writes long stage labels on two or three lines.

    Examples
    --------
    >>> wrapped_labels(["Support", "Onboarding and usage"], 12)
    'datum.label == "Onboarding and usage" ? ["Onboarding", "and usage"] : datum.label'
    """
    expression = "datum.label"
    for label in reversed(list(labels)):
        lines = textwrap.wrap(str(label), width, break_long_words=False)
        if len(lines) > 1:
            quoted = ", ".join(json.dumps(line) for line in lines)
            expression = f"datum.label == {json.dumps(str(label))} ? [{quoted}] : {expression}"
    return expression


def _header_row(stages: pd.DataFrame, domain: Sequence[str]) -> alt.Chart:
    data = stages[[STAGE_LABEL, EVIDENCE, schema.N_PARTICIPANTS, schema.N_SEGMENTS]].copy()
    data[ROW] = ROW_EVIDENCE
    data[TEXT_LINES] = [
        f"{p} participant{'' if p == 1 else 's'}\n{s} segment{'' if s == 1 else 's'}"
        for p, s in zip(data.iloc[:, 2], data.iloc[:, 3], strict=True)
    ]
    return (
        alt.Chart(as_data(data))
        .mark_text(baseline="middle", lineBreak="\n", fontSize=11)
        .encode(
            x=_header_x(domain),
            y=alt.Y(f"{ROW}:N", axis=_gutter_axis(title=None, ticks=False, domain=False)),
            text=alt.Text(f"{TEXT_LINES}:N"),
            color=alt.Color(
                f"{EVIDENCE}:N",
                scale=alt.Scale(domain=[STRONG_LABEL, WEAK_LABEL], range=[INK, WEAK_INK]),
                legend=alt.Legend(title="Evidence", orient="bottom"),
            ),
        )
        .properties(height=40)
    )


def _touchpoint_row(
    touchpoints: pd.DataFrame, domain: Sequence[str], codebook: Codebook | None
) -> alt.Chart:
    cols = [schema.STAGE, schema.TOUCHPOINT, schema.N_SEGMENTS, schema.SENTIMENT_MEAN]
    require_columns(touchpoints, [*cols, schema.WEAK_EVIDENCE], "touchpoints")
    data = touchpoints[cols].copy()
    data[EVIDENCE] = evidence_level(touchpoints[schema.WEAK_EVIDENCE])
    data, _ = with_stage_labels(data, codebook, _codes_for(domain, data, codebook))
    data, tp_domain = with_touchpoint_labels(data, codebook)
    return (
        alt.Chart(as_data(data))
        .mark_circle(stroke=INK, strokeWidth=0.4)
        .encode(
            x=stage_x(domain, axis=False),
            y=alt.Y(f"{TOUCHPOINT_LABEL}:N", sort=tp_domain, axis=_gutter_axis(title=None)),
            size=alt.Size(
                f"{schema.N_SEGMENTS}:Q",
                scale=alt.Scale(range=[20, 500], zero=True),
                legend=alt.Legend(title="Segments", direction="horizontal", tickCount=3),
            ),
            color=sentiment_color(direction="horizontal", gradientLength=120),
            tooltip=[
                alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
                alt.Tooltip(f"{TOUCHPOINT_LABEL}:N", title="Touchpoint"),
                alt.Tooltip(f"{schema.N_SEGMENTS}:Q", title="Segments"),
                alt.Tooltip(f"{schema.SENTIMENT_MEAN}:Q", title="Mean sentiment", format=".2f"),
            ],
        )
        .properties(height=alt.Step(22))
    )


def _emotion_mix_row(
    emotions: pd.DataFrame, domain: Sequence[str], codebook: Codebook | None
) -> alt.Chart:
    cols = [schema.STAGE, schema.STAGE_ORDER, schema.EMOTION, schema.COUNT, schema.SHARE]
    require_columns(emotions, cols, "emotions")
    data, _ = with_stage_labels(emotions[cols], codebook, _codes_for(domain, emotions, codebook))
    valence = codebook.valence if codebook else {}
    rank = {"negative": 0, "neutral": 1, "positive": 2}
    found = sorted(
        pd.unique(data[schema.EMOTION]), key=lambda e: (rank.get(valence.get(e, "neutral")), e)
    )
    labels = code_labels(found, codebook, "emotions")
    data[schema.EMOTION] = data[schema.EMOTION].map(labels)
    used: dict[str, int] = {}
    colors = []
    for e in found:
        v = valence.get(e, "neutral")
        colors.append(VALENCE_COLORS[v][used.get(v, 0) % len(VALENCE_COLORS[v])])
        used[v] = used.get(v, 0) + 1
    names = [labels[e] for e in found]
    data[MIX_ORDER] = data[schema.EMOTION].map({n: i for i, n in enumerate(names)})
    return (
        alt.Chart(as_data(data.drop(columns=[schema.STAGE_ORDER])))
        .mark_bar(width={"band": 0.6})
        .encode(
            x=stage_x(domain, axis=False),
            y=alt.Y(
                f"{schema.SHARE}:Q",
                stack="normalize",
                axis=_gutter_axis(title="Emotion mix", format="%", tickCount=2),
            ),
            color=alt.Color(
                f"{schema.EMOTION}:N",
                sort=names,
                scale=alt.Scale(domain=names, range=colors),
                legend=alt.Legend(title="Emotion"),
            ),
            order=alt.Order(f"{MIX_ORDER}:Q"),  # negative at the bottom, positive on top
            tooltip=[
                alt.Tooltip(f"{STAGE_LABEL}:N", title="Stage"),
                alt.Tooltip(f"{schema.EMOTION}:N", title="Emotion"),
                alt.Tooltip(f"{schema.COUNT}:Q", title="Segments"),
                alt.Tooltip(f"{schema.SHARE}:Q", title="Share", format=".0%"),
            ],
        )
        .properties(height=70)
    )


def _codes_for(domain: Sequence[str], frame: pd.DataFrame, codebook: Codebook | None) -> list:
    """Stage codes to label a secondary table with, consistent with the map's columns."""
    codes = stage_codes(frame, codebook)
    return codes if len(codes) else list(domain)


def _height(lines: pd.Series) -> int:
    """Pixel height of a text row: room for its tallest cell (14 px a line)."""
    most = max((str(v).count("\n") + 1 for v in lines if str(v)), default=1)
    return 14 * most + 12


def _opportunity_lines(
    opportunities: pd.DataFrame, codebook: Codebook | None, chars: int = ITEM_LIMIT
) -> pd.DataFrame:
    """What to fix at each stage and for how many: "#2 Fix billing and price (9 people)"."""
    cols = [schema.RANK, schema.STAGE, schema.PAIN_CATEGORY, schema.REACH]
    require_columns(opportunities, cols, "opportunities")
    best = opportunities[cols].sort_values(schema.RANK, kind="stable")
    best = best.groupby(schema.STAGE, sort=False).head(2)
    pains = code_labels(list(pd.unique(best[schema.PAIN_CATEGORY])), codebook, "pain_points")
    best = best.assign(
        **{
            TEXT_LINES: [
                textwrap.fill(
                    f"#{int(r)} Fix {pains[c].lower()} ({int(n)} "
                    f"{'person' if int(n) == 1 else 'people'})",
                    chars,
                    break_long_words=False,
                )
                for r, c, n in zip(
                    best[schema.RANK], best[schema.PAIN_CATEGORY], best[schema.REACH], strict=True
                )
            ]
        }
    )
    return best.groupby(schema.STAGE, sort=False)[TEXT_LINES].agg("\n".join).reset_index()


def journey_map(
    stages: pd.DataFrame,
    *,
    touchpoints: pd.DataFrame | None = None,
    emotions: pd.DataFrame | None = None,
    opportunities: pd.DataFrame | None = None,
    evidence: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    persona: str | None = None,
    title: str | None = None,
) -> alt.VConcatChart:
    """The journey map of one persona as one vertically concatenated chart.

    Parameters
    ----------
    stages : DataFrame
        The journey ``stages`` table; one persona, or pass ``persona``.
    touchpoints, emotions, opportunities, evidence : DataFrame, optional
        The companion tables of the same journey; each adds its row (evidence adds the top
        quote of each stage to the emotion tooltips). They are filtered to the persona too.
    codebook : Codebook, optional
        Labels of stages, touchpoints, emotions (and their valence), pain points and goals.
    """
    stages = one_persona(stages, persona, "stages")
    name = str(stages[schema.PERSONA].iloc[0])

    def mine(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None or schema.PERSONA not in frame.columns:
            return frame
        return frame[frame[schema.PERSONA] == name]

    require_columns(stages, [*STAGE_COLUMNS, schema.TOP_PAIN_POINTS, schema.TOP_GOALS], "stages")
    curve, domain = emotion_data(stages, mine(evidence), codebook)
    codes = stage_codes(stages, codebook)
    shade = _weak_shade(curve[[STAGE_LABEL, EVIDENCE]], domain)
    header_shade = shade.encode(x=_header_x(domain))
    rows: list[alt.TopLevelMixin] = [alt.layer(header_shade, _header_row(curve, domain))]
    if touchpoints is not None:
        rows.append(alt.layer(shade, _touchpoint_row(mine(touchpoints), domain, codebook)))
    y_axis = _gutter_axis(title="Sentiment", tickCount=5)
    emotion = emotion_layers(
        curve, domain, color_by_persona=False, height=160, x_axis=False, y_axis=y_axis,
        evidence_legend=False,
    )  # fmt: skip
    rows.append(alt.layer(shade, *emotion.layer).properties(height=160))
    if emotions is not None:
        rows.append(alt.layer(shade, _emotion_mix_row(mine(emotions), domain, codebook)))
    texts = as_data(stages[[schema.STAGE, schema.TOP_PAIN_POINTS, schema.TOP_GOALS]].copy())
    chars = max(10, (stage_step(domain) - 12) // 7)  # characters per line of a text row
    for row_name, column, section in (
        (ROW_PAINS, schema.TOP_PAIN_POINTS, "pain_points"),
        (ROW_GOALS, schema.TOP_GOALS, "goals"),
    ):
        labels = _all_labels(codebook, section)
        limit = 3 if column == schema.TOP_PAIN_POINTS else 2
        lines = [_lines(v, labels, limit, chars) for v in texts[column]]
        if column == schema.TOP_GOALS and schema.N_GOALS in stages.columns:
            lines = [
                f"{text}\n({int(n)} goal segment{'' if n == 1 else 's'})" if text else text
                for text, n in zip(lines, stages[schema.N_GOALS], strict=True)
            ]  # the evidence count behind the statements
        data = pd.DataFrame({schema.STAGE: texts[schema.STAGE], TEXT_LINES: lines, ROW: row_name})
        data, _ = with_stage_labels(data, codebook, codes)
        color = PALETTE[5] if column == schema.TOP_PAIN_POINTS else PALETTE[2]
        row = _text_row(as_data(data), domain, row_name, _height(data[TEXT_LINES]), color)
        rows.append(alt.layer(shade, row))
    if opportunities is not None:
        data = _opportunity_lines(mine(opportunities), codebook, chars)
        data = data.assign(**{ROW: ROW_OPPORTUNITIES})
        data, _ = with_stage_labels(data, codebook, codes)
        row = _text_row(as_data(data), domain, ROW_OPPORTUNITIES, _height(data[TEXT_LINES]), MUTED)
        rows.append(alt.layer(shade, row))
    width = stage_step(domain) * len(domain)
    return (
        alt.vconcat(*[row.properties(width=width) for row in rows], spacing=6)
        .resolve_scale(x="shared", color="independent", size="independent")
        .properties(title=title or f"Journey map — {name}")
        .configure_legend(orient="bottom", direction="horizontal", columns=0, labelLimit=240)
    )  # legends below each row: the canvas is only as wide as its stage columns


def _all_labels(codebook: Codebook | None, section: str) -> dict:
    return {c.code: c.label for c in getattr(codebook, section)} if codebook else {}
