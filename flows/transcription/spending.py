"""Per learner, what the transcription flow has done and may spend: the credits folded from
the ledger (flows/common/ledger.py), and the answers already transcribed.

Erasure closes the account: what was transcribed and the credits left are forgotten, and the
learner's answers still in flight are not transcribed (that would make them a new key and
bring back what they asked to forget) until they come back (flows/common/erasure.py).

A request to the paid recogniser needs a credit; each one made is charged on the ledger
(`charge-stt-<answer_id>`), whether its transcript came out or the answer was refused as
silent. A request that fails (after the OpenAI client's own retries of a timeout or a
server error, `openai.max_retries`) is not charged: the local recogniser stands in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flows.common import ledger
from flows.common.dedupe import REMEMBERED
from flows.common.erasure import erased_after
from flows.common.ledger import CREDITS_PER_REQUEST, Ledger
from schemas.events import CreditEvent, UserEvent


@dataclass(frozen=True)
class Spending:
    credits: Ledger = field(default_factory=Ledger)
    seen: tuple[str, ...] = ()  # the latest answers transcribed, oldest first
    erased: bool = False  # asked to be forgotten, and not come back since

    @classmethod
    def resumed(cls, state: Any) -> Spending:
        """The state as snapshotted; before 2026-11-27 it was only the answer ids seen."""
        if state is None:
            return cls()
        if isinstance(state, Spending):
            return state
        return cls(seen=tuple(state)[-REMEMBERED:])

    def account(self, event: UserEvent) -> Spending:
        """Erasure forgets the learner; coming back lifts it."""
        if event.kind == "erasure_requested":
            return Spending(erased=True)
        return replace(self, erased=erased_after(self.erased, event))

    def credit(self, event: CreditEvent) -> Spending:
        return replace(self, credits=self.credits.fold(event))

    def first_sight(self, answer_id: str) -> Spending | None:
        """The state with `answer_id` seen; None when it was seen before (a redelivery) or
        the learner is erased."""
        if self.erased or answer_id in self.seen:
            return None
        return replace(self, seen=(*self.seen, answer_id)[-REMEMBERED:])

    @property
    def may_pay(self) -> bool:
        return self.credits.available >= CREDITS_PER_REQUEST

    def charged(self, charge: CreditEvent) -> Spending:
        return replace(self, credits=self.credits.spend(charge.event_id))


def charge(user_id: str, answer_id: str, engine: str, at: datetime) -> CreditEvent:
    return ledger.charge(
        f"charge-stt-{answer_id}", user_id, answer_id, f"transcribed by {engine}", at
    )
