"""Reply events for the bot's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from schemas.events import Engines, Feedback, Metrics, Rejected, RubricScores
from schemas.events.base import Language

Stage = Literal["intake", "conversion", "transcription", "feedback"]


def feedback(
    answer_id: str,
    user_id: str,
    chat_id: int | None,
    language: Language = "en",
    **changes: Any,
) -> Feedback:
    values: dict[str, Any] = {
        "event_id": f"feedback-{answer_id}",
        "occurred_at": datetime(2025, 3, 1, 12, 0, 30, tzinfo=UTC),
        "user_id": user_id,
        "answer_id": answer_id,
        "question_id": "interview-001",
        "transcript": "I think that <teamwork> & planning matter most",
        "metrics": Metrics(
            duration_s=42.25,
            words=96,
            words_per_minute=136.33,
            pause_count=5,
            mean_pause_s=0.84,
            long_pause_count=2,
            filler_count=3,
            type_token_ratio=0.634,
            time_to_answer_s=7.5,
        ),
        "scores": RubricScores(delivery=3.0, language_use=2.5, topic_development=3.25, overall=2.9),
        "recommendations": ("Pause less: 2 long pauses.", "Use fewer fillers: 3 in 42 s."),
        "engines": Engines(stt="faster-whisper:tiny.en", feedback="local"),
        "language": language,
        "chat_id": chat_id,
    }
    return Feedback(**{**values, **changes})


def rejected(
    answer_id: str, user_id: str, chat_id: int | None, code: str, stage: Stage = "conversion"
) -> Rejected:
    return Rejected(
        event_id=f"rejected-{answer_id}",
        occurred_at=datetime(2025, 3, 1, 12, 0, 30, tzinfo=UTC),
        user_id=user_id,
        answer_id=answer_id,
        stage=stage,
        code=code,
        message=f"The audio was refused <{code}>.",
        chat_id=chat_id,
    )
