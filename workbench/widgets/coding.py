"""The coding widget: confirm or correct the proposed codes of each segment, durably.

A researcher codes interview segments in JupyterLab. For each segment the widget shows the text
in its context (turns before and after, participant, persona, file, line or timestamp), the
model's proposal with its confidence (low confidence is marked "check this"), and a form to
confirm or correct it. Every confirm is written to the :class:`~workbench.store.CodeStore`
(committed to disk) *before* the widget moves on; when the write fails the error is shown in the
widget, the input is kept and the widget stays on the segment.

Keys (see :mod:`workbench.widgets.keys`): Enter confirm & next, → / j next, ← / k previous,
u / Ctrl+Z undo the last confirm, 1–9 choose a stage. Every button and key handler is wrapped so
an exception shows in the widget instead of vanishing into the log.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from workbench.store import CodeStore
>>> frame = pd.DataFrame({"segment_id": ["s1", "s2"], "text": ["<b>hi</b>", "bye"],
...     "source_path": ["a.txt", "a.txt"], "turn": [0, 1], "participant_id": ["P1", "P1"],
...     "speaker_role": ["participant"] * 2, "stage": ["awareness", None],
...     "stage_confidence": [0.9, 0.2]})
>>> store = CodeStore(pathlib.Path(tempfile.mkdtemp()) / "codes.sqlite")
>>> w = CodingWidget(frame, store, "ana", order="source")
>>> w.handle_key("Enter")
>>> store.current_codes()["stage"].tolist(), w.current_id
(['awareness'], 's2')
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workbench import schema
from workbench.codebook import Codebook, builtin_codebook, study_codebook
from workbench.errors import ConfigError
from workbench.project import Project
from workbench.store import CodeStore
from workbench.widgets import view
from workbench.widgets.context import ContextIndex, location
from workbench.widgets.form import CodeForm
from workbench.widgets.frame import DEFAULT_THRESHOLD, load_coding_frame
from workbench.widgets.keys import KeyCapture, key_action
from workbench.widgets.queue import (
    Filters,
    codable_positions,
    filter_positions,
    low_confidence_mask,
    order_positions,
)
from workbench.widgets.retrain import (
    Retrain,
    merge_proposals,
    stage_model_retrain,
    with_human_codes,
)

__all__ = ["CodingWidget", "load_coding_frame", "open_coding_session"]
ALL = "(all)"
FILTER_COLUMNS = (schema.PERSONA, schema.PARTICIPANT_ID, schema.SOURCE_PATH, schema.STAGE)
AGREEMENT_EVERY = 10  # recompute agreement every this many confirms (it reads the whole store)


def _safe(title: str) -> Callable:
    """Run a handler; show any exception in the widget's message box instead of the log."""

    def wrap(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self: CodingWidget, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                self.show_error(f"{type(exc).__name__}: {exc}", title)
                return None

        return run

    return wrap


class CodingWidget(widgets.VBox):
    """Code segments one by one: see the proposal, confirm or correct, stored at once.

    Parameters
    ----------
    coded : DataFrame
        The coded table (or :func:`load_coding_frame`'s provisional one).
    store : CodeStore
        Where every decision goes.
    coder : str
        Who is coding (set once per session; shown in the widget).
    codebook : Codebook, optional
        Default: the built-in codebook.
    order : {"active", "source"}
        Active-learning order (default) or file order.
    blind : bool
        Blind double-coding: other coders' codes and the agreement are hidden.
    threshold : float
        Stage confidence below which a proposal is marked "check this".
    retrain : callable, optional
        ``DataFrame -> DataFrame`` (see :mod:`workbench.widgets.retrain`); default a quick
        stage-model refit.
    retrain_timeout : float
        Seconds after which a retrain result is discarded (the notebook is never blocked).
    context : int
        Turns shown before and after the segment.
    session : str, optional
        Stored with every decision.
    """

    def __init__(
        self,
        coded: pd.DataFrame,
        store: CodeStore,
        coder: str,
        *,
        codebook: Codebook | None = None,
        order: str = "active",
        blind: bool = False,
        threshold: float = DEFAULT_THRESHOLD,
        retrain: Retrain | None = None,
        retrain_timeout: float = 120.0,
        context: int = 2,
        session: str | None = None,
    ) -> None:
        if not isinstance(coder, str) or not coder.strip():
            raise ConfigError(f"coder {coder!r}: expected your name or initials, e.g. 'ana'")
        schema.require(coded, [schema.SEGMENT_ID, schema.TEXT, schema.SOURCE_PATH, schema.TURN])
        self.frame = coded.reset_index(drop=True)
        self.store, self.coder, self.blind, self.session = store, coder.strip(), blind, session
        self.codebook = codebook if codebook is not None else builtin_codebook()
        self.threshold, self.n_context = threshold, context
        self.retrain_fn = (
            retrain if retrain is not None else stage_model_retrain(threshold=threshold)
        )
        self.retrain_timeout = retrain_timeout
        self._lock = threading.Lock()
        self._retrain_thread: threading.Thread | None = None
        self._history: list[str] = []  # segment ids confirmed this session, for undo
        self._confirms = 0
        self._agreement = ""
        self.filters = Filters()
        # --- precomputed indexes (one pass; clicks never re-filter the frame) ---
        self.ids = self.frame[schema.SEGMENT_ID].astype(str).to_numpy(dtype=object)
        self._row_of = {sid: i for i, sid in enumerate(self.ids)}
        self._texts = self.frame[schema.TEXT].astype(object).fillna("").to_numpy(dtype=object)
        speaker = self.frame.get(schema.SPEAKER, self.frame.get(schema.SPEAKER_ROLE))
        self._speakers = (
            np.full(len(self.frame), "", dtype=object)
            if speaker is None
            else speaker.astype(object).fillna("").to_numpy(dtype=object)
        )
        self.context_index = ContextIndex(self.frame)
        self.codable = codable_positions(self.frame)
        self._refresh_proposal_arrays()
        self.coded = np.zeros(len(self.frame), dtype=bool)
        mine = store.current_codes(self.coder, blind_for=self.coder if blind else None)
        rows = pd.Index(self.ids).get_indexer(mine[schema.SEGMENT_ID].astype(str))
        self.coded[rows[rows >= 0]] = True
        self._build(order)
        self._set_order(order)

    # --- building -------------------------------------------------------------------------
    def _build(self, order: str) -> None:
        self._labels = {
            code: label
            for section in ("stages", "touchpoints", "emotions")
            for code, label in self.codebook.labels(section).items()
        } | {schema.NOT_CODABLE: schema.NOT_CODABLE_LABEL}
        self.form = CodeForm(self.codebook)
        self.coder_label = widgets.HTML(
            f'<b>Coding as <span class="wb-coder-name">{view._e(self.coder)}</span></b>'
            + (" (blind)" if self.blind else "")
        )
        self.progress = widgets.HTML()
        self.card, self.proposal, self.others = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.message = widgets.HTML()
        self.order_buttons = widgets.ToggleButtons(
            options=[("active learning", "active"), ("source order", "source")], value=order
        )
        self.filter_menus = {}
        for column, label in zip(
            FILTER_COLUMNS, ("Persona", "Participant", "Source", "Stage"), strict=True
        ):
            menu = widgets.Dropdown(
                options=[(ALL, ALL), *self._filter_options(column)],
                value=ALL,
                description=label,
            )
            menu.observe(self._on_filter, names="value")
            self.filter_menus[column] = menu
        self.not_coded = widgets.Checkbox(value=False, description="not yet coded", indent=False)
        self.needs_review = widgets.Checkbox(value=False, description="needs review", indent=False)
        for box in (self.not_coded, self.needs_review):
            box.observe(self._on_filter, names="value")
        self.order_buttons.observe(self._on_order, names="value")
        self.buttons = {
            name: widgets.Button(description=label, button_style=style)
            for name, label, style in (
                ("previous", "← Previous", ""),
                ("confirm", "Confirm & next ⏎", "success"),
                ("next", "Skip →", ""),
                ("undo", "Undo", "warning"),
                ("retrain", "Retrain", "info"),
            )
        }
        for name, button in self.buttons.items():
            button.on_click(functools.partial(self._on_button, name))
        self.key_capture = KeyCapture()
        self.key_capture.on_key(self.handle_key)
        menus = list(self.filter_menus.values())
        super().__init__(
            [
                widgets.HTML(view.CSS),
                widgets.HBox([self.coder_label, self.order_buttons]),
                widgets.HBox(menus[:2]),
                widgets.HBox([*menus[2:], self.not_coded, self.needs_review]),
                self.progress,
                self.card,
                self.proposal,
                self.others,
                self.form.box,
                widgets.HBox(list(self.buttons.values())),
                self.message,
                self.key_capture,
            ]
        )
        self.add_class("wb-coding")

    def _filter_options(self, column: str) -> list[tuple[str, str]]:
        """(label, value) choices of one filter; participants: interviewees, then respondents."""
        values = sorted({str(v) for v in self._column(column)[self.codable] if v is not None})
        if column == schema.STAGE:
            labels = {**self.codebook.labels("stages"), schema.NOT_CODABLE: "not codable"}
            return [(labels.get(v, v), v) for v in values]
        if column != schema.PARTICIPANT_ID:
            return [(v, v) for v in values]
        kinds = pd.Series(self._column(schema.SOURCE_TYPE)[self.codable]).groupby(
            pd.Series(self._column(column)[self.codable]).astype(str)
        )
        survey = {p for p, k in kinds if set(k) == {schema.SOURCE_SURVEY}}
        interviewees = [(f"{v} (interviewee)", v) for v in values if v not in survey]
        respondents = [(f"{v} (survey respondent)", v) for v in values if v in survey]
        return interviewees + respondents

    def describe(self, position: int) -> str:
        """How a researcher names a segment: participant, file and line or time."""
        row = self.frame.iloc[position]
        where = location(row.get(schema.LINE), row.get(schema.START_S))
        bits = [row.get(schema.PARTICIPANT_ID), row.get(schema.SOURCE_PATH)]
        named = " · ".join(str(b) for b in bits if b is not None and not pd.isna(b))
        return f"{named} {where}".strip()

    def _column(self, name: str) -> np.ndarray:
        if name not in self.frame.columns:
            return np.full(len(self.frame), None, dtype=object)
        column = self.frame[name].astype(object)
        return column.where(column.notna(), None).to_numpy(dtype=object)

    def _refresh_proposal_arrays(self) -> None:
        self._low = low_confidence_mask(self.frame, self.threshold)
        self._filter_columns = {c: self._column(c) for c in FILTER_COLUMNS}

    # --- queue ----------------------------------------------------------------------------
    def _set_order(self, order: str) -> None:
        self._order = order_positions(self.frame, order)
        self._apply_filters()

    def _apply_filters(self, keep_current: bool = False) -> None:
        current = self.current_position if keep_current and len(self.queue) else None
        self.queue = filter_positions(
            self.frame,
            self._order,
            self.filters,
            coded=self.coded,
            low_confidence=self._low,
            columns=self._filter_columns,
        )
        found = np.flatnonzero(self.queue == current) if current is not None else []
        self.index = int(found[0]) if len(found) else 0
        self.render()

    def set_filters(self, filters: Filters) -> None:
        """Show only the segments passing ``filters`` (menus follow)."""
        self.filters = filters
        self._apply_filters()

    @_safe("Filter failed.")
    def _on_filter(self, _change: Any = None) -> None:
        value = {c: (None if m.value == ALL else m.value) for c, m in self.filter_menus.items()}
        self.set_filters(
            Filters(
                persona=value[schema.PERSONA],
                participant=value[schema.PARTICIPANT_ID],
                source=value[schema.SOURCE_PATH],
                stage=value[schema.STAGE],
                not_coded=self.not_coded.value,
                needs_review=self.needs_review.value,
            )
        )

    @_safe("Changing the order failed.")
    def _on_order(self, change: Any) -> None:
        self._set_order(change["new"])

    @property
    def current_position(self) -> int | None:
        """Frame row of the segment on screen (None when the queue is empty)."""
        return int(self.queue[self.index]) if len(self.queue) else None

    @property
    def current_id(self) -> str | None:
        """Segment id on screen (None when the queue is empty)."""
        position = self.current_position
        return None if position is None else str(self.ids[position])

    def proposal_for(self, position: int) -> dict[str, Any]:
        """The machine proposal of a row as a dict."""
        with self._lock:
            row = self.frame.iloc[position]
        return {
            k: (None if pd.api.types.is_scalar(v) and pd.isna(v) else v) for k, v in row.items()
        }

    # --- showing --------------------------------------------------------------------------
    def render(self, *, use_store: bool = True) -> None:
        """Show the current segment, its proposal, progress; fill the form (saved code first).

        ``use_store=False`` refreshes text and proposal only (form and other coders kept).
        """
        position = self.current_position
        self._render_progress()
        if position is None:
            self.card.value = view.status_html("No segment matches the filters.")
            self.proposal.value = self.others.value = ""
            return
        row = self.proposal_for(position)
        before, after = self.context_index.around(
            position, before=self.n_context, after=self.n_context
        )
        turns = [{schema.SPEAKER: self._speakers[i], schema.TEXT: self._texts[i]} for i in before]
        later = [{schema.SPEAKER: self._speakers[i], schema.TEXT: self._texts[i]} for i in after]
        where = view.where_text(row, location(row.get(schema.LINE), row.get(schema.START_S)))
        self.card.value = view.segment_html(row, turns, later, where=where)
        self.proposal.value = view.proposal_html(
            row, low=bool(self._low[position]), labels=self._labels
        )
        if not use_store:  # called from the retrain thread: SQLite stays in its own thread
            return
        saved = self.store.current_code(self.ids[position], self.coder)
        others = {}
        if not self.blind:
            others = {
                c: self.store.current_code(self.ids[position], c)
                for c in self.store.coders()
                if c != self.coder
            }
        self.others.value = view.others_html(others, blind=self.blind)
        self.form.show(saved if saved is not None else row)

    def _render_progress(self) -> None:
        n_coded = int(self.coded[self.codable].sum())
        self.progress.value = view.progress_html(
            coder=self.coder,
            position=self.index,
            n_queue=len(self.queue),
            n_coded=n_coded,
            n_remaining=len(self.codable) - n_coded,
            agreement=self._agreement,
        )

    def show_error(self, message: str, title: str = "Not saved.") -> None:
        """Show an error box in the widget."""
        self.message.value = view.error_html(message, title)

    def _status(self, message: str) -> None:
        self.message.value = view.status_html(message)

    # --- actions --------------------------------------------------------------------------
    def _on_button(self, name: str, _button: Any = None) -> None:
        {
            "previous": self.previous,
            "confirm": self.confirm,
            "next": self.next,
            "undo": self.undo,
            "retrain": self.retrain,
        }[name]()

    @_safe("Key failed.")
    def handle_key(self, key: str) -> None:
        """Act on a shortcut key (what the browser sends; tests call it the same way)."""
        action = key_action(key)
        if action is None:
            return
        name, number = action
        if name == "stage":
            if not self.form.set_stage_number(number):
                self._status(f"no stage {number} in the codebook")
            return
        if name == "not_codable":
            self.form.set_not_codable()
            self._status("marked not codable: press Enter to confirm")
            return
        getattr(self, name)()

    @_safe("Not saved.")
    def confirm(self) -> int | None:
        """Store the form as this coder's code, then move to the next segment.

        Returns the decision id, or None (nothing on screen, or the write failed: then the
        error is shown, the form kept and the widget stays).
        """
        segment_id, position = self.current_id, self.current_position
        if segment_id is None:
            return None
        if not self.form.has_decision:
            self._status(
                "Nothing saved: choose a stage (keys 1–9) or mark the segment not codable (x) "
                "first; → skips it without a decision."
            )
            return None
        decision = self.store.record(
            segment_id,
            self.coder,
            **self.form.state(),
            session=self.session,
            codebook_hash=self.codebook.hash,
        )
        self.coded[position] = True
        self._history.append(segment_id)
        self._confirms += 1
        if self._confirms % AGREEMENT_EVERY == 0:
            self.update_agreement()
        self._status(f"saved {self.describe(position)} (decision {decision})")
        self._move(+1)
        return decision

    def _move(self, step: int) -> None:
        target = self.index + step
        if not 0 <= target < len(self.queue):
            self._render_progress()
            edge = "last" if step > 0 else "first"
            self._status(f"this is the {edge} segment of the queue")
            return
        self.index = target
        self.render()

    @_safe("Next failed.")
    def next(self) -> None:
        """Go to the next segment without saving."""
        self._move(+1)

    @_safe("Previous failed.")
    def previous(self) -> None:
        """Go back one segment."""
        self._move(-1)

    @_safe("Undo failed.")
    def undo(self) -> int | None:
        """Undo this session's last confirm (else the code of the segment on screen).

        Appends an ``undo`` decision to the store and shows that segment again.
        """
        segment_id = self._history[-1] if self._history else self.current_id
        if segment_id is None:
            return None
        decision = self.store.undo(segment_id, self.coder, session=self.session)
        if self._history:
            self._history.pop()
        position = self._row_of[segment_id]
        self.coded[position] = self.store.current_code(segment_id, self.coder) is not None
        found = np.flatnonzero(self.queue == position)
        if len(found):
            self.index = int(found[0])
        self.render()
        self._status(f"undid the last code of {self.describe(position)} (decision {decision})")
        return decision

    def update_agreement(self) -> str:
        """Recompute agreement with the other coder (not in blind mode); return the text."""
        from workbench.agreement import pairwise_agreement

        others = [c for c in self.store.coders() if c != self.coder]
        if self.blind or not others:
            self._agreement = "agreement hidden (blind)" if self.blind and others else ""
            self._render_progress()
            return self._agreement
        codes = self.store.current_codes()
        shared = set(self.store.overlap(self.coder, others[0]))
        codes = codes[codes[schema.SEGMENT_ID].isin(shared)]
        if codes.empty:
            self._agreement = f"no segment coded by both you and {others[0]} yet"
        else:
            table = pairwise_agreement(
                codes, code_columns=[schema.STAGE], coder_a=self.coder, coder_b=others[0]
            )
            row = table.iloc[0]
            self._agreement = (
                f"stage agreement with {others[0]}: {row['percent_agreement']:.0%}, "
                f"κ {row['kappa']:.2f} on {int(row['n_units'])} segments"
            )
        self._render_progress()
        return self._agreement

    # --- retraining -----------------------------------------------------------------------
    @_safe("Retrain failed.")
    def retrain(self, *, wait: bool = False) -> threading.Thread | None:
        """Refit on the codes so far in a background thread; update remaining proposals.

        ``wait=True`` blocks until done (tests, scripts). A result arriving after
        ``retrain_timeout`` seconds is discarded with a message.
        """
        if self._retrain_thread is not None and self._retrain_thread.is_alive():
            self._status("a retrain is already running")
            return self._retrain_thread
        human = self.store.current_codes(self.coder, blind_for=self.coder if self.blind else None)
        training = with_human_codes(self.frame, human)
        self._status(f"retraining on {len(human)} codes…")
        thread = threading.Thread(target=self._run_retrain, args=(training,), daemon=True)
        self._retrain_thread = thread
        thread.start()
        if wait:
            thread.join()
        return thread

    def _run_retrain(self, training: pd.DataFrame) -> None:
        started = time.perf_counter()
        try:
            result = self.retrain_fn(training)
            elapsed = time.perf_counter() - started
            if elapsed > self.retrain_timeout:
                self._status(
                    f"retrain took {elapsed:.0f} s (> {self.retrain_timeout:.0f} s); "
                    "proposals unchanged"
                )
                return
            with self._lock:
                self.frame, n = merge_proposals(self.frame, result, self.coded)
            self._refresh_proposal_arrays()
            self.render(use_store=False)
            self._status(f"retrained in {elapsed:.1f} s: new proposals for {n} segments")
        except Exception as exc:
            self.show_error(f"{type(exc).__name__}: {exc}", "Retrain failed.")


def open_coding_session(project: Project | Path | str, coder: str, **kwargs: Any) -> CodingWidget:
    """Open the coding widget on a study: its coded frame, codebook and code store.

    Keyword arguments go to :class:`CodingWidget` (``order``, ``blind``, ``threshold``…).
    """
    project = project if isinstance(project, Project) else Project(Path(project))
    codebook = kwargs.pop("codebook", None) or study_codebook(project.root)
    frame = load_coding_frame(project, codebook=codebook)
    return CodingWidget(
        frame, CodeStore.for_project(project.root), coder, codebook=codebook, **kwargs
    )
