"""Projects events onto the read models the bot queries (see connectors/readmodels.sql).

Per learner, the flow keeps what a row needs beyond the event at hand (the current language
and consent, how often each question was answered, the ledger ids already counted), and emits
row upserts. An erasure request emits a deletion of every row of the learner, then shreds
their key (schemas/sealing.py): this flow's view of them, sealed, is what names the rows, so
it is the one to take that last step. Their events still on their way are dropped until they
come back (flows/common/erasure.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flows.common.erasure import erased_after
from flows.readmodels.connect_json import ColumnType
from schemas.events import (
    CreditEvent,
    Event,
    Feedback,
    Progress,
    QuestionAsked,
    RubricScores,
    UserEvent,
    WordStats,
)

REMEMBERED_IDS = 500

# Table (= topic) → key columns and value columns: (type, optional).
TABLES: dict[str, tuple[tuple[str, ...], dict[str, tuple[ColumnType, bool]]]] = {
    "rm_learners": (
        ("user_id",),
        {
            "user_id": ("string", False),
            "chat_id": ("int64", True),
            "language": ("string", False),
            "consent": ("boolean", False),
            "updated_at": ("timestamp", False),
        },
    ),
    "rm_answered": (
        ("user_id", "question_id"),
        {
            "user_id": ("string", False),
            "question_id": ("string", False),
            "times_answered": ("int32", False),
            "last_answered_at": ("timestamp", False),
            "last_overall": ("double", True),
            "due_at": ("timestamp", False),
        },
    ),
    "rm_balances": (
        ("user_id",),
        {
            "user_id": ("string", False),
            "balance": ("int32", False),
            "updated_at": ("timestamp", False),
        },
    ),
    "rm_last_questions": (
        ("user_id",),
        {
            "user_id": ("string", False),
            "question_id": ("string", False),
            "asked_at": ("timestamp", False),
        },
    ),
    "rm_progress": (
        ("user_id",),
        {
            "user_id": ("string", False),
            "answer_id": ("string", False),
            "window_size": ("int32", False),
            "answers_in_window": ("int32", False),
            "last_n_delivery": ("double", False),
            "last_n_language_use": ("double", False),
            "last_n_topic_development": ("double", False),
            "last_n_overall": ("double", False),
            "last_7_days_overall": ("double", False),
            "last_7_days_count": ("int32", False),
            "trend": ("double", False),
            "strongest": ("string", False),
            "weakest": ("string", False),
            "time_to_answer_median_s": ("double", True),
            "updated_at": ("timestamp", False),
        },
    ),
    "rm_scores": (
        ("user_id", "answer_id"),
        {
            "user_id": ("string", False),
            "answer_id": ("string", False),
            "answered_at": ("timestamp", False),
            "delivery": ("double", True),
            "language_use": ("double", True),
            "topic_development": ("double", True),
            "overall": ("double", True),
            "window_overall": ("double", True),
        },
    ),
    "rm_vocabulary": (
        ("user_id",),
        {
            "user_id": ("string", False),
            "unique_total": ("int32", False),
            "top_lemmas": ("string", False),
            "newest": ("string", False),
            "updated_at": ("timestamp", False),
        },
    ),
}
# How many of the newest words and recent chart points the flow remembers per learner.
NEWEST_WORDS = 20
RECENT_POINTS = 50


@dataclass(frozen=True)
class RowChange:
    table: str
    key: dict[str, Any]
    row: dict[str, Any] | None  # None deletes the row


@dataclass(frozen=True)
class DropSeed:
    """Erasure: the learner's state as a rebuild left it (flows/readmodels/seed.py) goes."""

    user_id: str


@dataclass(frozen=True)
class ShredKey:
    """Erasure's last step: the learner's key is deleted, once their rows are."""

    user_id: str


Change = RowChange | DropSeed | ShredKey


class Answered(BaseModel):
    model_config = ConfigDict(frozen=True)

    times: int
    last_at: datetime
    last_overall: float | None


class ScorePoint(BaseModel):
    """One answer's point on the chart; the two halves arrive from two topics (the answer's
    time and scores with its feedback, the window's average with its progress)."""

    model_config = ConfigDict(frozen=True)

    answered_at: datetime | None = None
    scores: RubricScores | None = None
    window_overall: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_whole_feedback(cls, data: Any) -> Any:
        """A view stored before 2026-11-27 kept the whole feedback event of each point."""
        if isinstance(data, dict) and "feedback" in data:
            data = dict(data)
            feedback = data.pop("feedback")
            if isinstance(feedback, dict):
                data["answered_at"] = feedback.get("answered_at") or feedback.get("occurred_at")
                data["scores"] = feedback.get("scores")
        return data


class LearnerView(BaseModel):
    model_config = ConfigDict(frozen=True)

    chat_id: int | None = None
    language: str = "en"
    consent: bool = False
    answered: dict[str, Answered] = Field(default_factory=dict)
    balance: int = 0
    credit_ids: tuple[str, ...] = ()
    has_last_question: bool = False
    points: dict[str, ScorePoint] = Field(default_factory=dict)
    newest_words: tuple[str, ...] = ()
    progress_at: datetime | None = None  # event time of the Progress the row shows
    has_vocabulary: bool = False
    erased: bool = False  # asked to be forgotten, and not come back since


def forgotten() -> LearnerView:
    """The view of a learner whose view is sealed with a shredded key: erased."""
    return LearnerView(erased=True)


def due_after(overall: float | None) -> timedelta:
    """Spaced repetition: a weak answer comes back sooner."""
    if overall is None or overall < 2:
        return timedelta(days=1)
    if overall < 3:
        return timedelta(days=3)
    return timedelta(days=7)


def project(view: LearnerView, event: Event) -> tuple[LearnerView, list[Change]]:
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"the read models do not read {type(event).__name__}")
    if isinstance(event, UserEvent):
        if event.kind == "erasure_requested":
            user = event.user_id
            return forgotten(), [*_erase(view, user), DropSeed(user), ShredKey(user)]
        view = view.model_copy(update={"erased": erased_after(view.erased, event)})
    if view.erased:
        return view, []  # from before the erasure, still on its way
    view, changes = handler(view, event)
    return view, list(changes)


def _asked(view: LearnerView, event: QuestionAsked) -> tuple[LearnerView, list[RowChange]]:
    row = {"user_id": event.user_id, "question_id": event.question_id, "asked_at": event.asked_at}
    view = view.model_copy(update={"has_last_question": True})
    return view, [RowChange("rm_last_questions", {"user_id": event.user_id}, row)]


def _feedback(view: LearnerView, event: Feedback) -> tuple[LearnerView, list[RowChange]]:
    answered_at = event.answered_at or event.occurred_at
    view, chart = _point(view, event.user_id, event.answer_id, (answered_at, event.scores))
    # Free practice has no question to schedule.
    view, answered = _answered(view, event) if event.question_id else (view, [])
    return view, chart + answered


def _progress_event(view: LearnerView, event: Progress) -> tuple[LearnerView, list[RowChange]]:
    view, chart = _point(view, event.user_id, event.answer_id, window_overall=event.last_n.overall)
    if view.progress_at is not None and event.occurred_at < view.progress_at:
        return view, chart  # a late answer's window: the row keeps the newer one
    view = view.model_copy(update={"progress_at": event.occurred_at})
    return view, [_progress(event), *chart]


def _learner(view: LearnerView, event: UserEvent) -> tuple[LearnerView, list[RowChange]]:
    consent = {"consent_given": True, "consent_withdrawn": False}.get(event.kind, view.consent)
    view = view.model_copy(
        update={
            "chat_id": event.chat_id,
            "language": event.language or view.language,
            "consent": consent,
        }
    )
    user = {"user_id": event.user_id}
    row = {
        **user,
        "chat_id": view.chat_id,
        "language": view.language,
        "consent": view.consent,
        "updated_at": event.occurred_at,
    }
    return view, [RowChange("rm_learners", user, row)]


def _credit(view: LearnerView, event: CreditEvent) -> tuple[LearnerView, list[RowChange]]:
    if event.event_id in view.credit_ids:
        return view, []
    sign = -1 if event.kind == "charge" else 1
    view = view.model_copy(
        update={
            "balance": view.balance + sign * event.amount,
            "credit_ids": (*view.credit_ids, event.event_id)[-REMEMBERED_IDS:],
        }
    )
    user = {"user_id": event.user_id}
    row = {**user, "balance": view.balance, "updated_at": event.occurred_at}
    return view, [RowChange("rm_balances", user, row)]


def _answered(view: LearnerView, event: Feedback) -> tuple[LearnerView, list[RowChange]]:
    question_id = event.question_id or ""
    before = view.answered.get(question_id)
    if before is not None and before.last_at >= event.occurred_at:
        return view, []  # a redelivery or an older answer: the row already says more
    entry = Answered(
        times=(before.times if before else 0) + 1,
        last_at=event.occurred_at,
        last_overall=event.scores.overall,
    )
    view = view.model_copy(update={"answered": {**view.answered, question_id: entry}})
    key = {"user_id": event.user_id, "question_id": question_id}
    row = {
        **key,
        "times_answered": entry.times,
        "last_answered_at": entry.last_at,
        "last_overall": entry.last_overall,
        "due_at": entry.last_at + due_after(entry.last_overall),
    }
    return view, [RowChange("rm_answered", key, row)]


def _point(
    view: LearnerView,
    user_id: str,
    answer_id: str,
    graded: tuple[datetime, RubricScores] | None = None,
    window_overall: float | None = None,
) -> tuple[LearnerView, list[RowChange]]:
    before = view.points.get(answer_id, ScorePoint())
    point = ScorePoint(
        answered_at=graded[0] if graded else before.answered_at,
        scores=graded[1] if graded else before.scores,
        window_overall=window_overall if window_overall is not None else before.window_overall,
    )
    points = {**view.points, answer_id: point}
    if len(points) > RECENT_POINTS:
        points = dict(list(points.items())[-RECENT_POINTS:])
    view = view.model_copy(update={"points": points})
    if point.answered_at is None or point.scores is None:
        return view, []  # the row needs the answer's time, which the feedback brings
    scores = point.scores
    key = {"user_id": user_id, "answer_id": answer_id}
    row = {
        **key,
        "answered_at": point.answered_at,
        "delivery": scores.delivery,
        "language_use": scores.language_use,
        "topic_development": scores.topic_development,
        "overall": scores.overall,
        "window_overall": point.window_overall,
    }
    return view, [RowChange("rm_scores", key, row)]


def _progress(event: Progress) -> RowChange:
    user = {"user_id": event.user_id}
    row = {
        **user,
        "answer_id": event.answer_id,
        "window_size": event.window_size,
        "answers_in_window": event.answers_in_window,
        "last_n_delivery": event.last_n.delivery,
        "last_n_language_use": event.last_n.language_use,
        "last_n_topic_development": event.last_n.topic_development,
        "last_n_overall": event.last_n.overall,
        "last_7_days_overall": event.last_7_days.overall,
        "last_7_days_count": event.last_7_days.count,
        "trend": event.trend,
        "strongest": event.strongest,
        "weakest": event.weakest,
        "time_to_answer_median_s": event.time_to_answer_median_s,
        "updated_at": event.occurred_at,
    }
    return RowChange("rm_progress", user, row)


def _vocabulary(view: LearnerView, event: WordStats) -> tuple[LearnerView, list[RowChange]]:
    newest = (*reversed(event.new_lemmas), *view.newest_words)
    newest = tuple(dict.fromkeys(newest))[:NEWEST_WORDS]
    view = view.model_copy(update={"newest_words": newest, "has_vocabulary": True})
    user = {"user_id": event.user_id}
    row = {
        **user,
        "unique_total": event.unique_total,
        "top_lemmas": ",".join(f"{c['lemma']}:{c['count']}" for c in event.top_lemmas),
        "newest": ",".join(newest),
        "updated_at": event.occurred_at,
    }
    return view, [RowChange("rm_vocabulary", user, row)]


def _erase(view: LearnerView, user_id: str) -> list[RowChange]:
    user = {"user_id": user_id}
    changes = [RowChange("rm_learners", user, None), RowChange("rm_balances", user, None)]
    if view.has_last_question:
        changes.append(RowChange("rm_last_questions", user, None))
    if view.progress_at is not None:
        changes.append(RowChange("rm_progress", user, None))
    if view.has_vocabulary:
        changes.append(RowChange("rm_vocabulary", user, None))
    changes.extend(
        RowChange("rm_scores", {**user, "answer_id": a}, None) for a in sorted(view.points)
    )
    changes.extend(
        RowChange("rm_answered", {**user, "question_id": q}, None) for q in sorted(view.answered)
    )
    return changes


_HANDLERS: dict[type[Event], Callable[[LearnerView, Any], tuple[LearnerView, list[RowChange]]]] = {
    UserEvent: _learner,
    QuestionAsked: _asked,
    Feedback: _feedback,
    Progress: _progress_event,
    WordStats: _vocabulary,
    CreditEvent: _credit,
}
