"""What the transcription flow may spend per learner (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.common.dedupe import REMEMBERED
from flows.transcription.spending import Spending, charge
from schemas.events import CreditEvent, UserEvent

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _top_up(amount: int, event_id: str = "t1") -> CreditEvent:
    return CreditEvent(
        event_id=event_id, occurred_at=AT, user_id="7", kind="top_up", amount=amount,
        reason="test",
    )  # fmt: skip


def test_a_credit_pays_for_one_request_until_its_charge_is_read_back() -> None:
    state = Spending().credit(_top_up(1)).credit(_top_up(1))  # the top-up, delivered twice
    assert state.may_pay
    paid = charge("7", "a1", "openai:whisper-1", AT)
    state = state.charged(paid)
    assert not state.may_pay  # spent at once, before the ledger says so
    state = state.credit(paid)
    assert (state.credits.balance, state.credits.unsettled, state.may_pay) == (0, (), False)


def test_each_answer_is_transcribed_once() -> None:
    state = Spending().first_sight("a1")
    assert state is not None
    assert state.first_sight("a1") is None


def test_a_snapshot_from_before_credits_is_resumed_as_the_answers_seen() -> None:
    ids = tuple(f"a{i}" for i in range(REMEMBERED + 3))
    assert Spending.resumed(ids) == Spending(seen=ids[-REMEMBERED:])
    assert Spending.resumed({"a1"}) == Spending(seen=("a1",))
    assert Spending.resumed(None) == Spending()


def _account(kind: str) -> UserEvent:
    return UserEvent(
        event_id=f"u-{kind}", occurred_at=AT, user_id="7", kind=kind, chat_id=7, language="en"
    )


def test_an_erased_learner_is_not_transcribed_until_they_come_back() -> None:
    state = Spending().credit(_top_up(2)).first_sight("a1")
    assert state is not None
    erased = state.account(_account("erasure_requested"))
    # The account is closed: what was transcribed and the credits left are forgotten.
    assert (erased.seen, erased.credits.balance, erased.may_pay) == ((), 0, False)
    assert erased.first_sight("a2") is None  # still in flight when they asked: dropped
    assert erased.account(_account("language_set")).first_sight("a2") is None
    for kind in ("registered", "consent_given"):
        back = erased.account(_account(kind))
        assert back.first_sight("a2") is not None
