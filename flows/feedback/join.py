"""Per-learner join state of the feedback flow.

An answer is graded once its three parts have arrived, in any order: the submission
(question, language, chat), the converted audio (duration, pauses) and the transcript.
The state also remembers when each question was last asked (time-to-answer) and folds the
credit ledger into a balance. Everything here is pure; the flow stores `LearnerState` as
JSON in its state store.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    CreditEvent,
    Event,
    QuestionAsked,
    Rejected,
    Transcript,
)

# Bounds on the remembered ids: enough to outlast any redelivery, small enough to stay light.
REMEMBERED_IDS = 500
ASKS_PER_QUESTION = 5


class PendingAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    submitted: AnswerSubmitted | None = None
    audio: AudioConverted | None = None
    transcript: Transcript | None = None


class ReadyAnswer(BaseModel):
    """An answer with all its parts, ready to grade."""

    model_config = ConfigDict(frozen=True)

    submitted: AnswerSubmitted
    audio: AudioConverted
    transcript: Transcript
    time_to_answer_s: float | None


class LearnerState(BaseModel):
    model_config = ConfigDict(frozen=True)

    # When each question was asked lately: a repeated question has several.
    asked: dict[str, tuple[datetime, ...]] = Field(default_factory=dict)
    pending: dict[str, PendingAnswer] = Field(default_factory=dict)
    finished: tuple[str, ...] = ()  # answers graded or rejected, newest last
    balance: int = 0
    credit_ids: tuple[str, ...] = ()  # ledger entries already folded in
    # Charges emitted by this flow and not yet seen back on the ledger: spent already.
    unsettled_charges: tuple[str, ...] = ()

    @property
    def available_credits(self) -> int:
        return self.balance - len(self.unsettled_charges)

    def spend_credit(self, answer_id: str) -> LearnerState:
        return self.model_copy(update={"unsettled_charges": (*self.unsettled_charges, answer_id)})


def _remember(ids: tuple[str, ...], new: str) -> tuple[str, ...]:
    return (*ids, new)[-REMEMBERED_IDS:]


def absorb(state: LearnerState, event: Event) -> tuple[LearnerState, ReadyAnswer | None]:
    """Folds one event into the state; returns the answer it completes, if any."""
    match event:
        case QuestionAsked():
            times = sorted({*state.asked.get(event.question_id, ()), event.asked_at})
            asked = {**state.asked, event.question_id: tuple(times[-ASKS_PER_QUESTION:])}
            return state.model_copy(update={"asked": asked}), None
        case CreditEvent():
            return _fold_credit(state, event), None
        case Rejected():
            return _finish(state, event.answer_id), None
        case AnswerSubmitted() | AudioConverted() | Transcript():
            return _collect(state, event)
    raise TypeError(f"the feedback flow does not read {type(event).__name__}")


def _fold_credit(state: LearnerState, event: CreditEvent) -> LearnerState:
    if event.event_id in state.credit_ids:
        return state
    sign = -1 if event.kind == "charge" else 1
    unsettled = state.unsettled_charges
    if event.kind == "charge" and event.answer_id in unsettled:
        unsettled = tuple(a for a in unsettled if a != event.answer_id)
    return state.model_copy(
        update={
            "balance": state.balance + sign * event.amount,
            "credit_ids": _remember(state.credit_ids, event.event_id),
            "unsettled_charges": unsettled,
        }
    )


def _finish(state: LearnerState, answer_id: str) -> LearnerState:
    pending = {k: v for k, v in state.pending.items() if k != answer_id}
    return state.model_copy(
        update={"pending": pending, "finished": _remember(state.finished, answer_id)}
    )


def _collect(
    state: LearnerState, event: AnswerSubmitted | AudioConverted | Transcript
) -> tuple[LearnerState, ReadyAnswer | None]:
    answer_id = event.answer_id
    if answer_id in state.finished:
        return state, None  # a redelivery of a part of an answer already handled
    part = {
        AnswerSubmitted: "submitted",
        AudioConverted: "audio",
        Transcript: "transcript",
    }[type(event)]
    pending = state.pending.get(answer_id, PendingAnswer()).model_copy(update={part: event})
    if pending.submitted and pending.audio and pending.transcript:
        ready = ReadyAnswer(
            submitted=pending.submitted,
            audio=pending.audio,
            transcript=pending.transcript,
            time_to_answer_s=_time_to_answer(state, pending.submitted),
        )
        return _finish(state, answer_id), ready
    return state.model_copy(update={"pending": {**state.pending, answer_id: pending}}), None


def _time_to_answer(state: LearnerState, submitted: AnswerSubmitted) -> float | None:
    if submitted.question_id is None:
        return None
    before = [
        at for at in state.asked.get(submitted.question_id, ()) if at <= submitted.answered_at
    ]
    return (submitted.answered_at - max(before)).total_seconds() if before else None
