"""The confirm-or-correct form of the coding widget: one code per field, from the codebook.

:class:`CodeForm` holds the controls (stage toggle buttons in stage order, one toggle button per
touchpoint, emotion and sentiment dropdowns, pain point and goal checkboxes, a memo) and turns
them into a plain state dict (:meth:`CodeForm.state`) and back (:meth:`CodeForm.show`). The keys
are the keyword arguments of :meth:`workbench.store.CodeStore.record`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench import schema
from workbench.codebook import Codebook
from workbench.store import MEMO

NO_CODE = ""  # the value of the "none" choices (stored as missing)
SENTIMENT_LABELS = ("negative", "neutral", "positive")


def _none(value: Any) -> Any:
    """None for missing values (None, NaN, pd.NA) and for the "none" choice."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return None if isinstance(value, str) and value == NO_CODE else value


class CodeForm:
    """Controls for one coder's code of one segment.

    Parameters
    ----------
    codebook : Codebook
        Stages (in stage order, numbered 1… for the keys), touchpoints and emotions.
    """

    def __init__(self, codebook: Codebook) -> None:
        self.stages = list(codebook.stage_codes)
        labels = codebook.labels("stages")
        stage_options = [
            (f"{i} {labels.get(code, code)}", code) for i, code in enumerate(self.stages, start=1)
        ]
        self.stage = widgets.ToggleButtons(
            options=[
                *stage_options,
                (f"✕ {schema.NOT_CODABLE_LABEL}", schema.NOT_CODABLE),
                ("– none", NO_CODE),
            ],
            value=NO_CODE,
            description="Stage",
            style={"button_width": "auto"},
        )
        touch_labels = codebook.labels("touchpoints")
        self.touch_buttons = {
            code: widgets.ToggleButton(
                description=touch_labels.get(code, code),
                value=False,
                layout=widgets.Layout(width="auto"),
            )
            for code in codebook.codes("touchpoints")
        }
        emotion_labels = codebook.labels("emotions")
        self.emotion = widgets.Dropdown(
            options=[
                ("–", NO_CODE),
                *[(emotion_labels.get(c, c), c) for c in codebook.codes("emotions")],
            ],
            value=NO_CODE,
            description="Emotion",
        )
        self.sentiment = widgets.Dropdown(
            options=[("–", NO_CODE), *[(c, c) for c in SENTIMENT_LABELS]],
            value=NO_CODE,
            description="Sentiment",
        )
        self.pain_point = widgets.Checkbox(value=False, description="Pain point", indent=False)
        self.goal = widgets.Checkbox(value=False, description="Goal", indent=False)
        self.memo = widgets.Textarea(
            value="",
            placeholder="memo (why, doubts, quote to use…)",
            description="Memo",
            layout=widgets.Layout(width="95%", height="56px"),
        )
        touch_row = widgets.HBox(
            [
                widgets.Label("Touchpoints", layout=widgets.Layout(width="90px")),
                *self.touch_buttons.values(),
            ],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        self.box = widgets.VBox(
            [
                self.stage,
                touch_row,
                widgets.HBox([self.emotion, self.sentiment, self.pain_point, self.goal]),
                self.memo,
            ]
        )
        self.box.add_class("wb-form")

    # --- values ---------------------------------------------------------------------------
    @property
    def touchpoints(self) -> list[str]:
        """Selected touchpoint codes, in codebook order."""
        return [code for code, button in self.touch_buttons.items() if button.value]

    @touchpoints.setter
    def touchpoints(self, codes: Any) -> None:
        chosen = set(codes or ())
        for code, button in self.touch_buttons.items():
            button.value = code in chosen

    def set_stage_number(self, number: int) -> bool:
        """Choose the ``number``-th stage (1-based); False when there is no such stage."""
        if not 1 <= number <= len(self.stages):
            return False
        self.stage.value = self.stages[number - 1]
        return True

    def set_not_codable(self) -> None:
        """Mark the segment "not codable" (no journey evidence; the map leaves it out)."""
        self.stage.value = schema.NOT_CODABLE

    @property
    def has_decision(self) -> bool:
        """True when a stage or "not codable" is chosen (what a confirm needs)."""
        return _none(self.stage.value) is not None

    def state(self) -> dict[str, Any]:
        """The form as keyword arguments of ``CodeStore.record``."""
        return {
            schema.STAGE: _none(self.stage.value),
            schema.TOUCHPOINTS: self.touchpoints,
            schema.EMOTION: _none(self.emotion.value),
            schema.SENTIMENT_LABEL: _none(self.sentiment.value),
            schema.PAIN_POINT: bool(self.pain_point.value),
            schema.GOAL: bool(self.goal.value),
            MEMO: self.memo.value,
        }

    def show(self, code: Mapping[str, Any]) -> None:
        """Fill the form from a code or proposal (unknown codes fall back to "none")."""
        stage = _none(code.get(schema.STAGE))
        known = stage in self.stages or stage == schema.NOT_CODABLE
        self.stage.value = stage if known else NO_CODE
        self.touchpoints = schema.as_list(code.get(schema.TOUCHPOINTS))
        emotion = _none(code.get(schema.EMOTION))
        self.emotion.value = emotion if (emotion, emotion) in self.emotion.options else NO_CODE
        label = _none(code.get(schema.SENTIMENT_LABEL))
        self.sentiment.value = label if label in SENTIMENT_LABELS else NO_CODE
        self.pain_point.value = bool(_none(code.get(schema.PAIN_POINT)) or False)
        self.goal.value = bool(_none(code.get(schema.GOAL)) or False)
        self.memo.value = str(_none(code.get(MEMO)) or "")
