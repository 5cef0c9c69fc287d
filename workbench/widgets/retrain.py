"""Retraining from the coding widget: human codes in, fresh proposals out.

The widget takes any ``retrain: Callable[[DataFrame], DataFrame]``. It is given the coded frame
with the human codes so far applied (:func:`with_human_codes`: ``code_source == "human"`` on
those rows) and returns a frame with new proposals, matched back by ``segment_id``
(:func:`merge_proposals`); only rows not coded by a human are updated.

:func:`stage_model_retrain` is the default: a quick refit of the classifiers of
:mod:`workbench.tag.models` (TF-IDF + logistic regression, 3-fold CV for its metrics) on the
human codes (and emotion, touchpoints, pain point and goal when their codes allow), predicting
stage, confidence, ``needs_review`` and those codes for the rest.
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
    """A :data:`Retrain` refitting the classifiers on the human codes so far.

    The stage classifier is always refitted: stages with fewer than ``min_codes`` human codes are
    left out of training and at least two stages must remain (else
    :class:`~workbench.errors.ModelError`, shown by the widget). Emotion, touchpoints, pain point
    and goal are refitted too when their human codes allow it (two classes with ``min_codes``
    each); otherwise their current proposals stay.
    """

    def retrain(frame: pd.DataFrame) -> pd.DataFrame:
        source = frame[schema.CODE_SOURCE].astype("string")
        human = (source == schema.SOURCE_HUMAN).to_numpy(dtype=bool, na_value=False)
        texts = frame[schema.TEXT].astype(object).fillna("")
        rest = np.intersect1d(np.flatnonzero(~human), codable_positions(frame))
        out = {schema.SEGMENT_ID: frame[schema.SEGMENT_ID].iloc[rest].to_numpy(dtype=object)}
        stage = _refit("stage", frame, human, texts, rest, threshold, min_codes)
        if stage is None:
            counts = frame.loc[human, schema.STAGE].astype("string").value_counts()
            raise ModelError(
                f"retrain needs at least 2 stages with {min_codes}+ human codes each; have "
                f"{dict(counts)} (code a few more segments first)"
            )
        out[schema.STAGE] = stage["label"].to_numpy(dtype=object)
        out[schema.STAGE_CONFIDENCE] = stage["confidence"].to_numpy(dtype=float)
        out[schema.NEEDS_REVIEW] = stage[schema.NEEDS_REVIEW].to_numpy(dtype=bool)
        out[schema.CODE_SOURCE] = np.full(len(rest), schema.SOURCE_MODEL, dtype=object)
        for kind, column in _OTHER_KINDS.items():
            predicted = _refit(kind, frame, human, texts, rest, threshold, min_codes)
            if predicted is None:
                continue
            labels = predicted["label"].to_numpy(dtype=object)
            if kind in ("pain_point", "goal"):
                labels = np.array([label == "True" for label in labels], dtype=object)
            out[column] = labels
        return pd.DataFrame(out)

    return retrain


_OTHER_KINDS = {
    "emotion": schema.EMOTION,
    "touchpoints": schema.TOUCHPOINTS,
    "pain_point": schema.PAIN_POINT,
    "goal": schema.GOAL,
}
_COLUMN_OF = {"stage": schema.STAGE, **_OTHER_KINDS}


def _refit(kind, frame, human, texts, rest, threshold, min_codes) -> pd.DataFrame | None:
    """Fit one kind on the human codes and predict ``rest``; None when the codes are too few."""
    from workbench.tag.models import fit_model

    values = frame[_COLUMN_OF[kind]].to_numpy(dtype=object)
    if kind == "touchpoints":
        labelled = human & np.array([isinstance(v, list | np.ndarray) for v in values], dtype=bool)
        y = [list(v) for v in values[labelled]]
        counts = pd.Series([c for codes in y for c in codes], dtype=object).value_counts()
        if len(counts) < 2 or counts.min() < min_codes or len(y) < 2 * min_codes:
            return None
        train = labelled
        folds = 2
    else:
        given = pd.Series(values, dtype=object)
        labelled = human & (given.notna() & (given != schema.NOT_CODABLE)).to_numpy()
        labels = pd.Series([str(v) for v in values[labelled]], dtype=object)
        counts = labels.value_counts()
        usable = set(counts[counts >= min_codes].index)
        if len(usable) < 2:
            return None
        train = labelled.copy()
        train[np.flatnonzero(labelled)] = labels.isin(usable).to_numpy()
        y = [str(v) for v in values[train]]
        folds = min(3, int(counts[list(usable)].min()))
    try:
        model = fit_model(kind, list(texts[train]), y, threshold=threshold, cv=folds)
    except ModelError:
        if kind == "stage":
            raise
        return None
    return model.predict_frame(list(texts.iloc[rest]))
