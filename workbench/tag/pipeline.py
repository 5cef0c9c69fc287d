"""``workbench train`` and ``workbench tag``: from segments and human codes to the coded table.

``train`` fits one model per code (stage, emotion, touchpoints, pain point, goal, sentiment) on
the human codes, scores it by cross-validation against the rules (or VADER, for sentiment) on the
same codes, and saves it with skops in ``models/`` with its metrics, the codebook hash and the
takeover decision (:func:`workbench.tag.models.takeover`) in ``models/metrics.json``.

``tag`` codes every participant segment with VADER and the rules, lets each model that took over
replace the rules for its code, and applies the human codes **last**: a segment a person coded
carries that person's codes (``code_source=human``, ``coder``). When several coders coded one
segment, the most recent decision wins; agreement between them is measured separately
(:mod:`workbench.agreement`). The result is ``data/processed/coded.parquet``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from workbench import schema
from workbench.atomic import AtomicBatch
from workbench.codebook import Codebook, study_codebook
from workbench.errors import ModelError, WorkbenchError
from workbench.ingest.pipeline import SEGMENTS_FILE
from workbench.project import Project
from workbench.store import DECISION_ID, CodeStore
from workbench.tag.features import TextTfidf
from workbench.tag.language import detect_languages
from workbench.tag.machine import MachineCoder, code_texts
from workbench.tag.models import (
    KINDS,
    fit_model,
    sentiment_features,
    takeover,
    text_features,
)
from workbench.tag.persistence import load_model, save_model
from workbench.tag.semi import uncoded_sample

CODED_FILE = "coded.parquet"
TAG_REPORT_FILE = "tag_report.json"
METRICS_FILE = "metrics.json"
_HUMAN = {
    "stage": schema.STAGE,
    "emotion": schema.EMOTION,
    "touchpoints": schema.TOUCHPOINTS,
    "pain_point": schema.PAIN_POINT,
    "goal": schema.GOAL,
    "sentiment": schema.SENTIMENT_LABEL,
}


@dataclass
class TagResult:
    """The coded table and what was done to make it."""

    coded: pd.DataFrame
    report: dict[str, Any] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)


def read_segments(project: Project) -> pd.DataFrame:
    """The ingested segments, or a clear error saying to run ingest first."""
    path = project.processed_file(SEGMENTS_FILE)
    if not path.exists():
        raise WorkbenchError(f"{path} is missing: run `workbench ingest` first")
    return pd.read_parquet(path)


def human_codes(project: Project) -> pd.DataFrame:
    """The latest human decision per segment across coders (empty when nobody coded yet)."""
    if not (project.codes / "codes.sqlite").exists():
        return pd.DataFrame(columns=[schema.SEGMENT_ID, schema.CODER, *_HUMAN.values()])
    with CodeStore.for_project(project.root) as store:
        current = store.current_codes()
    current = current.sort_values(DECISION_ID)
    return current.drop_duplicates(schema.SEGMENT_ID, keep="last").reset_index(drop=True)


def _training_rows(segments: pd.DataFrame, codes: pd.DataFrame, kind: str) -> pd.DataFrame:
    column = _HUMAN[kind]
    rows = codes[[schema.SEGMENT_ID, column]].merge(
        segments[[schema.SEGMENT_ID, schema.TEXT, GROUP]], on=schema.SEGMENT_ID
    )
    if kind == "touchpoints":
        return rows[rows[column].map(lambda v: v is not None and not isinstance(v, float))]
    if kind == "stage":
        return rows[rows[column].notna() & (rows[column] != schema.NOT_CODABLE)]
    return rows[rows[column].notna()]


GROUP = "cv_group"


def source_groups(segments: pd.DataFrame) -> pd.Series:
    """The unit cross-validation keeps whole: the source document of an interview segment, the
    respondent of a survey answer (one answer's chunks must not score each other)."""
    survey = segments[schema.SOURCE_TYPE] == schema.SOURCE_SURVEY
    person = segments[schema.PARTICIPANT_ID].astype(str)
    source = segments[schema.SOURCE_ID].astype(str)
    return source.where(~survey, source + "/" + person)


def uncoded_texts(segments: pd.DataFrame, codes: pd.DataFrame, *, seed: int = 0) -> list[str]:
    """Participant segments nobody coded: distinct texts, a seeded sample of at most
    :data:`workbench.tag.semi.MAX_UNCODED` (what the models learn from besides the codes)."""
    participant = segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT
    uncoded = participant & ~segments[schema.SEGMENT_ID].isin(codes[schema.SEGMENT_ID])
    return uncoded_sample(segments.loc[uncoded, schema.TEXT].tolist(), seed=seed)


def study_features(
    segments: pd.DataFrame, codes: pd.DataFrame, uncoded: list[str] | None = None
) -> TextTfidf:
    """The text featurizer a study's models share: fitted on the human-coded texts (and
    ``uncoded``, for the models that learn from uncoded texts too).

    Models sharing a featurizer share its transform, so ``workbench tag`` computes it once per
    batch for all of them. Only texts are used, no codes. (Plain models keep the featurizer of
    the coded texts alone: with uncoded texts' words, which no code gives a weight, each coded
    text's norm is diluted; measured on the sample study, stage CV macro-F1 0.566 → 0.513.)
    """
    coded = segments[schema.SEGMENT_ID].isin(codes[schema.SEGMENT_ID])
    return text_features().fit(segments.loc[coded, schema.TEXT].tolist() + list(uncoded or []))


def train(
    project: Project,
    *,
    min_per_class: int = 10,
    seed: int = 0,
    use_uncoded: bool = True,
    progress: bool = False,
) -> dict[str, Any]:
    """Fit, score and save a model per code on the human codes; return the metrics summary.

    With ``use_uncoded`` (the default) each single-label model is cross-validated twice, on
    the codes alone and also learning from a sample of the study's uncoded participant
    segments (:class:`workbench.tag.semi.SelfTraining`); the latter is kept when it is better
    by more than :data:`workbench.tag.models.SEMI_MARGIN`.
    """
    segments = read_segments(project)
    segments[GROUP] = source_groups(segments)
    codebook = study_codebook(project.root)
    codes = human_codes(project)
    if codes.empty:
        raise WorkbenchError(
            "no human codes yet: code segments in notebooks/01-code-interviews.ipynb or "
            "import a spreadsheet with `workbench codes import FILE`"
        )
    rules = MachineCoder(codebook)
    uncoded = uncoded_texts(segments, codes, seed=seed) if use_uncoded else []
    features = study_features(segments, codes)
    uncoded_features = study_features(segments, codes, uncoded) if uncoded else None
    uncoded_sentiment = sentiment_features(uncoded) if uncoded else None
    summary: dict[str, Any] = {
        "codebook_hash": codebook.hash,
        "uncoded_texts": len(uncoded),
        "models": {},
    }
    fitted: dict[str, Any] = {}
    for kind in tqdm(KINDS, desc="train", unit="model", disable=not progress):
        rows = _training_rows(segments, codes, kind)
        y = rows[_HUMAN[kind]].tolist()
        if kind in ("pain_point", "goal"):
            y = [str(bool(v)) for v in y]
        keep, left_out, skip = usable_codes(kind, y, min_per_class)
        if skip:
            summary["models"][kind] = {"n": len(y), "use_model": False, "reason": skip}
            continue
        texts = [t for t, k in zip(rows[schema.TEXT].tolist(), keep, strict=True) if k]
        groups = [g for g, k in zip(rows[GROUP].tolist(), keep, strict=True) if k]
        y = [_without(v, left_out) for v, k in zip(y, keep, strict=True) if k]
        baseline = rules.code(texts)
        base_name, base = "rules", None
        if kind != "touchpoints":
            base = [None if pd.isna(v) else v for v in baseline[_HUMAN[kind]].tolist()]
            if kind in ("pain_point", "goal"):
                base = [str(bool(v)) for v in base]
            if kind == "sentiment":
                base_name = "VADER"
        X = sentiment_features(texts) if kind == "sentiment" else texts
        U = uncoded_sentiment if kind == "sentiment" else uncoded
        try:
            model = fit_model(
                kind, X, y, codebook_hash=codebook.hash, baseline=base,
                baseline_name=base_name, seed=seed, features=features, uncoded=U,
                uncoded_features=uncoded_features, groups=groups,
            )  # fmt: skip
        except ModelError as error:
            summary["models"][kind] = {"n": len(y), "use_model": False, "reason": str(error)}
            continue
        if kind == "touchpoints":
            _touchpoint_baseline(model.metrics, y, baseline[schema.TOUCHPOINTS].tolist())
        if base is not None:
            model.metrics["baseline"]["blank_share"] = float(np.mean([b is None for b in base]))
        model.metrics["left_out"] = left_out
        decision = takeover(model.metrics, min_per_class=min_per_class)
        fitted[kind] = model
        summary["models"][kind] = {
            "n": len(y),
            "use_model": decision.use_model,
            "reason": decision.reason + _left_out_note(left_out, min_per_class),
            "metrics": model.metrics,
        }
    _publish(project, fitted, summary)
    return summary


def usable_codes(kind: str, y: list, min_per_class: int) -> tuple[list[bool], dict[str, int], str]:
    """Which codes a model of ``kind`` can learn from: ``(keep, left_out, skip_reason)``.

    Classes with fewer than ``min_per_class`` human codes are left out (their segments keep
    the rules' code or are flagged for review); they never stop the other classes from being
    learned. The model is skipped, with a reason, when fewer than two classes remain.

    Examples
    --------
    >>> keep, out, skip = usable_codes("stage", ["a"] * 12 + ["b"] * 11 + ["c"] * 2, 10)
    >>> sum(keep), out, skip
    (23, {'c': 2}, '')
    >>> usable_codes("touchpoints", [[], []], 10)[2]
    'skipped: no touchpoints codes yet (2 coded segments have none)'
    """
    name = kind.replace("_", " ")
    if not y:
        return [], {}, f"skipped: no {name} codes yet"
    labels = [c for v in y for c in v] if kind == "touchpoints" else y
    counts = pd.Series(labels, dtype=object).value_counts()
    if counts.empty:
        return [], {}, f"skipped: no {name} codes yet ({len(y)} coded segments have none)"
    left_out = {str(c): int(n) for c, n in counts.items() if n < min_per_class}
    enough = len(counts) - len(left_out)
    if enough < (1 if kind == "touchpoints" else 2):
        have = ", ".join(f"{c} {n}" for c, n in counts.items())
        return (
            [],
            left_out,
            (
                f"skipped: needs {'one code' if kind == 'touchpoints' else 'two classes'} with at "
                f"least {min_per_class} human codes each; have {have}"
            ),
        )
    keep = [True] * len(y) if kind == "touchpoints" else [v not in left_out for v in y]
    return keep, left_out, ""


def _without(value: Any, left_out: dict[str, int]) -> Any:
    """A touchpoint list without the left-out touchpoints (single codes pass unchanged)."""
    return [c for c in value if c not in left_out] if isinstance(value, list) else value


def _left_out_note(left_out: dict[str, int], min_per_class: int) -> str:
    if not left_out:
        return ""
    listed = ", ".join(f"{c!r} ({n})" for c, n in sorted(left_out.items()))
    return (
        f"; left out with fewer than {min_per_class} human codes: {listed} "
        "(the model never proposes them; where the rules give one it stays, and segments the "
        "model is unsure of are flagged for review)"
    )


def _publish(project: Project, fitted: dict[str, Any], summary: dict[str, Any]) -> None:
    """Write every model and ``metrics.json`` together; remove models of kinds now skipped.

    Nothing partial is left: a failure before the commit leaves the previous models in place.
    """
    project.models.mkdir(parents=True, exist_ok=True)
    with AtomicBatch() as batch:
        for kind, model in fitted.items():
            batch.stage(project.models / f"{kind}.skops", lambda tmp, m=model: save_model(tmp, m))
        batch.write_json(project.models / METRICS_FILE, summary)
    for kind in KINDS:
        if kind not in fitted:
            (project.models / f"{kind}.skops").unlink(missing_ok=True)


def _touchpoint_baseline(metrics: dict[str, Any], truth: list, rules: list) -> None:
    """Per-touchpoint code counts and the rules' scores, so the takeover policy can compare."""
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer(classes=sorted(metrics["per_class"]))
    true = binarizer.fit_transform([list(v) for v in truth])
    pred = binarizer.transform([[c for c in v if c in binarizer.classes_] for v in rules])
    metrics["class_counts"] = {c: int(n) for c, n in zip(binarizer.classes_, true.sum(axis=0),
                                                         strict=True)}  # fmt: skip
    metrics["baseline"] = {
        "name": "rules",
        "n": len(truth),
        "macro_f1": float(f1_score(true, pred, average="macro", zero_division=0)),
        "micro_f1": float(f1_score(true, pred, average="micro", zero_division=0)),
    }


def load_active_models(project: Project, codebook: Codebook) -> tuple[dict, list[str]]:
    """Models whose takeover decision is yes, and warnings about any that cannot be used."""
    path = project.models / METRICS_FILE
    if not path.exists():
        return {}, []
    summary = json.loads(path.read_text(encoding="utf-8"))
    models, warnings = {}, []
    for kind, entry in summary.get("models", {}).items():
        if not entry.get("use_model"):
            continue
        try:
            models[kind] = load_model(project.models / f"{kind}.skops", codebook_hash=codebook.hash)
        except ModelError as error:
            warnings.append(f"{error}; using the rules for {kind}")
    return models, warnings


def _apply_human(coded: pd.DataFrame, codes: pd.DataFrame) -> int:
    if codes.empty:
        return 0
    index = pd.Series(np.arange(len(coded)), index=coded[schema.SEGMENT_ID])
    codes = codes[codes[schema.SEGMENT_ID].isin(index.index)]
    rows = index[codes[schema.SEGMENT_ID]].to_numpy()
    for column in _HUMAN.values():
        values = codes[column].to_numpy(dtype=object)
        if column == schema.TOUCHPOINTS:
            keep = np.array([isinstance(v, list | np.ndarray) for v in values], dtype=bool)
            values = np.array([list(v) if k else None for v, k in zip(values, keep, strict=True)],
                              dtype=object)  # fmt: skip
        else:
            keep = pd.notna(codes[column]).to_numpy()
        target = coded.columns.get_loc(column)
        for row, value in zip(rows[keep], values[keep], strict=True):
            coded.iat[row, target] = value
    coded.loc[coded.index[rows], schema.CODE_SOURCE] = schema.SOURCE_HUMAN
    coded.loc[coded.index[rows], schema.CODER] = codes[schema.CODER].to_numpy()
    coded.loc[coded.index[rows], schema.STAGE_CONFIDENCE] = 1.0
    coded.loc[coded.index[rows], schema.NEEDS_REVIEW] = False
    pain = coded.loc[coded.index[rows], schema.PAIN_POINT].astype("boolean").fillna(False)
    coded.loc[pain.index[~pain.to_numpy(dtype=bool)], schema.PAIN_CATEGORY] = None
    _clear_not_codable(coded)
    return len(rows)


_LABEL_SCORE = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


def _best_sentiment(
    coded: pd.DataFrame, codes: pd.DataFrame, codable: np.ndarray, model: bool
) -> None:
    """``sentiment_score`` and ``sentiment_source``: the best signal for each segment.

    A human sentiment code first, then the study's sentiment model where it took over, then
    VADER's compound score; labels count -1, 0 or +1. Segments in a language VADER's lexicon
    does not cover get no score (``unscored``) unless a person coded them.
    """
    labels = coded[schema.SENTIMENT_LABEL].astype(object)
    source = np.full(len(coded), None, dtype=object)
    source[codable] = schema.SOURCE_MODEL if model else schema.SENTIMENT_VADER
    foreign = coded[schema.LANGUAGE].notna().to_numpy()
    source[codable & foreign] = schema.SENTIMENT_UNSCORED
    given = codes[codes[schema.SENTIMENT_LABEL].notna()][schema.SEGMENT_ID]
    human = coded[schema.SEGMENT_ID].isin(given).to_numpy() & codable
    source[human] = schema.SOURCE_HUMAN
    score = pd.to_numeric(coded[schema.SENTIMENT], errors="coerce").to_numpy(dtype=float)
    by_label = labels.map(_LABEL_SCORE).to_numpy(dtype=float)
    from_label = (source == schema.SOURCE_HUMAN) | (source == schema.SOURCE_MODEL)
    score = np.where(from_label, by_label, score)
    unscored = (source == schema.SENTIMENT_UNSCORED) | (source == None)  # noqa: E711
    score[unscored] = np.nan
    coded.loc[source == schema.SENTIMENT_UNSCORED, schema.SENTIMENT_LABEL] = None
    coded[schema.SENTIMENT_SCORE] = score
    coded[schema.SENTIMENT_SOURCE] = pd.array(source, dtype="string")


def _clear_not_codable(coded: pd.DataFrame) -> None:
    """Segments a researcher marked "not codable" carry no evidence: no stage and no codes.

    They keep ``code_source`` human, so "human-coded without a stage" counts them.
    """
    marked = (coded[schema.STAGE].astype(object) == schema.NOT_CODABLE).to_numpy()
    if not marked.any():
        return
    index = coded.index[marked]
    for column in (schema.STAGE, schema.EMOTION, schema.PAIN_CATEGORY):
        coded.loc[index, column] = None
    coded.loc[index, [schema.PAIN_POINT, schema.GOAL]] = False
    column = coded.columns.get_loc(schema.TOUCHPOINTS)
    for row in np.flatnonzero(marked):
        coded.iat[row, column] = []


def tag(
    project: Project, *, write: bool = True, progress: bool = False, workers: int | None = None
) -> TagResult:
    """Code every participant segment; human codes last; write ``coded.parquet`` atomically."""
    started = time.time()
    segments = read_segments(project)
    codebook = study_codebook(project.root)
    models, warnings = load_active_models(project, codebook)
    codable = (segments[schema.SPEAKER_ROLE] == schema.ROLE_PARTICIPANT).to_numpy()
    machine = code_texts(
        MachineCoder(codebook, models),
        segments.loc[codable, schema.TEXT].tolist(),
        workers=workers,
        progress=progress,
    )
    coded = segments.copy()
    for column in machine.columns:
        values = np.empty(len(coded), dtype=object)
        values[:] = None
        values[codable] = machine[column].to_numpy(dtype=object)
        coded[column] = values
    coded[schema.CODER] = None
    languages = np.full(len(coded), None, dtype=object)
    languages[codable] = detect_languages(coded.loc[codable, schema.TEXT].tolist())
    coded[schema.LANGUAGE] = languages
    codes = human_codes(project)
    n_human = _apply_human(coded, codes)
    _best_sentiment(coded, codes, codable, "sentiment" in models)
    coded[schema.CODEBOOK_HASH] = codebook.hash
    coded = _typed(coded)
    orphans = int((~codes[schema.SEGMENT_ID].isin(segments[schema.SEGMENT_ID])).sum())
    if orphans:
        warnings.append(
            f"{orphans} human code(s) belong to segments no longer in the study "
            "(kept in the store; see `workbench codes status`)"
        )
    sources = coded.loc[codable, schema.CODE_SOURCE].value_counts().to_dict()
    report = {
        "codebook": codebook.name,
        "codebook_hash": codebook.hash,
        "segments": int(codable.sum()),
        "by_code_source": {str(k): int(v) for k, v in sources.items()},
        "human_coded": n_human,
        "needs_review": int(coded[schema.NEEDS_REVIEW].fillna(False).astype(bool).sum()),
        "by_sentiment_source": {
            str(k): int(v)
            for k, v in coded.loc[codable, schema.SENTIMENT_SOURCE].value_counts().items()
        },
        "models_used": sorted(models),
        "warnings": warnings,
        "seconds": round(time.time() - started, 3),
    }
    result = TagResult(coded, report)
    if write:
        with AtomicBatch() as batch:
            batch.write_parquet(project.processed_file(CODED_FILE), coded)
            batch.write_json(project.processed_file(TAG_REPORT_FILE), report)
        result.written = [project.processed_file(CODED_FILE)]
    return result


def _typed(coded: pd.DataFrame) -> pd.DataFrame:
    for column in (schema.STAGE, schema.EMOTION, schema.SENTIMENT_LABEL, schema.PAIN_CATEGORY,
                   schema.CODE_SOURCE, schema.CODER, schema.CODEBOOK_HASH):  # fmt: skip
        coded[column] = coded[column].astype("string")
    coded[schema.LANGUAGE] = coded[schema.LANGUAGE].astype("string")
    for column in (schema.STAGE_CONFIDENCE, schema.SENTIMENT):
        coded[column] = pd.to_numeric(coded[column], errors="coerce").astype("float64")
    for column in (schema.PAIN_POINT, schema.GOAL, schema.NEEDS_REVIEW):
        coded[column] = coded[column].astype("boolean")
    return coded
