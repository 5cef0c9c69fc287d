"""Saving and loading trained coders: skops (never pickle), an allow-list of types, the codebook.

A model file holds ``{"model": estimator, "meta": JSON text}`` with the metrics and the hash of
the codebook the model was trained for. Loading checks the file's types against
:data:`TRUSTED_TYPES` before anything is built and refuses a model built for another codebook.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import ModelError
from workbench.tag.calibration import upgrade
from workbench.tag.models import TrainedModel

#: 2: a calibrated model's classifier is its fitted ``estimator_`` (a FrozenEstimator of the
#: pipeline); format 1 files, whose TemperatureScaled holds it as ``estimator``, still load
#: (:func:`workbench.tag.calibration.upgrade`).
FORMAT_VERSION = 2

# Every type a saved model may contain beyond skops' defaults. Loading refuses anything else.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.compose._column_transformer._RemainderColsList",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.preprocessing._label.MultiLabelBinarizer",
    "workbench.tag.calibration.TemperatureScaled",
    "workbench.tag.features.SparseScaler",
    "workbench.tag.features.TextTfidf",
    "workbench.tag.models.TrainedModel",
)


def save_model(path: str | os.PathLike[str], trained: TrainedModel) -> Path:
    """Write a trained model with skops (never pickle), with metrics and codebook hash.

    The file holds ``{"model": estimator, "meta": JSON text}``; the write is atomic.
    """
    import skops.io as sio

    path = Path(path)
    meta = {
        "format_version": FORMAT_VERSION,
        "kind": trained.kind,
        "classes": trained.classes,
        "threshold": trained.threshold,
        "codebook_hash": trained.codebook_hash,
        "metrics": trained.metrics,
    }
    payload = {"model": trained.model, "meta": json.dumps(meta, default=_json_default)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        sio.dump(payload, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def load_model(path: str | os.PathLike[str], *, codebook_hash: str) -> TrainedModel:
    """Load a model saved by :func:`save_model`, safely.

    Raises
    ------
    ModelError
        When the file is missing or unreadable, contains a type outside :data:`TRUSTED_TYPES`
        (named in the message), or was trained for another codebook (both hashes named).
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no saved model (expected a .skops file; run workbench train)")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise ModelError(f"{path}: not a readable skops model file ({exc})") from exc
    unknown = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unknown:
        raise ModelError(
            f"{path}: refusing to load untrusted type(s) {', '.join(unknown)} "
            "(expected only the types workbench saves; was the file made elsewhere?)"
        )
    payload = sio.load(path, trusted=[t for t in untrusted if t in TRUSTED_TYPES])
    if not isinstance(payload, dict) or set(payload) != {"model", "meta"}:
        raise ModelError(f"{path}: not a workbench model (expected keys 'model' and 'meta')")
    meta = json.loads(payload["meta"])
    if meta.get("codebook_hash") != codebook_hash:
        raise ModelError(
            f"{path}: model was trained for codebook {meta.get('codebook_hash')!r} but the "
            f"study's codebook is {codebook_hash!r} (expected the same; retrain with "
            "workbench train)"
        )
    try:
        model = upgrade(payload["model"])
    except ModelError as exc:
        raise ModelError(f"{path}: {exc}") from exc
    return TrainedModel(
        meta["kind"],
        model,
        list(meta["classes"]),
        float(meta["threshold"]),
        meta["metrics"],
        meta["codebook_hash"],
    )
