"""Parsed files → the canonical tables (segments, documents, questions, responses).

Columns are gathered as lists and turned into frames once at the end, which keeps a study of
hundreds of thousands of segments fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from workbench import schema
from workbench.config import StudyConfig
from workbench.ingest.base import SurveyResult, Transcript
from workbench.ingest.speakers import SpeakerResolver
from workbench.segment import SentenceSplitter, segment_id, split_turn

_COLUMNS = tuple(schema.SEGMENTS)


class TableBuilder:
    """Accumulate the rows of every table, one parsed file at a time."""

    def __init__(self, config: StudyConfig, resolver: SpeakerResolver) -> None:
        self.config = config
        self.resolver = resolver
        self.splitter: SentenceSplitter | None = None
        self._rows: list[tuple] = []
        self._documents: list[dict[str, Any]] = []
        self._questions: list[pd.DataFrame] = []
        self._responses: list[pd.DataFrame] = []
        self._files_of: dict[str, list[str]] = defaultdict(list)

    def fit_splitter(self, transcripts: Iterable[Transcript | None]) -> None:
        """Train the sentence splitter on the participant text of the study."""
        texts = (
            turn.text
            for transcript in transcripts
            if transcript is not None
            for turn in transcript.turns
            if not turn.is_question
        )
        self.splitter = SentenceSplitter().fit(texts)

    def _max_chars(self) -> int | None:
        return None if self.config.unit == schema.UNIT_SENTENCE else self.config.max_chars

    def _unit(self) -> str:
        return (
            schema.UNIT_SENTENCE if self.config.unit == schema.UNIT_SENTENCE else schema.UNIT_TURN
        )

    def _add_segment(self, **values: Any) -> None:
        self._rows.append(tuple(values.get(column) for column in _COLUMNS))

    def _same_id_elsewhere(self, rel: str, pid: str | None) -> list[str]:
        """Warn when one participant id comes from files in different folders (two studies?)."""
        if pid is None:
            return []
        folder = rel.rpartition("/")[0]
        elsewhere = [f for f in self._files_of[pid] if f.rpartition("/")[0] != folder]
        self._files_of[pid].append(rel)
        if not elsewhere:
            return []
        return [
            f"{rel}: participant {pid} also comes from {', '.join(elsewhere)} in another folder; "
            "if these are different people, set files.<path>.participant in study.yml"
        ]

    def add_transcript(self, rel: str, transcript: Transcript, outcome: Any) -> dict[str, Any]:
        """Add one transcript's segments and document row; return its report entry fields."""
        source_id = segment_id("source", rel)
        speakers = [turn.speaker for turn in transcript.turns]
        pid, warnings = self.resolver.document_participant(rel, speakers)
        override_pid = self.config.for_file(rel).participant is not None
        warnings += self._same_id_elsewhere(rel, pid)
        override_persona = self.config.for_file(rel).persona
        others: dict[str, int] = {}
        seen: dict[tuple, int] = defaultdict(int)
        question_id: str | None = None
        n_segments = 0
        for number, turn in enumerate(transcript.turns):
            role = schema.ROLE_INTERVIEWER if turn.is_question else self.resolver.role(turn.speaker)
            speaker_pid = (
                self.resolver.participant_of(turn.speaker, pid, override=override_pid)
                if role == schema.ROLE_PARTICIPANT
                else pid
            )
            persona = override_persona or self.resolver.participants.persona_of.get(
                speaker_pid or ""
            )
            if role == schema.ROLE_OTHER:
                others[turn.speaker or ""] = others.get(turn.speaker or "", 0) + 1
            codable = role == schema.ROLE_PARTICIPANT  # context rows stay whole turns
            pieces = split_turn(
                turn.text,
                transcript.text,
                turn.char_start,
                turn.char_end,
                turn.start_s,
                turn.end_s,
                splitter=self.splitter if codable else None,
                max_chars=self._max_chars() if codable else None,
            )
            unit = self._unit() if codable else schema.UNIT_TURN
            for piece in pieces:
                key = (turn.speaker, unit, piece.text)
                occurrence = seen[key]
                seen[key] += 1
                sid = segment_id(rel, unit, turn.speaker, piece.text, occurrence)
                self._add_segment(
                    segment_id=sid,
                    source_id=source_id,
                    source_type=schema.SOURCE_INTERVIEW,
                    source_path=rel,
                    source_format=transcript.format,
                    participant_id=speaker_pid,
                    persona=persona,
                    speaker=turn.speaker,
                    speaker_role=role,
                    turn=number,
                    unit=unit,
                    text=piece.text,
                    char_start=piece.char_start,
                    char_end=piece.char_end,
                    line=turn.line,
                    start_s=piece.start_s,
                    end_s=piece.end_s,
                    question_id=turn.question_id
                    or (None if role == schema.ROLE_INTERVIEWER else question_id),
                )
                n_segments += role == schema.ROLE_PARTICIPANT
                if role == schema.ROLE_INTERVIEWER and not turn.is_question:
                    question_id = sid
        if others:
            listed = ", ".join(
                f"{name or '(no label)'} ({count} turns)" for name, count in others.items()
            )
            warnings.append(
                f"{rel}: speaker(s) not resolved to interviewer or participant, kept as 'other': "
                f"{listed}; name them in participants.csv (transcript_names) or study.yml speakers"
            )
        self._documents.append(
            {
                schema.SOURCE_ID: source_id,
                schema.SOURCE_PATH: rel,
                schema.SOURCE_TYPE: schema.SOURCE_INTERVIEW,
                schema.SOURCE_FORMAT: transcript.format,
                schema.ENCODING: outcome.encoding,
                schema.SHA256: outcome.sha256,
                schema.PARTICIPANT_ID: pid,
                schema.PERSONA: override_persona
                or self.resolver.participants.persona_of.get(pid or ""),
                schema.N_TURNS: len(transcript.turns),
                schema.N_SEGMENTS: n_segments,
                schema.TEXT: transcript.text,
            }
        )
        return {
            "turns": len(transcript.turns),
            "segments": n_segments,
            schema.PARTICIPANT_ID: pid,
            schema.PERSONA: self._documents[-1][schema.PERSONA],
            "other_speakers": sorted(others),
            "warnings": warnings,
        }

    def add_survey(self, rel: str, survey: SurveyResult, outcome: Any) -> dict[str, Any]:
        """Add one survey's open answers as segments, and its questions and responses."""
        source_id = segment_id("source", rel)
        n_segments = 0
        file_persona = self.config.for_file(rel).persona  # files: {glob: {persona: ...}}
        for answer in survey.answers:
            pieces = split_turn(
                answer.text,
                survey.text,
                answer.char_start,
                answer.char_end,
                None,
                None,
                splitter=self.splitter,
                max_chars=self._max_chars(),
            )
            for part, piece in enumerate(pieces):
                self._add_segment(
                    segment_id=segment_id(
                        rel, answer.respondent_id, answer.question_id, part, piece.text
                    ),
                    source_id=source_id,
                    source_type=schema.SOURCE_SURVEY,
                    source_path=rel,
                    source_format=survey.format,
                    participant_id=answer.respondent_id,
                    persona=answer.persona or file_persona or None,
                    speaker=answer.respondent_id,
                    speaker_role=schema.ROLE_PARTICIPANT,
                    turn=part,
                    unit=schema.UNIT_ANSWER,
                    text=piece.text,
                    char_start=piece.char_start,
                    char_end=piece.char_end,
                    line=answer.line,
                    question_id=answer.question_id,
                )
                n_segments += 1
        questions = survey.questions.copy()
        questions.insert(0, schema.SOURCE_PATH, rel)
        questions.insert(0, schema.SOURCE_ID, source_id)
        self._questions.append(questions)
        responses = survey.responses.copy()
        responses.insert(0, schema.SOURCE_ID, source_id)
        if file_persona:
            responses[schema.PERSONA] = responses[schema.PERSONA].fillna(file_persona)
        self._responses.append(responses)
        respondents = (
            survey.responses[schema.RESPONDENT_ID].nunique() if len(survey.responses) else 0
        )
        self._documents.append(
            {
                schema.SOURCE_ID: source_id,
                schema.SOURCE_PATH: rel,
                schema.SOURCE_TYPE: schema.SOURCE_SURVEY,
                schema.SOURCE_FORMAT: survey.format,
                schema.ENCODING: outcome.encoding,
                schema.SHA256: outcome.sha256,
                schema.PARTICIPANT_ID: None,  # a survey has many respondents
                schema.PERSONA: None,
                schema.N_TURNS: int(respondents),
                schema.N_SEGMENTS: n_segments,
                schema.TEXT: survey.text,
            }
        )
        return {
            "respondents": int(respondents),
            "questions": question_summary(survey.questions),
            "segments": n_segments,
        }

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Return ``(segments, documents, questions, responses)`` in canonical form."""
        if self._rows:
            segments = pd.DataFrame.from_records(self._rows, columns=_COLUMNS)
            segments = schema.conform(segments, schema.SEGMENTS, name="segments")
        else:
            segments = schema.empty_frame(schema.SEGMENTS)
        documents = (
            schema.conform(pd.DataFrame(self._documents), schema.DOCUMENTS, name="documents")
            if self._documents
            else schema.empty_frame(schema.DOCUMENTS)
        )
        questions = (
            schema.conform(
                pd.concat(self._questions, ignore_index=True), schema.QUESTIONS, name="questions"
            )
            if self._questions
            else schema.empty_frame(schema.QUESTIONS)
        )
        responses = (
            schema.conform(
                pd.concat(self._responses, ignore_index=True), schema.RESPONSES, name="responses"
            )
            if self._responses
            else schema.empty_frame(schema.RESPONSES)
        )
        return segments, documents, questions, responses


def question_summary(questions: pd.DataFrame) -> list[dict[str, Any]]:
    """What ingest says about each column of a survey: kind, scale, answers and an example.

    Plain JSON types, for the ingest report and the per-question table ``ingest`` prints.
    """
    out = []
    for row in questions.to_dict("records"):
        out.append(
            {
                "question": row[schema.QUESTION_ID],
                "text": row[schema.QUESTION_TEXT],
                "kind": row[schema.QUESTION_KIND],
                "metric": _plain(row.get(schema.QUESTION_METRIC)),
                "scale": _plain(row.get(schema.QUESTION_SCALE)),
                "answers": int(row.get(schema.N_ANSWERS) or 0),
                "distinct": int(row.get(schema.N_DISTINCT) or 0),
                "example": _plain(row.get(schema.EXAMPLE)),
                "unsure": _plain(row.get(schema.KIND_NOTE)),
                "role": _plain(row.get(schema.QUESTION_ROLE)),
            }
        )
    return out


def _plain(value: Any) -> Any:
    return None if value is None or value is pd.NA or value != value else value
