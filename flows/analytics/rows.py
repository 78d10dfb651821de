"""Events as flat ClickHouse rows: one function per table, no I/O.

Every row carries `version` for its ReplacingMergeTree: the event's occurred_at in
microseconds, so a duplicate has the same version (and collapses) and a regenerated event
is newer (and wins). DateTime columns hold whole seconds (18.16 has no DateTime64); the
times research needs finer carry their milliseconds in a `_ms` column beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flows.common.erasure import erased_after
from questionbank.model import Question
from schemas.events import (
    AnswerSubmitted,
    Event,
    Feedback,
    Progress,
    QuestionAsked,
    Rejected,
    UserEvent,
    WordStats,
)

Value = str | int | float | datetime | None
# Not a table: a row of it asks for every row of one learner to be deleted (erasure).
ERASURE = "__erasure__"


@dataclass(frozen=True, slots=True)
class Row:
    table: str
    values: dict[str, Value]


class UnsupportedEvent(TypeError):
    """An event type no analytics table holds."""


def event_rows(event: Event) -> list[Row]:
    """The rows one event adds; a duplicate event gives the same rows."""
    rows = _ROWS.get(type(event))
    if rows is None:
        raise UnsupportedEvent(f"no analytics table holds {event.EVENT_TYPE} events")
    return rows(event)


def rows_unless_erased(erased: bool, event: Event) -> tuple[bool, list[Row]]:
    """Whether the learner is erased after `event`, and its rows: none while they are, since
    their events still on their way would bring back rows the erasure deleted
    (flows/common/erasure.py)."""
    if isinstance(event, UserEvent):
        return erased_after(erased, event), event_rows(event)
    return erased, [] if erased else event_rows(event)


def erasure_rows(event: UserEvent) -> list[Row]:
    """An erasure request: every row of the learner goes (tables.py carries it out)."""
    return [Row(ERASURE, {"user_id": event.user_id})] if event.kind == "erasure_requested" else []


def answer_row(event: Feedback) -> Row:
    m, s = event.metrics, event.scores
    answered_at = event.answered_at or event.occurred_at
    return Row(
        "answers",
        {
            "answer_id": event.answer_id,
            "user_id": event.user_id,
            "question_id": event.question_id or "",
            "answered_at": seconds(answered_at),
            "answered_at_ms": milliseconds(answered_at),
            "graded_at": seconds(event.occurred_at),
            "language": event.language,
            "duration_s": m.duration_s,
            "words": m.words,
            "words_per_minute": m.words_per_minute,
            "pause_count": m.pause_count,
            "mean_pause_s": m.mean_pause_s,
            "long_pause_count": m.long_pause_count,
            "filler_count": m.filler_count,
            "type_token_ratio": m.type_token_ratio,
            "time_to_answer_s": m.time_to_answer_s,
            "repetition_count": m.repetition_count,
            "rare_word_ratio": m.rare_word_ratio,
            "relevance": m.relevance,
            "length_ratio": m.length_ratio,
            "delivery": s.delivery,
            "language_use": s.language_use,
            "topic_development": s.topic_development,
            "overall": s.overall,
            "stt_engine": event.engines.stt,
            "feedback_engine": event.engines.feedback,
            "fallback_reason": event.fallback_reason,
            "event_id": event.event_id,
            "version": version(event),
        },
    )


def progress_row(event: Progress) -> Row:
    last_n, week = event.last_n, event.last_7_days
    return Row(
        "progress",
        {
            "event_id": event.event_id,
            "user_id": event.user_id,
            "answer_id": event.answer_id,
            "occurred_at": seconds(event.occurred_at),
            "window_size": event.window_size,
            "answers_in_window": event.answers_in_window,
            "last_n_delivery": last_n.delivery,
            "last_n_language_use": last_n.language_use,
            "last_n_topic_development": last_n.topic_development,
            "last_n_overall": last_n.overall,
            "last_7_days_delivery": week.delivery,
            "last_7_days_language_use": week.language_use,
            "last_7_days_topic_development": week.topic_development,
            "last_7_days_overall": week.overall,
            "last_7_days_count": week.count,
            "trend": event.trend,
            "strongest": event.strongest,
            "weakest": event.weakest,
            "time_to_answer_median_s": event.time_to_answer_median_s,
            "version": version(event),
        },
    )


def word_count_rows(event: WordStats) -> list[Row]:
    return [
        Row(
            "word_counts",
            {
                "user_id": event.user_id,
                "answer_id": event.answer_id,
                "lemma": item["lemma"],
                "count": item["count"],
                "counted_at": seconds(event.occurred_at),
                "event_id": event.event_id,
                "version": version(event),
            },
        )
        for item in event.lemma_counts
    ]


def question_asked_row(event: QuestionAsked) -> Row:
    return Row(
        "questions_asked",
        {
            "event_id": event.event_id,
            "user_id": event.user_id,
            "question_id": event.question_id,
            "category": event.category,
            "chat_id": event.chat_id,
            "asked_at": seconds(event.asked_at),
            "asked_at_ms": milliseconds(event.asked_at),
            "repetition": int(event.repetition),
            "occurred_at": seconds(event.occurred_at),
            "version": version(event),
        },
    )


def rejection_row(event: Rejected) -> Row:
    return Row(
        "rejections",
        {
            "event_id": event.event_id,
            "user_id": event.user_id,
            "answer_id": event.answer_id,
            "stage": event.stage,
            "code": event.code,
            "message": event.message,
            "occurred_at": seconds(event.occurred_at),
            "version": version(event),
        },
    )


def submission_row(event: AnswerSubmitted) -> Row:
    return Row(
        "submissions",
        {
            "answer_id": event.answer_id,
            "user_id": event.user_id,
            "question_id": event.question_id or "",
            "answered_at": seconds(event.answered_at),
            "answered_at_ms": milliseconds(event.answered_at),
            "source": event.source,
            "mime_type": event.mime_type,
            "size_bytes": event.size_bytes,
            "declared_duration_s": event.declared_duration_s,
            "language": event.language,
            "event_id": event.event_id,
            "version": version(event),
        },
    )


def question_row(question: Question, changed_at_ms: int) -> Row:
    """A question bank row; the change record's timestamp orders its versions."""
    return Row(
        "questions",
        {
            "question_id": question.question_id,
            "category": question.category,
            "text": question.text,
            "answer_time_s": question.answer_time_s,
            "preparation_s": question.preparation_s,
            "active": int(question.active),
            "version": changed_at_ms,
        },
    )


def seconds(at: datetime) -> datetime:
    """`at` in UTC, truncated to the second: what a DateTime column holds."""
    return at.astimezone(UTC).replace(microsecond=0)


def milliseconds(at: datetime) -> int:
    return at.microsecond // 1000


def version(event: Event) -> int:
    """occurred_at in microseconds since the epoch: exact, so duplicates tie."""
    delta = event.occurred_at - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_ROWS: dict[type[Event], Callable[[Any], list[Row]]] = {
    Feedback: lambda event: [answer_row(event)],
    Progress: lambda event: [progress_row(event)],
    WordStats: word_count_rows,
    QuestionAsked: lambda event: [question_asked_row(event)],
    Rejected: lambda event: [rejection_row(event)],
    AnswerSubmitted: lambda event: [submission_row(event)],
    UserEvent: erasure_rows,
}
