"""Per-learner join state of the feedback flow.

An answer is graded once its three parts have arrived, in any order: the submission
(question, language, chat), the converted audio (duration, pauses) and the transcript.
The state also remembers when each question was last asked (time to answer) and folds the
credit ledger into a balance. Everything here is pure; the flow stores `LearnerState` as
JSON in its state store.

**Time to answer** runs from the question reaching the learner to the learner starting to
speak, both on Telegram's clock (the bot host's clock never enters):

- the question reached them at `QuestionAsked.asked_at`, the date Telegram gave the sent
  question message; of the question's deliveries, the latest one before speech began;
- speech began at `AnswerSubmitted.answered_at` (the voice message's date: Telegram has the
  finished recording) minus the recording's length plus its leading silence. The length is
  the decoded `AudioConverted.duration_s`, not the duration Telegram declares: the declared
  one is whole seconds, and the leading silence is measured on the decoded audio, so both
  come from the same samples. Any upload time after the recording ended counts as time to
  answer.

It is unknown (None) for free practice, for a question with no delivery before speech began,
and when conversion did not measure the leading silence: a substitute (the recogniser's
first word, or the start of the recording) would be a different quantity in the same median.
Telegram dates are whole seconds, truncated, so the difference of two is off by less than a
second either way: speech beginning less than `DATE_RESOLUTION_S` before a delivery is an
immediate start (0 s, clamped); beginning a second or more before it, the learner was not
answering that delivery, and an earlier one (or None) is used. It is never negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flows.common.ledger import Ledger
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
# Telegram's message dates are whole seconds (see the module docstring).
DATE_RESOLUTION_S = 1.0


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

    # When each question was delivered lately (Telegram's dates): a repeated one has several.
    asked: dict[str, tuple[datetime, ...]] = Field(default_factory=dict)
    pending: dict[str, PendingAnswer] = Field(default_factory=dict)
    finished: tuple[str, ...] = ()  # answers graded or rejected, newest last
    credits: Ledger = Ledger()

    @model_validator(mode="before")
    @classmethod
    def _ledger_was_inline(cls, data: Any) -> Any:
        # State stored before 2026-11-27 kept the ledger's fields at the top level.
        if isinstance(data, dict) and "balance" in data:
            data = dict(data)
            data["credits"] = {
                "balance": data.pop("balance"),
                "credit_ids": data.pop("credit_ids", ()),
                "unsettled": [f"charge-{a}" for a in data.pop("unsettled_charges", ())],
            }
        return data


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
            return state.model_copy(update={"credits": state.credits.fold(event)}), None
        case Rejected():
            return _finish(state, event.answer_id), None
        case AnswerSubmitted() | AudioConverted() | Transcript():
            return _collect(state, event)
    raise TypeError(f"the feedback flow does not read {type(event).__name__}")


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
            time_to_answer_s=_time_to_answer(state, pending.submitted, pending.audio),
        )
        return _finish(state, answer_id), ready
    return state.model_copy(update={"pending": {**state.pending, answer_id: pending}}), None


def speech_started_at(submitted: AnswerSubmitted, audio: AudioConverted) -> datetime | None:
    """When the learner began speaking, on Telegram's clock; None without a leading silence."""
    if audio.leading_silence_s is None:
        return None
    return submitted.answered_at - timedelta(seconds=audio.duration_s - audio.leading_silence_s)


def time_to_answer(asked: Iterable[datetime], speech_started: datetime) -> float | None:
    """Seconds from the latest delivery of the question before speech began to its start,
    never negative; None if none came before (see the module docstring)."""
    slack = timedelta(seconds=DATE_RESOLUTION_S)
    before = [at for at in asked if at < speech_started + slack]
    if not before:
        return None
    return round(max(0.0, (speech_started - max(before)).total_seconds()), 3)


def _time_to_answer(
    state: LearnerState, submitted: AnswerSubmitted, audio: AudioConverted
) -> float | None:
    started = speech_started_at(submitted, audio)
    if submitted.question_id is None or started is None:
        return None
    return time_to_answer(state.asked.get(submitted.question_id, ()), started)
