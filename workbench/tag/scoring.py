"""Scores of a coder's predictions against human codes: the numbers its metrics report.

Used for cross-validated model predictions and for the rules' or VADER's predictions on the same
codes (:func:`workbench.tag.models.fit_model`), so the two are comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
)


def score_predictions(
    y_true: Sequence[Any], y_pred: Sequence[Any], *, labels: Sequence[Any] | None = None
) -> dict[str, Any]:
    """Accuracy, macro-F1, Cohen's κ, per-class scores and a confusion table.

    Used for cross-validated model predictions and for the rules' or VADER's predictions on the
    same codes, so the two are comparable. Predictions that are missing (the rules found no cue)
    count as wrong.

    Examples
    --------
    >>> m = score_predictions(["a", "b", "b"], ["a", "b", "a"])
    >>> m["accuracy"], m["confusion"]["matrix"]
    (0.6666666666666666, [[1, 0], [1, 1]])
    """
    true = [str(v) for v in y_true]
    pred = ["" if v is None or v != v else str(v) for v in y_pred]
    labels = sorted(set(true)) if labels is None else [str(v) for v in labels]
    precision, recall, f1, support = precision_recall_fscore_support(
        true, pred, labels=labels, zero_division=0
    )
    with np.errstate(all="ignore"):
        kappa = float(cohen_kappa_score(true, pred)) if len(set(true) | set(pred)) > 1 else np.nan
    return {
        "n": len(true),
        "accuracy": float(accuracy_score(true, pred)) if true else np.nan,
        "macro_f1": float(f1_score(true, pred, labels=labels, average="macro", zero_division=0)),
        "kappa": kappa,
        "per_class": {
            label: {
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion": {
            "labels": list(labels),
            "matrix": confusion_matrix(true, pred, labels=labels).tolist(),
        },
    }


def score_multilabel(Y_true: np.ndarray, Y_pred: np.ndarray, labels: list[str]) -> dict:
    """Per-label and overall scores of multi-label predictions (binary indicator matrices)."""
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, Y_pred, zero_division=0
    )
    return {
        "n": int(Y_true.shape[0]),
        "accuracy": float(accuracy_score(Y_true, Y_pred)),  # exact set match
        "macro_f1": float(f1_score(Y_true, Y_pred, average="macro", zero_division=0)),
        "micro_f1": float(f1_score(Y_true, Y_pred, average="micro", zero_division=0)),
        "per_class": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusion": {
            "labels": labels,
            "matrix": multilabel_confusion_matrix(Y_true, Y_pred).tolist(),  # per label 2×2
        },
    }
