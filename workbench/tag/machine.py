"""Machine codes for a batch of texts: VADER sentiment, codebook rules, and trained models.

:class:`MachineCoder` is what ``workbench tag`` runs on every codable segment. It starts from
the rules (``code_source=rule``); each trained model whose takeover decision (see
:func:`workbench.tag.models.takeover`) says so replaces the rules for its code. ``code_source``
names where the **stage** came from, the code the map is organised by. Large inputs are split
into chunks scored in a process pool, each worker loading the rules and models once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from workbench import schema
from workbench.codebook import Codebook
from workbench.tag import worker
from workbench.tag.models import CONFIDENCE, DEFAULT_THRESHOLD, LABEL, VADER_COLUMNS, TrainedModel
from workbench.tag.rules import RuleTagger
from workbench.tag.sentiment import VaderScorer

#: Texts per chunk in the process pool; below two chunks everything runs in-process.
CHUNK = 10_000

#: Columns :meth:`MachineCoder.code` returns, in order.
MACHINE_COLUMNS = (
    schema.STAGE,
    schema.STAGE_CONFIDENCE,
    schema.TOUCHPOINTS,
    schema.EMOTION,
    schema.SENTIMENT,
    schema.SENTIMENT_LABEL,
    schema.PAIN_POINT,
    schema.PAIN_CATEGORY,
    schema.GOAL,
    schema.CODE_SOURCE,
    schema.NEEDS_REVIEW,
)

_TARGET = {
    "stage": schema.STAGE,
    "emotion": schema.EMOTION,
    "touchpoints": schema.TOUCHPOINTS,
    "pain_point": schema.PAIN_POINT,
    "goal": schema.GOAL,
    "sentiment": schema.SENTIMENT_LABEL,
}


class MachineCoder:
    """Code texts with VADER, the codebook's rules and any models that took over.

    Parameters
    ----------
    codebook : Codebook
        Stages, touchpoints, emotions and cues.
    models : dict of str to TrainedModel, optional
        Models that passed the takeover policy, keyed by kind (``stage``, ``emotion`` ...).
    threshold : float
        Rule confidence below which a rule-coded stage is flagged ``needs_review``.
    """

    def __init__(
        self,
        codebook: Codebook,
        models: dict[str, TrainedModel] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.codebook = codebook
        self.models = dict(models or {})
        self.threshold = threshold
        self.rules_ = RuleTagger(codebook).fit()
        self.vader_ = VaderScorer()

    def code(self, texts: Sequence[str]) -> pd.DataFrame:
        """Machine codes for ``texts``, one row each, columns :data:`MACHINE_COLUMNS`."""
        texts = ["" if not isinstance(t, str) else t for t in texts]
        scores = self.vader_.score(texts, workers=1)
        compound = scores[schema.SENTIMENT].to_numpy(dtype=float)
        out = self.rules_.predict_frame(texts, sentiment=compound)
        out[schema.SENTIMENT] = compound
        out[schema.SENTIMENT_LABEL] = scores[schema.SENTIMENT_LABEL].to_numpy(dtype=object)
        out[schema.NEEDS_REVIEW] = out[schema.STAGE_CONFIDENCE].to_numpy() < self.threshold
        for kind, model in self.models.items():
            if kind == "sentiment":
                features = pd.DataFrame({schema.TEXT: texts})
                for column in VADER_COLUMNS:
                    features[column] = scores[column].to_numpy(dtype=float)
                predicted = model.predict_frame(features)
            else:
                predicted = model.predict_frame(texts)
            labels = predicted[LABEL].to_numpy(dtype=object)
            if kind in ("pain_point", "goal"):
                labels = np.asarray([str(v).lower() in ("true", "1") for v in labels])
            # classes left out of the model (too few codes) keep the rules' code
            left_out = set((model.metrics or {}).get("left_out") or {})
            rule = out[_TARGET[kind]].to_numpy(dtype=object)
            keep = np.array([v in left_out for v in rule], dtype=bool) if left_out else None
            if keep is not None:
                labels = np.where(keep, rule, labels)
            out[_TARGET[kind]] = labels
            if kind == "stage":
                mine = np.ones(len(out), dtype=bool) if keep is None else ~keep
                confidence = predicted[CONFIDENCE].to_numpy(dtype=float)
                review = predicted[schema.NEEDS_REVIEW].to_numpy(dtype=bool)
                out.loc[mine, schema.STAGE_CONFIDENCE] = confidence[mine]
                out.loc[mine, schema.NEEDS_REVIEW] = review[mine]
                out.loc[mine, schema.CODE_SOURCE] = schema.SOURCE_MODEL
        pain = out[schema.PAIN_POINT].to_numpy(dtype=bool)
        out.loc[~pain, schema.PAIN_CATEGORY] = None
        return out[list(MACHINE_COLUMNS)].reset_index(drop=True)


def code_texts(
    coder: MachineCoder,
    texts: Sequence[str],
    *,
    workers: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``coder`` over ``texts``, in a process pool when there are several chunks."""
    texts = list(texts)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(texts) < 2 * CHUNK:
        return coder.code(texts)
    from tqdm.auto import tqdm

    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    args = (coder.codebook, coder.models, coder.threshold)
    # spawned (not forked) workers do not inherit the caller's segment table: far less memory
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=worker.start, initargs=args
    ) as pool:
        parts = list(
            tqdm(
                pool.map(worker.code_chunk, chunks),
                total=len(chunks),
                desc="tagging",
                unit="chunk",
                disable=not progress,
            )
        )
    return pd.concat(parts, ignore_index=True)
