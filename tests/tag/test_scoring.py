"""Scores of predictions against human codes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from workbench.tag import scoring


def test_score_predictions_matches_sklearn():
    true = ["a", "b", "b", "c", "a", "c"]
    pred = ["a", "b", "a", "c", "a", None]  # a missing prediction counts as wrong
    m = scoring.score_predictions(true, pred)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["kappa"] == pytest.approx(cohen_kappa_score(true, [p or "" for p in pred]))
    assert m["per_class"]["c"]["recall"] == pytest.approx(0.5)


def test_score_multilabel_per_label_and_overall():
    true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    pred = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    m = scoring.score_multilabel(true, pred, ["app", "email", "phone"])
    assert m["accuracy"] == pytest.approx(2 / 4)  # exact set match
    assert m["macro_f1"] == pytest.approx(f1_score(true, pred, average="macro"))
    assert m["micro_f1"] == pytest.approx(f1_score(true, pred, average="micro"))
    assert m["per_class"]["email"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    assert m["confusion"]["matrix"][2] == [[2, 0], [1, 1]]  # phone: tn fp / fn tp
