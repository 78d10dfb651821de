"""Projects events onto the read models the bot queries (see connectors/readmodels.sql).

Per learner, the flow keeps what a row needs beyond the event at hand (the current language
and consent, how often each question was answered, the ledger ids already counted), and emits
row upserts; an erasure request emits a deletion of every row of the learner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from flows.readmodels.connect_json import ColumnType
from schemas.events import CreditEvent, Event, Feedback, QuestionAsked, UserEvent

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
}


@dataclass(frozen=True)
class RowChange:
    table: str
    key: dict[str, Any]
    row: dict[str, Any] | None  # None deletes the row


class Answered(BaseModel):
    model_config = ConfigDict(frozen=True)

    times: int
    last_at: datetime
    last_overall: float | None


class LearnerView(BaseModel):
    model_config = ConfigDict(frozen=True)

    chat_id: int | None = None
    language: str = "en"
    consent: bool = False
    answered: dict[str, Answered] = Field(default_factory=dict)
    balance: int = 0
    credit_ids: tuple[str, ...] = ()
    has_last_question: bool = False


def due_after(overall: float | None) -> timedelta:
    """Spaced repetition: a weak answer comes back sooner."""
    if overall is None or overall < 2:
        return timedelta(days=1)
    if overall < 3:
        return timedelta(days=3)
    return timedelta(days=7)


def project(view: LearnerView, event: Event) -> tuple[LearnerView, list[RowChange]]:
    match event:
        case UserEvent(kind="erasure_requested"):
            return LearnerView(), _erase(view, event.user_id)
        case UserEvent():
            return _learner(view, event)
        case QuestionAsked():
            row = {
                "user_id": event.user_id,
                "question_id": event.question_id,
                "asked_at": event.asked_at,
            }
            view = view.model_copy(update={"has_last_question": True})
            return view, [RowChange("rm_last_questions", {"user_id": event.user_id}, row)]
        case Feedback():
            # Free practice has no question to schedule.
            return _answered(view, event) if event.question_id else (view, [])
        case CreditEvent():
            return _credit(view, event)
    raise TypeError(f"the read models do not read {type(event).__name__}")


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


def _erase(view: LearnerView, user_id: str) -> list[RowChange]:
    user = {"user_id": user_id}
    changes = [RowChange("rm_learners", user, None), RowChange("rm_balances", user, None)]
    if view.has_last_question:
        changes.append(RowChange("rm_last_questions", user, None))
    changes.extend(
        RowChange("rm_answered", {**user, "question_id": q}, None) for q in sorted(view.answered)
    )
    return changes
