"""The feedback flow's join: any arrival order completes an answer exactly once."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from flows.common.ledger import Ledger
from flows.feedback.join import LearnerState, absorb
from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    CreditEvent,
    Event,
    QuestionAsked,
    Rejected,
    Transcript,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
USER = "42"


def _parts(answer_id: str = "tg-1", answered_after_s: float = 30.0) -> list[Event]:
    answered_at = T0 + timedelta(seconds=answered_after_s)
    return [
        AnswerSubmitted(
            event_id=answer_id, occurred_at=answered_at, user_id=USER, answer_id=answer_id,
            question_id="interview-001", chat_id=42, audio_bucket="voice",
            audio_key=f"answers/{USER}/{answer_id}.ogg", mime_type="audio/ogg",
            declared_duration_s=20, size_bytes=1000, answered_at=answered_at, update_id=1,
            source="telegram",
        ),
        AudioConverted(
            event_id=f"converted-{answer_id}", occurred_at=answered_at, user_id=USER,
            answer_id=answer_id, wav_bucket="voice", wav_key=f"wav/{answer_id}.wav",
            duration_s=20, sample_rate=16000, pauses=(), speech_duration_s=19,
            leading_silence_s=0.5,
        ),
        Transcript(
            event_id=f"transcript-{answer_id}", occurred_at=answered_at, user_id=USER,
            answer_id=answer_id, text="hello there", language="en", engine="test",
            words=(), duration_s=20,
        ),
    ]  # fmt: skip


def _asked(at: datetime) -> QuestionAsked:
    return QuestionAsked(
        event_id=f"ask-{at.timestamp()}", occurred_at=at, user_id=USER,
        question_id="interview-001", category="interview", chat_id=42, asked_at=at,
        repetition=False,
    )  # fmt: skip


def _run(
    events: Sequence[Event], state: LearnerState | None = None
) -> tuple[LearnerState, list[str]]:
    state = state or LearnerState()
    ready = []
    for event in events:
        state, done = absorb(state, event)
        if done is not None:
            ready.append(done.submitted.answer_id)
    return state, ready


def test_every_arrival_order_completes_the_answer_once() -> None:
    for order in itertools.permutations(_parts()):
        state, ready = _run(list(order))
        assert ready == ["tg-1"], order
        assert state.pending == {}


def test_redelivered_parts_after_completion_are_ignored() -> None:
    parts = _parts()
    state, ready = _run(parts + parts + [parts[2]])
    assert ready == ["tg-1"]
    assert state.pending == {}


def test_time_to_answer_counts_from_the_latest_ask_before_speech_began() -> None:
    asks = [_asked(T0 - timedelta(days=2)), _asked(T0), _asked(T0 + timedelta(hours=1))]
    state, _ = _run(asks)
    ready = None
    for event in _parts(answered_after_s=37.5):
        state, done = absorb(state, event)
        ready = done or ready
    assert ready is not None
    assert ready.time_to_answer_s == 18.0  # sent at 37.5 s, 20 s long, speech from 0.5 s


def test_time_to_answer_is_unknown_without_an_ask() -> None:
    state = LearnerState()
    for event in _parts():
        state, done = absorb(state, event)
    assert done is not None
    assert done.time_to_answer_s is None


def test_a_rejected_answer_is_dropped_and_its_late_parts_ignored() -> None:
    parts = _parts()
    rejected = Rejected(
        event_id="rejected-tg-1", occurred_at=T0, user_id=USER, answer_id="tg-1",
        stage="conversion", code="corrupt_audio", message="unreadable",
    )  # fmt: skip
    state, ready = _run([parts[0], rejected, parts[1], parts[2]])
    assert ready == []
    assert state.pending == {}


def _credit(
    kind: Literal["top_up", "charge", "refund"],
    amount: int,
    event_id: str,
    answer_id: str | None = None,
) -> CreditEvent:
    return CreditEvent(
        event_id=event_id, occurred_at=T0, user_id=USER, kind=kind,
        amount=amount, reason="test", answer_id=answer_id,
    )  # fmt: skip


def test_credits_fold_once_each_and_spent_charges_count_until_settled() -> None:
    state, _ = _run([_credit("top_up", 3, "t1"), _credit("top_up", 3, "t1")])
    assert state.credits.balance == 3

    state = state.model_copy(update={"credits": state.credits.spend("charge-tg-1")})
    assert state.credits.available == 2  # spent, charge not yet back from the ledger

    state, _ = _run([_credit("charge", 1, "charge-tg-1", "tg-1")], state)
    credits = state.credits
    assert (credits.balance, credits.available, credits.unsettled) == (2, 2, ())

    state, _ = _run([_credit("refund", 1, "refund-x")], state)
    assert state.credits.balance == 3


def test_state_stored_with_the_ledger_inline_is_still_read() -> None:
    stored = (
        '{"asked": {}, "pending": {}, "finished": [], "balance": 4,'
        ' "credit_ids": ["t1"], "unsettled_charges": ["tg-9"]}'
    )
    state = LearnerState.model_validate_json(stored)
    assert state.credits == Ledger(balance=4, credit_ids=("t1",), unsettled=("charge-tg-9",))


def test_state_survives_a_json_round_trip() -> None:
    state, _ = _run([_asked(T0), _credit("top_up", 2, "t1"), *_parts()[:2]])
    restored = LearnerState.model_validate_json(state.model_dump_json())
    assert restored == state
    _, done = absorb(restored, _parts()[2])
    assert done is not None
