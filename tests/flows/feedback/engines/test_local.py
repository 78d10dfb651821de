from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from flows.feedback.engines.base import FeedbackEngine
from flows.feedback.engines.local import LocalGrader
from flows.feedback.metrics import measure
from flows.language.lexicon import load_lexicon
from schemas.events.feedback import Engines, Feedback
from tests.flows.feedback.speech import CITY_ANSWER, timed_answer


def test_the_local_grader_is_a_feedback_engine() -> None:
    engine: FeedbackEngine = LocalGrader()
    assert engine.name == "local"


def test_a_grade_reports_the_measured_figures_and_is_deterministic() -> None:
    grader = LocalGrader(load_lexicon())
    answer = timed_answer(CITY_ANSWER, pauses_after={10: 1.4}, language="ru")
    grade = grader.grade(answer)
    assert grade.metrics == measure(answer, load_lexicon()).to_metrics()
    assert grader.measure(answer) == grade.metrics
    assert grader.grade(dataclasses.replace(answer)) == grade
    assert 2 <= len(grade.recommendations) <= 5


def test_a_grade_fits_the_feedback_event() -> None:
    grade = LocalGrader().grade(timed_answer(CITY_ANSWER, wpm=75))
    event = Feedback(
        event_id="feedback-cli-1",
        occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
        user_id="u1",
        answer_id="cli-1",
        question_id="q-city",
        transcript=CITY_ANSWER,
        metrics=grade.metrics,
        scores=grade.scores,
        recommendations=grade.recommendations,
        engines=Engines(stt="faster-whisper:tiny.en", feedback=LocalGrader.name),
    )
    assert event.scores.delivery < 4  # 75 words per minute is slow
