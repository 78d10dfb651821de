"""A learner's credits, folded from the credit ledger (the `credits` topic), as the flows
that spend them see it.

Two flows spend credits: transcription (a request to a paid recogniser) and feedback (a
request to a paid grader). Each writes a charge to the ledger for every paid request it
made, and counts a charge it has written as spent until it reads it back from the ledger
(`unsettled`), so a burst of answers cannot spend one credit twice in the same flow.
Between the two flows a credit can be spent twice only in the moment before one reads the
other's charge back; the balance then shows it as negative, and every spend is on the
ledger.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schemas.events import CreditEvent

# Each request to a paid engine costs the learner one credit (seed roadmap).
CREDITS_PER_REQUEST = 1
# Ledger entries remembered per learner to ignore a redelivered one: far more than any
# redelivery reaches back.
REMEMBERED_IDS = 500


class Ledger(BaseModel):
    model_config = ConfigDict(frozen=True)

    balance: int = 0
    credit_ids: tuple[str, ...] = ()  # ledger entries already folded in
    unsettled: tuple[str, ...] = ()  # ids of charges written by this flow, not yet read back

    @property
    def available(self) -> int:
        return self.balance - len(self.unsettled)

    def spend(self, charge_id: str) -> Ledger:
        """Counts a charge this flow is writing as spent at once."""
        return self.model_copy(update={"unsettled": (*self.unsettled, charge_id)})

    def release(self, charge_id: str) -> Ledger:
        """A charge counted as spent that will not be written after all."""
        return self.model_copy(
            update={"unsettled": tuple(u for u in self.unsettled if u != charge_id)}
        )

    def fold(self, event: CreditEvent) -> Ledger:
        """The ledger with one more entry; a redelivered entry changes nothing."""
        if event.event_id in self.credit_ids:
            return self
        sign = -1 if event.kind == "charge" else 1
        return Ledger(
            balance=self.balance + sign * event.amount,
            credit_ids=(*self.credit_ids, event.event_id)[-REMEMBERED_IDS:],
            unsettled=tuple(u for u in self.unsettled if u != event.event_id),
        )


def charge(event_id: str, user_id: str, answer_id: str, reason: str, at: datetime) -> CreditEvent:
    """The ledger entry for one paid request about an answer."""
    return CreditEvent(
        event_id=event_id,
        occurred_at=at,
        user_id=user_id,
        kind="charge",
        amount=CREDITS_PER_REQUEST,
        reason=reason,
        answer_id=answer_id,
    )
