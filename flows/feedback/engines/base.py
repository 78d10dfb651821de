"""The contract every feedback engine honours: what it is given and what it returns."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from flows.feedback.grammar import GrammarCheck
from schemas.events.audio_converted import Pause
from schemas.events.base import Language
from schemas.events.feedback import Grammar, Metrics, RubricScores
from schemas.events.transcript import Word


class InvalidGradingInput(ValueError):
    """A grading input with a negative or non-finite duration: a bug upstream, not a grade."""


def _require_seconds(field: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise InvalidGradingInput(f"{field} must be a finite, non-negative time, got {value}")


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    """The question an answer responds to, as the question bank describes it."""

    question_id: str
    text: str
    category: str
    answer_time_s: float
    preparation_s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.answer_time_s) and self.answer_time_s > 0):
            raise InvalidGradingInput(f"answer_time_s must be positive, got {self.answer_time_s}")
        _require_seconds("preparation_s", self.preparation_s)


@dataclass(frozen=True, slots=True)
class GradingInput:
    """Everything known about one answer when it is graded.

    `duration_s`, `pauses` and `speech_duration_s` come from conversion (measured on the
    decoded audio); `text` and `words` from transcription. `language` is the language the
    recommendations are written in, not the language spoken.
    """

    text: str
    words: tuple[Word, ...]
    duration_s: float
    pauses: tuple[Pause, ...]
    speech_duration_s: float
    leading_silence_s: float | None = None
    question: QuestionInfo | None = None
    time_to_answer_s: float | None = None
    language: Language = "en"
    grammar: GrammarCheck | None = None

    def __post_init__(self) -> None:
        _require_seconds("duration_s", self.duration_s)
        _require_seconds("speech_duration_s", self.speech_duration_s)
        _require_seconds("leading_silence_s", self.leading_silence_s)
        _require_seconds("time_to_answer_s", self.time_to_answer_s)


@dataclass(frozen=True, slots=True)
class Grade:
    """An engine's verdict on one answer."""

    metrics: Metrics
    scores: RubricScores
    recommendations: tuple[str, ...]
    grammar: Grammar | None = None  # a GPT grader's own list of grammar errors


class EngineUnavailable(Exception):
    """The engine could not grade this answer (API error, timeout, refusal, invalid output).

    The flow falls back to the local engine and reports `reason` as `Feedback.fallback_reason`.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FeedbackEngine(Protocol):
    """Grades one answer; `name` is "local" or "openai:<model>"."""

    name: str

    def grade(self, answer: GradingInput) -> Grade:
        """Measure, score and advise; raise EngineUnavailable when it cannot."""
        ...
