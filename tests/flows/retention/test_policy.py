"""What becomes of a learner's recordings, event by event (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from flows.retention.policy import Action, Delete, DeletePrefix, Move, Recordings, step
from schemas.events import Event, Rejected, UserEvent
from tests.schemas.samples import SAMPLES

Kind = Literal["registered", "consent_given", "consent_withdrawn", "erasure_requested"]

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _user(kind: Kind, keep: bool | None = None) -> UserEvent:
    return UserEvent(
        event_id=f"u-{kind}", occurred_at=AT, user_id="7", kind=kind, chat_id=7,
        keep_recordings=keep,
    )  # fmt: skip


def _fold(events: list[Event]) -> tuple[Recordings, list[Action]]:
    state, actions = Recordings(), list[Action]()
    for event in events:
        state, emitted = step(state, event)
        actions.extend(emitted)
    return state, actions


def _graded(answer: str) -> Event:
    return SAMPLES["feedback"].model_copy(update={"user_id": "7", "answer_id": answer})


def test_a_graded_answer_loses_its_wav_unless_the_learner_keeps_recordings() -> None:
    _, actions = _fold([_user("consent_given"), _graded("a1")])
    assert actions == [Delete("wav/7/a1.wav")]
    _, actions = _fold([_user("consent_given", keep=True), _graded("a1")])
    assert actions == [Move("wav/7/a1.wav", "kept/7/a1.wav")]


def test_a_refused_answer_loses_its_wav_too() -> None:
    refused = SAMPLES["rejected"].model_copy(update={"user_id": "7", "answer_id": "a2"})
    assert isinstance(refused, Rejected)
    assert _fold([_user("consent_given", keep=True), refused])[1] == [
        Move("wav/7/a2.wav", "kept/7/a2.wav")
    ]


def test_withdrawing_consent_or_erasure_deletes_everything_stored() -> None:
    everything = [DeletePrefix("answers/7/"), DeletePrefix("wav/7/"), DeletePrefix("kept/7/")]
    for kind in ("consent_withdrawn", "erasure_requested"):
        state, actions = _fold([_user("consent_given", keep=True), _user(kind)])
        assert actions == everything
        assert state == Recordings()  # and nothing is kept from then on


def test_no_longer_keeping_recordings_deletes_the_kept_ones() -> None:
    _, actions = _fold([_user("consent_given", keep=True), _user("consent_given", keep=False)])
    assert actions == [DeletePrefix("kept/7/")]
    _, actions = _fold([_user("consent_given", keep=False), _user("consent_given", keep=False)])
    assert actions == []


def test_other_account_events_change_nothing() -> None:
    state, actions = _fold([_user("consent_given", keep=True), _user("registered")])
    assert (state, actions) == (Recordings(keep=True), [])
    assert Recordings.from_json(state.to_json()) == state
