"""Feedback events for the scoring tests: only what scoring reads varies."""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas.events import Engines, Feedback, Metrics, RubricScores


def feedback(
    answer_id: str,
    at: datetime,
    delivery: float = 2.0,
    language_use: float = 2.0,
    topic_development: float = 2.0,
    *,
    overall: float = 2.0,
    time_to_answer_s: float | None = None,
    user_id: str = "42",
    graded_after: timedelta | None = timedelta(minutes=1),
) -> Feedback:
    """Feedback on an answer given at `at`, graded `graded_after` later.

    `graded_after=None` leaves `answered_at` unknown: `occurred_at` then carries `at`.
    """
    return Feedback(
        event_id=f"feedback-{answer_id}", user_id=user_id, answer_id=answer_id,
        occurred_at=at if graded_after is None else at + graded_after,
        answered_at=None if graded_after is None else at,
        transcript="I like to walk in the park.",
        metrics=Metrics(
            duration_s=20, words=7, words_per_minute=21, pause_count=0, mean_pause_s=0,
            long_pause_count=0, filler_count=0, type_token_ratio=1,
            time_to_answer_s=time_to_answer_s,
        ),
        scores=RubricScores(
            delivery=delivery, language_use=language_use,
            topic_development=topic_development, overall=overall,
        ),
        recommendations=("Speak a little longer.",),
        engines=Engines(stt="test", feedback="local"),
    )  # fmt: skip
