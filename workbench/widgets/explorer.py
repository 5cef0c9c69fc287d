"""The map explorer: the quotes behind any cell of the journey map, and pinning them.

Pick a persona and a stage (dropdowns), or click a cell of the grid below the map: the quotes
behind that cell appear with their provenance (participant, persona, source file, line or
media time, code source and coder, confidence), every value HTML-escaped.

**Why a grid of buttons, not clicks on the chart.** The map is shown as a static SVG rendered
in the kernel (offline: no Vega JavaScript, no CDN), so the chart itself cannot report clicks.
The grid mirrors the map: one column per stage, one row for the whole stage (``all``) and one
per touchpoint with evidence; each button shows the cell's number of segments and mean
sentiment, coloured red (negative) … grey … green (positive); weak evidence is marked ``?``.

**Pinning.** Each quote has a *pin* button: the quote is pinned to the current persona × stage
(:class:`~workbench.widgets.evidence_view.PinStore`, ``data/codes/pinned_evidence.json``) and is
ranked first in that cell's evidence from then on (here, in
:func:`workbench.study.load_journey_map`, and so in reports and templates). The optional note
field is saved with the pin. Every handler shows its errors in the widget (an exception in an
``on_click`` handler would otherwise only reach the log).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench import schema
from workbench.codebook import Codebook
from workbench.journey import JourneyMap
from workbench.project import Project
from workbench.widgets import evidence_view as ev
from workbench.widgets import view

__all__ = ["MapExplorer", "map_svg"]
CSS = """<style>
.wb-quote {border-left: 3px solid #d0d7de; padding: 2px 8px; margin: 4px 0;}
.wb-quote-text {white-space: pre-wrap; font-size: 14px;}
.wb-pin-mark {background: #0969da; color: #fff; border-radius: 8px; padding: 0 6px;
  font-size: 11px;}
</style>"""


def _safe(title: str) -> Callable:
    """Run a handler; show any exception in the explorer's message box instead of the log."""

    def wrap(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self: MapExplorer, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                self.message.value = view.error_html(f"{type(exc).__name__}: {exc}", title)
                return None

        return run

    return wrap


def map_svg(journey: JourneyMap, codebook: Codebook | None, persona: str) -> str:
    """The journey map of ``persona`` as an SVG string (rendered offline with vl-convert)."""
    import vl_convert as vlc

    from workbench.chart_export import chart_spec, vl_version
    from workbench.charts_map import journey_map

    chart = journey_map(
        journey.stages,
        touchpoints=journey.touchpoints,
        emotions=journey.emotions,
        opportunities=journey.opportunities,
        evidence=journey.evidence,
        codebook=codebook,
        persona=persona,
    )
    svg = vlc.vegalite_to_svg(chart_spec(chart), vl_version=vl_version())
    # scale down to the notebook's width (the SVG has a viewBox) instead of being clipped
    return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)


class MapExplorer(widgets.VBox):
    """Explore the evidence behind a journey map; pin quotes to it.

    Parameters
    ----------
    project : Project or path
        The study (pins are saved in its ``data/codes/``).
    journey, codebook : JourneyMap, Codebook, optional
        The map (every persona) and its codebook; default
        :func:`workbench.study.load_journey_map` of ``project``.
    coded : DataFrame, optional
        The coded table the map was built from (default: the study's ``coded.parquet``).
    k : int
        Quotes shown per cell besides the pinned ones.
    show_map : bool
        Render the persona's map as SVG above the grid (about half a second per persona).
    """

    def __init__(
        self,
        project: Project | Path | str,
        *,
        journey: JourneyMap | None = None,
        codebook: Codebook | None = None,
        coded: pd.DataFrame | None = None,
        k: int = 8,
        show_map: bool = True,
    ) -> None:
        self.project = project if isinstance(project, Project) else Project(Path(project))
        if journey is None or codebook is None:
            from workbench.study import load_journey_map

            journey, codebook = load_journey_map(self.project)
        if coded is None:
            from workbench.report import load_coded

            coded, _ = load_coded(self.project)
        self.journey, self.codebook, self.coded, self.k = journey, codebook, coded, k
        self.show_map = show_map
        self.pins = ev.PinStore(self.project)
        self.quotes = pd.DataFrame(columns=list(ev.QUOTE_COLUMNS))
        self.grid_buttons: dict[tuple[str, str], widgets.Button] = {}
        self.pin_buttons: dict[str, widgets.Button] = {}
        personas = list(pd.unique(journey.stages[schema.PERSONA]))
        labels = {c.code: c.label for c in codebook.stages}
        stages = list(pd.unique(journey.stages.sort_values(schema.STAGE_ORDER)[schema.STAGE]))
        self.persona = widgets.Dropdown(options=personas, description="Persona")
        self.stage = widgets.Dropdown(
            options=[(labels.get(s, s), s) for s in stages], description="Stage"
        )
        self.row = widgets.Dropdown(options=[ev.ALL], description="Row")
        self.note = widgets.Text(placeholder="note saved with the next pin (optional)")
        self.message = widgets.HTML()
        self.map = widgets.HTML()
        self.grid = widgets.GridBox()
        self.title = widgets.HTML()
        self.quote_box = widgets.VBox()
        self.persona.observe(self._on_persona, names="value")
        self.stage.observe(self._on_cell, names="value")
        self.row.observe(self._on_cell, names="value")
        super().__init__(
            [
                widgets.HTML(CSS + view.CSS),
                widgets.HBox([self.persona, self.stage, self.row]),
                self.map,
                self.grid,
                self.message,
                self.title,
                self.note,
                self.quote_box,
            ]
        )
        self._on_persona()

    # --- handlers -------------------------------------------------------------------------
    @_safe("Could not show this persona.")
    def _on_persona(self, change: dict | None = None) -> None:
        persona = self.persona.value
        columns, rows, cells = ev.grid_cells(self.journey.stages, self.journey.touchpoints, persona)
        self._cells = cells
        if self.row.value not in rows:
            self.row.value = ev.ALL
        self.row.options = rows
        self._build_grid(columns, rows, cells)
        if self.show_map:
            self.map.value = map_svg(self.journey, self.codebook, persona)
        self._show()

    @_safe("Could not show this cell.")
    def _on_cell(self, change: dict | None = None) -> None:
        self._show()

    def select(self, stage: str, row: str = ev.ALL) -> None:
        """Show the quotes of one cell of the current persona (what a grid click does)."""
        self._select(stage, row)

    @_safe("Could not show this cell.")
    def _select(self, stage: str, row: str) -> None:
        with self.hold_trait_notifications():
            self.row.value = row
            self.stage.value = stage
        self._show()

    @_safe("Not pinned.")
    def pin(self, segment_id: str) -> None:
        """Pin (or, when pinned, unpin) a shown quote to the current persona × stage."""
        persona, stage = self.persona.value, self.stage.value
        if segment_id in self.pins.ids(persona, stage):
            self.pins.unpin(persona, stage, segment_id)
            done = f"unpinned {segment_id} from {persona} × {stage}"
        else:
            self.pins.pin(persona, stage, segment_id, note=self.note.value.strip() or None)
            self.note.value = ""
            done = f"pinned {segment_id} to {persona} × {stage}"
        self.journey.evidence = ev.rank_pinned(
            self.journey.evidence,
            self.pins.frame(),
            coded=self.coded,
            stage_order=self.codebook.stage_order,
            k=None,
        )
        self._show()
        self.message.value = view.status_html(done)

    # --- drawing --------------------------------------------------------------------------
    def _build_grid(self, columns: list[str], rows: list[str], cells: dict) -> None:
        self.grid_buttons = {}
        children: list[widgets.Widget] = [widgets.HTML("")]
        children += [widgets.HTML(f"<b>{view._e(c)}</b>") for c in columns]
        for row in rows:
            children.append(widgets.HTML(f"<b>{view._e(row)}</b>"))
            for stage in columns:
                stats = cells.get((row, stage), {})
                n = int(stats.get(schema.N_SEGMENTS) or 0)
                mean = stats.get(schema.SENTIMENT_MEAN)
                text = "–" if not n else f"{n} · {mean:+.2f}" if mean == mean else f"{n}"
                if n and stats.get(schema.WEAK_EVIDENCE):
                    text += " ?"
                button = widgets.Button(
                    description=text,
                    tooltip=f"{row} × {stage}: {n} segments",
                    disabled=not n,
                    layout=widgets.Layout(width="auto"),
                )
                button.style.button_color = ev.sentiment_color(mean, n)
                button.on_click(
                    functools.partial(lambda _b, s, r: self.select(s, r), s=stage, r=row)
                )
                self.grid_buttons[(row, stage)] = button
                children.append(button)
        self.grid.children = children
        self.grid.layout = widgets.Layout(
            grid_template_columns=f"140px repeat({len(columns)}, minmax(70px, 1fr))",
            grid_gap="2px",
        )

    def _show(self) -> None:
        persona, stage, row = self.persona.value, self.stage.value, self.row.value
        ids = ev.cell_ids(self.journey.stages, self.journey.touchpoints, persona, stage, row)
        pinned = self.pins.ids(persona, stage)
        if row == ev.ALL:
            ordered = list(dict.fromkeys(pinned)) + [i for i in ids if i not in set(pinned)]
        else:
            ordered = ev.pin_first(ids, pinned)
        n_pinned = sum(1 for i in ordered[: len(pinned)] if i in set(pinned))
        self.quotes = ev.quotes_for(ordered[: n_pinned + self.k], self.coded)
        for button in self.grid_buttons.values():
            button.button_style = ""
        if (row, stage) in self.grid_buttons:
            self.grid_buttons[(row, stage)].button_style = "info"
        where = stage if row == ev.ALL else f"{stage} × {row}"
        self.title.value = (
            f"<h4>{view._e(persona)} · {view._e(where)}: {len(ids)} segments, "
            f"showing {len(self.quotes)}</h4>"
        )
        self.pin_buttons = {}
        items: list[widgets.Widget] = []
        if self.quotes.empty:
            items.append(widgets.HTML(ev.quotes_html(self.quotes)))
        for record in self.quotes.to_dict("records"):
            sid = record[schema.SEGMENT_ID]
            is_pinned = sid in pinned
            button = widgets.Button(
                description="unpin" if is_pinned else "pin",
                tooltip=f"pin this quote to {persona} × {stage}",
                icon="thumb-tack",
                layout=widgets.Layout(width="90px"),
            )
            button.on_click(functools.partial(lambda _b, s: self.pin(s), s=sid))
            self.pin_buttons[sid] = button
            items.append(
                widgets.HBox([button, widgets.HTML(ev.quote_html(record, pinned=is_pinned))])
            )
        self.quote_box.children = items
        self.message.value = ""
