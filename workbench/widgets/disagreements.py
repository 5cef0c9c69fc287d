"""Where two coders disagree: pick a code, see its confusion table and the segments involved.

Choose the two coders (two humans, or a human and ``model``); the toggle buttons list the codes
on which they disagree, with the number of segments. Selecting one shows the confusion table
(:func:`workbench.agreement.confusion_table`, rows coder A, columns coder B) and every segment
where the two differ, with both codes and the text (escaped). Errors show in the widget.

The pure parts (:func:`disagreement_counts`, :func:`disagreements`, :func:`pair_codes`) are
tested without widgets.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench import schema
from workbench.agreement import confusion_table
from workbench.project import Project
from workbench.widgets import view

__all__ = ["DisagreementExplorer", "disagreement_counts", "disagreements", "open_disagreements"]
CODE_A = "code_a"
CODE_B = "code_b"
N_DISAGREE = "n_disagree"
DEFAULT_COLUMNS = (schema.STAGE, schema.EMOTION, schema.SENTIMENT_LABEL, schema.PAIN_POINT,
                   schema.GOAL)  # fmt: skip


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def pair_codes(codes: pd.DataFrame, column: str, coder_a: str, coder_b: str) -> pd.DataFrame:
    """segment_id, code_a, code_b for the segments both coders coded in ``column`` (sorted).

    >>> codes = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3"],
    ...     "coder": ["a", "b", "a", "b", "a"], "stage": ["x", "y", "x", "x", "z"]})
    >>> pair_codes(codes, "stage", "a", "b").values.tolist()
    [['s1', 'x', 'y'], ['s2', 'x', 'x']]
    """

    def one(coder: str) -> pd.Series:
        rows = codes[codes[schema.CODER] == coder]
        values = rows.set_index(schema.SEGMENT_ID)[column]
        return values[[not _missing(v) for v in values]]

    a, b = one(coder_a), one(coder_b)
    both = sorted(set(a.index) & set(b.index))
    return pd.DataFrame(
        {
            schema.SEGMENT_ID: both,
            CODE_A: [a[s] for s in both],
            CODE_B: [b[s] for s in both],
        },
        columns=[schema.SEGMENT_ID, CODE_A, CODE_B],
    )


def disagreements(
    codes: pd.DataFrame,
    column: str,
    coder_a: str,
    coder_b: str,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The segments where the two coders gave different ``column`` codes (with their texts)."""
    pairs = pair_codes(codes, column, coder_a, coder_b)
    differ = pairs[[a != b for a, b in zip(pairs[CODE_A], pairs[CODE_B], strict=True)]]
    differ = differ.reset_index(drop=True)
    differ[schema.TEXT] = [(texts or {}).get(s) for s in differ[schema.SEGMENT_ID]]
    return differ


def disagreement_counts(
    codes: pd.DataFrame, coder_a: str, coder_b: str, code_columns: Sequence[str]
) -> dict[str, int]:
    """Code column → number of segments where the coders differ (only columns with any)."""
    out = {}
    for column in code_columns:
        n = len(disagreements(codes, column, coder_a, coder_b))
        if n:
            out[column] = n
    return out


def disagreements_html(frame: pd.DataFrame, coder_a: str, coder_b: str) -> str:
    """The differing segments as an HTML table, every value escaped."""
    if frame.empty:
        return view.status_html("no disagreements")
    head = (
        f"<tr><th>segment</th><th>{html.escape(str(coder_a))}</th>"
        f"<th>{html.escape(str(coder_b))}</th><th>text</th></tr>"
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{view._e(r[c])}</td>" for c in (schema.SEGMENT_ID, CODE_A, CODE_B, schema.TEXT)
        )
        + "</tr>"
        for r in frame.to_dict("records")
    )
    return f'<table class="wb-disagreements">{head}{body}</table>'


def _safe(method: Callable) -> Callable:
    @functools.wraps(method)
    def run(self: DisagreementExplorer, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            self.message.value = view.error_html(f"{type(exc).__name__}: {exc}", "Error.")
            return None

    return run


class DisagreementExplorer(widgets.VBox):
    """Pick two coders and a code; see the confusion table and the segments they differ on.

    Parameters
    ----------
    codes : DataFrame
        Long codes, one row per (segment, coder), e.g. :func:`workbench.reliability.codes_long`.
    texts : mapping, optional
        Segment id → text, shown next to each disagreement.
    code_columns : sequence of str
        Scalar code columns to offer.
    """

    def __init__(
        self,
        codes: pd.DataFrame,
        *,
        texts: Mapping[str, str] | None = None,
        code_columns: Sequence[str] = DEFAULT_COLUMNS,
    ) -> None:
        self.codes, self.texts, self.code_columns = codes, dict(texts or {}), list(code_columns)
        coders = sorted(str(c) for c in codes[schema.CODER].dropna().unique())
        self.coder_a = widgets.Dropdown(options=coders, description="Coder A")
        self.coder_b = widgets.Dropdown(
            options=coders, value=coders[1] if len(coders) > 1 else None, description="Coder B"
        )
        self.code = widgets.ToggleButtons(options=[], value=None, description="Code")
        self.message = widgets.HTML()
        self.confusion = widgets.HTML()
        self.segments = widgets.HTML()
        self.listed = pd.DataFrame(columns=[schema.SEGMENT_ID, CODE_A, CODE_B, schema.TEXT])
        self.coder_a.observe(self._on_coders, names="value")
        self.coder_b.observe(self._on_coders, names="value")
        self.code.observe(self._on_code, names="value")
        super().__init__(
            [
                widgets.HTML(view.CSS),
                widgets.HBox([self.coder_a, self.coder_b]),
                self.code,
                self.message,
                self.confusion,
                self.segments,
            ]
        )
        self._on_coders()

    @_safe
    def _on_coders(self, change: dict | None = None) -> None:
        self.message.value = ""
        a, b = self.coder_a.value, self.coder_b.value
        if a is None or b is None or a == b:
            self.code.options = []
            self.message.value = view.status_html("choose two different coders")
            self._on_code()
            return
        counts = disagreement_counts(self.codes, a, b, self.code_columns)
        self.code.options = [(f"{c} ({n})", c) for c, n in counts.items()]
        if not counts:
            self.message.value = view.status_html(f"{a} and {b} agree on every shared segment")
        self.code.value = next(iter(counts), None)
        self._on_code()

    @_safe
    def _on_code(self, change: dict | None = None) -> None:
        column, a, b = self.code.value, self.coder_a.value, self.coder_b.value
        if column is None:
            self.confusion.value = self.segments.value = ""
            self.listed = self.listed.iloc[0:0]
            return
        pairs = pair_codes(self.codes, column, a, b)
        table = confusion_table(
            [str(v) for v in pairs[CODE_A]], [str(v) for v in pairs[CODE_B]], a_name=a, b_name=b
        )
        self.confusion.value = (
            f"<b>{view._e(column)}</b>: rows {view._e(a)}, columns {view._e(b)}"
            + table.to_html(escape=True)
        )
        self.listed = disagreements(self.codes, column, a, b, self.texts)
        self.segments.value = disagreements_html(self.listed, a, b)


def open_disagreements(
    project: Project | Path | str, *, model: bool = True, codes: pd.DataFrame | None = None
) -> DisagreementExplorer:
    """The disagreement explorer of a study (human coders and, with ``model``, the machine)."""
    from workbench.reliability import codes_long
    from workbench.tag.pipeline import read_segments

    project = project if isinstance(project, Project) else Project(Path(project))
    codes = codes if codes is not None else codes_long(project, model=model)
    segments = read_segments(project)
    texts = dict(zip(segments[schema.SEGMENT_ID], segments[schema.TEXT], strict=True))
    return DisagreementExplorer(codes, texts=texts)
