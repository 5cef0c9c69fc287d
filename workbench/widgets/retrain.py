"""Retraining from the coding widget: human codes in, fresh proposals out.

The widget takes any ``retrain: Callable[[DataFrame], DataFrame]``. It is given the coded frame
with the human codes so far applied (:func:`with_human_codes`: ``code_source == "human"`` on
those rows) and returns a frame with new proposals, matched back by ``segment_id``
(:func:`merge_proposals`); only rows not coded by a human are updated.

:func:`stage_model_retrain` is the default: a quick refit of the stage classifier of
:mod:`workbench.tag.models` (TF-IDF + logistic regression, 3-fold CV for its metrics) on the
human stage codes, predicting stage, confidence and ``needs_review`` for the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from workbench import schema
from workbench.errors import ModelError, WorkbenchError
from workbench.widgets.queue import codable_positions

Retrain = Callable[[pd.DataFrame], pd.DataFrame]

#: Columns a retrain result may update.
PROPOSAL_COLUMNS = (
    schema.STAGE,
    schema.STAGE_CONFIDENCE,
    schema.TOUCHPOINTS,
    schema.EMOTION,
    schema.SENTIMENT,
    schema.SENTIMENT_LABEL,
    schema.PAIN_POINT,
    schema.GOAL,
    schema.NEEDS_REVIEW,
    schema.CODE_SOURCE,
)
HUMAN_COLUMNS = (
    schema.STAGE,
    schema.TOUCHPOINTS,
    schema.EMOTION,
    schema.SENTIMENT_LABEL,
    schema.PAIN_POINT,
    schema.GOAL,
)


def with_human_codes(coded: pd.DataFrame, human: pd.DataFrame) -> pd.DataFrame:
    """``coded`` with the current human codes (``CodeStore.current_codes`` rows) applied.

    One human code per segment is expected (one coder's codes); rows get ``code_source``
    ``human``, the coder's name, and ``stage_confidence`` 1.
    """
    out = coded.copy()
    if human.empty:
        return out
    rows = pd.Index(out[schema.SEGMENT_ID].astype(object)).get_indexer(
        human[schema.SEGMENT_ID].astype(object)
    )
    found = rows >= 0
    rows, human = rows[found], human[found]
    for column in (*HUMAN_COLUMNS, schema.CODER):
        values = human[column].to_numpy(dtype=object)
        if column not in out.columns:
            out[column] = pd.Series([None] * len(out), dtype=object)
        out[column] = out[column].astype(object)
        out.iloc[rows, out.columns.get_loc(column)] = values if len(rows) else []
    for column, value in (
        (schema.CODE_SOURCE, schema.SOURCE_HUMAN),
        (schema.STAGE_CONFIDENCE, 1.0),
    ):
        out[column] = out[column].astype(object) if column in out.columns else None
        out.iloc[rows, out.columns.get_loc(column)] = value
    out[schema.STAGE_CONFIDENCE] = pd.to_numeric(out[schema.STAGE_CONFIDENCE], errors="coerce")
    return out


def merge_proposals(
    coded: pd.DataFrame, result: pd.DataFrame, keep: np.ndarray
) -> tuple[pd.DataFrame, int]:
    """Copy ``result``'s proposal columns into ``coded`` where ``keep`` is False.

    Parameters
    ----------
    coded : DataFrame
        The widget's frame (not modified).
    result : DataFrame
        What the retrain function returned (``segment_id`` plus some :data:`PROPOSAL_COLUMNS`).
    keep : bool array
        One per row of ``coded``: True for rows whose proposal must not change (human-coded).

    Returns
    -------
    (DataFrame, int)
        The updated copy and how many rows got a new proposal.
    """
    if schema.SEGMENT_ID not in result.columns:
        raise WorkbenchError(
            f"retrain returned columns {list(result.columns)} (expected {schema.SEGMENT_ID!r} "
            f"and some of {list(PROPOSAL_COLUMNS)})"
        )
    columns = [c for c in PROPOSAL_COLUMNS if c in result.columns]
    if not columns:
        raise WorkbenchError(
            f"retrain returned no proposal column (expected some of {list(PROPOSAL_COLUMNS)})"
        )
    source = pd.Index(result[schema.SEGMENT_ID].astype(object)).get_indexer(
        coded[schema.SEGMENT_ID].astype(object)
    )
    target = np.flatnonzero((source >= 0) & ~np.asarray(keep, dtype=bool))
    out = coded.copy()
    for column in columns:
        new = result[column].to_numpy(dtype=object)[source[target]]
        if column not in out.columns:
            out[column] = pd.Series([None] * len(out), dtype=object)
        if column in (schema.STAGE_CONFIDENCE, schema.SENTIMENT):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
            new = pd.to_numeric(pd.Series(new, dtype=object), errors="coerce").to_numpy(float)
        else:
            out[column] = out[column].astype(object)
        out.iloc[target, out.columns.get_loc(column)] = new if len(target) else []
    return out, len(target)


def stage_model_retrain(*, threshold: float = 0.6, min_codes: int = 2) -> Retrain:
    """A :data:`Retrain` refitting the stage classifier on the human stage codes.

    Stages with fewer than ``min_codes`` human codes are left out of training; at least two
    stages must remain (else :class:`~workbench.errors.ModelError`, shown by the widget).
    """

    def retrain(frame: pd.DataFrame) -> pd.DataFrame:
        from workbench.tag.models import fit_model

        source = frame[schema.CODE_SOURCE].astype("string")
        human = (source == schema.SOURCE_HUMAN).to_numpy(dtype=bool, na_value=False)
        stages = frame[schema.STAGE].astype("string")
        labelled = human & stages.notna().to_numpy()
        counts = stages[labelled].value_counts()
        usable = set(counts[counts >= min_codes].index)
        train = labelled & stages.isin(usable).to_numpy(dtype=bool, na_value=False)
        if len(usable) < 2:
            raise ModelError(
                f"retrain needs at least 2 stages with {min_codes}+ human codes each; have "
                f"{dict(counts)} (code a few more segments first)"
            )
        texts = frame[schema.TEXT].astype(object).fillna("")
        model = fit_model(
            "stage",
            list(texts[train]),
            list(stages[train]),
            threshold=threshold,
            cv=min(3, int(counts[list(usable)].min())),
        )
        rest = np.intersect1d(np.flatnonzero(~human), codable_positions(frame))
        predicted = model.predict_frame(list(texts.iloc[rest]))
        return pd.DataFrame(
            {
                schema.SEGMENT_ID: frame[schema.SEGMENT_ID].iloc[rest].to_numpy(dtype=object),
                schema.STAGE: predicted["label"].to_numpy(dtype=object),
                schema.STAGE_CONFIDENCE: predicted["confidence"].to_numpy(dtype=float),
                schema.NEEDS_REVIEW: predicted[schema.NEEDS_REVIEW].to_numpy(dtype=bool),
                schema.CODE_SOURCE: schema.SOURCE_MODEL,
            }
        )

    return retrain
