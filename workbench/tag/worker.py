"""The process-pool side of ``workbench tag``: one :class:`MachineCoder` per worker process.

This module imports nothing heavy, and the coder travels as pickled bytes. A spawned worker
reads its start-up message at once and only then imports scikit-learn and loads the models, so
the parent starts every worker without waiting for the previous one's imports (measured: two
workers ready in about half the time).
"""

from __future__ import annotations

import pickle
from typing import Any

_CODER: Any = None


def start(payload: bytes) -> None:
    """Pool initializer: rebuild the coder from ``(codebook, models, threshold)``."""
    global _CODER
    from workbench.tag.machine import MachineCoder

    codebook, models, threshold = pickle.loads(payload)
    _CODER = MachineCoder(codebook, models, threshold)


def code_chunk(texts: list[str]) -> Any:
    """Machine codes of one chunk (a DataFrame, see :meth:`MachineCoder.code`)."""
    return _CODER.code(texts)
