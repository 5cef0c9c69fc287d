"""Canonical tables: column names, dtypes and validators, in one place.

Every module refers to columns through the constants defined here, never through string
literals, so a rename is a one-line change. The tables are described in ``ARCHITECTURE.md``:

* ``segments``  – one row per codable unit (participant turn, sentence, survey answer);
* ``documents`` – one row per source file, with the decoded text that offsets point into;
* ``questions`` – one row per survey column (id, text, kind, metric, scale, what its answers
  look like);
* ``responses`` – one row per respondent × closed question (long format);
* ``coded``     – segments plus machine and human codes;
* ``journey``   – one row per persona × stage (× touchpoint).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.errors import WorkbenchError

# --- identifiers and provenance -------------------------------------------------------------
SEGMENT_ID = "segment_id"
SOURCE_ID = "source_id"
SOURCE_TYPE = "source_type"
SOURCE_PATH = "source_path"
SOURCE_FORMAT = "source_format"
PARTICIPANT_ID = "participant_id"
PERSONA = "persona"
SPEAKER = "speaker"
SPEAKER_ROLE = "speaker_role"
TURN = "turn"
UNIT = "unit"
TEXT = "text"
CHAR_START = "char_start"
CHAR_END = "char_end"
LINE = "line"
START_S = "start_s"
END_S = "end_s"
QUESTION_ID = "question_id"

# --- documents ------------------------------------------------------------------------------
ENCODING = "encoding"
SHA256 = "sha256"
N_TURNS = "n_turns"
N_SEGMENTS = "n_segments"

# --- questions and responses ----------------------------------------------------------------
QUESTION_TEXT = "question_text"
QUESTION_KIND = "kind"
QUESTION_METRIC = "metric"
QUESTION_POSITION = "position"
SCALE = "scale"  # "1-5", "0-10" for ratings and NPS; "mixed" when answers break it
QUESTION_SCALE = SCALE
MIXED_SCALE = "mixed"
SHARE_SCALE = "share"  # the scale of a share counted from codes or counts, in percent
SCALE_DECLARED = "scale_declared"  # the header, the answers or the config said the scale
ANSWER = "answer"  # one answer of a choice question, in the tables built from them
N_ANSWERS = "n_answers"
N_DISTINCT = "n_distinct"
EXAMPLE = "example"
KIND_NOTE = "kind_note"  # why a guessed kind may be wrong (None when it is clear)
QUESTION_ROLE = "role"  # respondent_id or persona for the columns that say who answered
RESPONDENT_ID = "respondent_id"
VALUE = "value"
VALUE_NUM = "value_num"

# --- coded ----------------------------------------------------------------------------------
STAGE = "stage"
STAGE_CONFIDENCE = "stage_confidence"
TOUCHPOINTS = "touchpoints"
EMOTION = "emotion"
SENTIMENT = "sentiment"
SENTIMENT_LABEL = "sentiment_label"
PAIN_POINT = "pain_point"
GOAL = "goal"
CODE_SOURCE = "code_source"
CODER = "coder"
NEEDS_REVIEW = "needs_review"
CODEBOOK_HASH = "codebook_hash"
SENTIMENT_SCORE = "sentiment_score"  # the best signal on [-1, 1]: what the map averages
SENTIMENT_SOURCE = "sentiment_source"  # where it came from: human, model, vader or unscored
LANGUAGE = "language"  # a detected non-English language code; None for English

# --- journey --------------------------------------------------------------------------------
STAGE_ORDER = "stage_order"
TOUCHPOINT = "touchpoint"
N_PARTICIPANTS = "n_participants"
SENTIMENT_MEAN = "sentiment_mean"
SENTIMENT_CI_LOW = "sentiment_ci_low"
SENTIMENT_CI_HIGH = "sentiment_ci_high"
SHARE_NEGATIVE = "share_negative"
EVIDENCE_IDS = "evidence_ids"
WEAK_EVIDENCE = "weak_evidence"
TOP_PAIN_POINTS = "top_pain_points"
TOP_GOALS = "top_goals"
SHARE_PAIN_POINT = "share_pain_point"
N_PAIN_POINTS = "n_pain_points"
N_GOALS = "n_goals"

# --- tidy companions of the journey table (emotion mix, evidence, opportunities, metrics) ---
COUNT = "n"
SHARE = "share"
RANK = "rank"
SCORE = "score"
LOCATION = "location"
CONFIDENCE = "confidence"
PAIN_CATEGORY = "pain_category"
FREQUENCY = "frequency"
SEVERITY = "severity"
REACH = "reach"
NOTE = "note"
METRIC = "metric"
ESTIMATE = "estimate"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"
N_RESPONDENTS = "n_respondents"

# --- controlled vocabularies ----------------------------------------------------------------
SOURCE_INTERVIEW = "interview"
SOURCE_SURVEY = "survey"
SOURCE_TYPES = (SOURCE_INTERVIEW, SOURCE_SURVEY)

ROLE_PARTICIPANT = "participant"
ROLE_INTERVIEWER = "interviewer"
ROLE_OTHER = "other"
SPEAKER_ROLES = (ROLE_PARTICIPANT, ROLE_INTERVIEWER, ROLE_OTHER)

UNIT_TURN = "turn"
UNIT_SENTENCE = "sentence"
UNIT_ANSWER = "answer"
UNITS = (UNIT_TURN, UNIT_SENTENCE, UNIT_ANSWER)

KIND_OPEN = "open_text"
KIND_NPS = "nps"
KIND_YES_NO = "yes_no"
KIND_RATING = "rating"
KIND_NUMERIC = "numeric"
KIND_CHOICE = "choice"
KIND_MULTI = "multiple_choice"
KIND_ID = "id"
KIND_DATE = "date"
KIND_URL = "url"
KIND_EMAIL = "email"
KIND_NAME = "name"
KIND_METADATA = "metadata"
QUESTION_KINDS = (
    KIND_OPEN, KIND_NPS, KIND_YES_NO, KIND_RATING, KIND_NUMERIC, KIND_CHOICE, KIND_MULTI,
    KIND_ID, KIND_DATE, KIND_URL, KIND_EMAIL, KIND_NAME, KIND_METADATA,
)  # fmt: skip
#: Kinds whose answers are kept as closed answers (the responses table).
CLOSED_KINDS = (KIND_NPS, KIND_YES_NO, KIND_RATING, KIND_NUMERIC, KIND_CHOICE, KIND_MULTI)
#: How each kind reads in tables a researcher sees.
KIND_LABELS = {
    KIND_OPEN: "open text", KIND_NPS: "NPS (0-10)", KIND_YES_NO: "yes/no",
    KIND_RATING: "rating", KIND_NUMERIC: "number", KIND_CHOICE: "single choice",
    KIND_MULTI: "multiple choice", KIND_ID: "id or code", KIND_DATE: "date", KIND_URL: "URL",
    KIND_EMAIL: "email", KIND_NAME: "name", KIND_METADATA: "metadata",
}  # fmt: skip

ROLE_RESPONDENT_ID = "respondent_id"
ROLE_PERSONA = "persona"

METRIC_NPS = "nps"
METRIC_CSAT = "csat"
METRIC_CES = "ces"
METRIC_RECOMMEND = "recommend"
METRIC_RETENTION = "retention"
METRIC_CONVERSION = "conversion"
# ... and the measures computed from them (workbench.survey): shares in %, means on the scale
METRIC_CSAT_MEAN = "csat_mean"
METRIC_RATING_MEAN = "rating_mean"
METRIC_RATING_TOP2 = "rating_top2"
METRIC_YES_SHARE = "yes_share"
METRIC_MEAN = "mean"
METRIC_MENTIONS = "mentions"  # share of respondents whose open answers carry a code
#: Measures that are percentages (0-100) rather than means on an answer scale.
PERCENT_METRICS = (
    METRIC_RECOMMEND, METRIC_CSAT, METRIC_RATING_TOP2, METRIC_RETENTION, METRIC_CONVERSION,
    METRIC_YES_SHARE, METRIC_MENTIONS,
)  # fmt: skip
#: How each measure reads in reports and charts, in the order they are shown.
METRIC_LABELS = {
    METRIC_NPS: "NPS",
    METRIC_RECOMMEND: "Would recommend (%)",
    METRIC_CSAT: "CSAT (% top-2-box)",
    METRIC_CSAT_MEAN: "CSAT (mean rating)",
    METRIC_RATING_TOP2: "Rating (% top-2-box)",
    METRIC_RATING_MEAN: "Rating (mean)",
    METRIC_CES: "CES (mean)",
    METRIC_RETENTION: "Retention (%)",
    METRIC_CONVERSION: "Conversion (%)",
    METRIC_YES_SHARE: "Yes (%)",
    METRIC_MEAN: "Mean",
    METRIC_MENTIONS: "Wrote about (%)",
}

# A human decision that a segment carries no journey evidence (small talk, an aside, a
# template line): stored as the stage value; the map leaves such segments out and counts them.
NOT_CODABLE = "not_codable"
NOT_CODABLE_LABEL = "not codable"

SENTIMENT_VADER = "vader"
SENTIMENT_UNSCORED = "unscored"  # not English: VADER's English lexicon cannot score it

SOURCE_HUMAN = "human"
SOURCE_MODEL = "model"
SOURCE_RULE = "rule"
CODE_SOURCES = (SOURCE_HUMAN, SOURCE_MODEL, SOURCE_RULE)

# --- table definitions: column -> pandas dtype ----------------------------------------------
STRING = "string"

SEGMENTS: dict[str, str] = {
    SEGMENT_ID: STRING,
    SOURCE_ID: STRING,
    SOURCE_TYPE: STRING,
    SOURCE_PATH: STRING,
    SOURCE_FORMAT: STRING,
    PARTICIPANT_ID: STRING,
    PERSONA: STRING,
    SPEAKER: STRING,
    SPEAKER_ROLE: STRING,
    TURN: "int64",
    UNIT: STRING,
    TEXT: STRING,
    CHAR_START: "int64",
    CHAR_END: "int64",
    LINE: "int64",
    START_S: "float64",
    END_S: "float64",
    QUESTION_ID: STRING,
}

DOCUMENTS: dict[str, str] = {
    SOURCE_ID: STRING,
    SOURCE_PATH: STRING,
    SOURCE_TYPE: STRING,
    SOURCE_FORMAT: STRING,
    ENCODING: STRING,
    SHA256: STRING,
    PARTICIPANT_ID: STRING,
    PERSONA: STRING,
    N_TURNS: "int64",
    N_SEGMENTS: "int64",
    TEXT: STRING,
}

QUESTIONS: dict[str, str] = {
    SOURCE_ID: STRING,
    SOURCE_PATH: STRING,
    QUESTION_ID: STRING,
    QUESTION_TEXT: STRING,
    QUESTION_KIND: STRING,
    QUESTION_METRIC: STRING,
    QUESTION_POSITION: "int64",
    QUESTION_SCALE: STRING,
    SCALE_DECLARED: "bool",
    N_ANSWERS: "int64",
    N_DISTINCT: "int64",
    EXAMPLE: STRING,
    KIND_NOTE: STRING,
    QUESTION_ROLE: STRING,
}

RESPONSES: dict[str, str] = {
    SOURCE_ID: STRING,
    RESPONDENT_ID: STRING,
    PERSONA: STRING,
    QUESTION_ID: STRING,
    VALUE: STRING,
    VALUE_NUM: "float64",
}

#: data/raw/metrics.csv: the study's own counts (conversion, retention) per persona and stage.
STAGE_METRICS: dict[str, str] = {
    PERSONA: STRING,
    STAGE: STRING,
    METRIC: STRING,
    "successes": "int64",
    "total": "int64",
    "label": STRING,
}


class SchemaError(WorkbenchError):
    """A table does not have the columns or types of its canonical definition."""


def as_list(value: object) -> list:
    """A list-valued cell as a Python list (``[]`` for None, NaN or an empty array).

    List columns (``touchpoints``) come back from Parquet as numpy arrays, whose truth value is
    ambiguous, so ``row.get("touchpoints") or []`` fails; read them through this function.

    Examples
    --------
    >>> import numpy as np
    >>> as_list(np.array(["web", "app"])), as_list(np.array([]))
    (['web', 'app'], [])
    >>> as_list(None), as_list(float("nan")), as_list(["post"])
    ([], [], ['post'])
    """
    if value is None or isinstance(value, str | bytes):
        return [] if value is None or value == "" else [value]
    if isinstance(value, float | int) or value is pd.NA:
        return []
    return value.tolist() if hasattr(value, "tolist") else list(value)


def empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    """Return an empty frame with the given canonical columns and dtypes.

    Examples
    --------
    >>> list(empty_frame(QUESTIONS).columns)[:3]
    ['source_id', 'source_path', 'question_id']
    """
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def conform(frame: pd.DataFrame, columns: dict[str, str], *, name: str = "table") -> pd.DataFrame:
    """Return ``frame`` with the canonical columns first, cast to their dtypes.

    Extra columns are kept after the canonical ones. A missing canonical column raises
    :class:`SchemaError` naming the table and the columns that are missing.
    """
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SchemaError(f"{name}: missing column(s) {missing}; found {list(frame.columns)}")
    ordered = list(columns) + [c for c in frame.columns if c not in columns]
    out = frame[ordered].copy()
    for column, dtype in columns.items():
        if str(out[column].dtype) != dtype:
            out[column] = out[column].astype(dtype)
    return out


def require(frame: pd.DataFrame, columns: Iterable[str], *, name: str = "table") -> None:
    """Raise :class:`SchemaError` unless ``frame`` has every one of ``columns``."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise SchemaError(f"{name}: missing column(s) {missing}; found {list(frame.columns)}")
