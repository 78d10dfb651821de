"""CreditEvent: credits for GPT-graded answers bought, spent or returned."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from schemas.events.base import INT64_MAX, Count, Event, Identifier


class CreditEvent(Event):
    """A change to a learner's credit balance."""

    EVENT_TYPE: ClassVar[str] = "credit_event"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    kind: Literal["top_up", "charge", "refund"] = Field(
        description="top_up adds credits, charge spends them, refund returns a charge."
    )
    amount: int = Field(gt=0, le=INT64_MAX, description="Credits moved; the kind gives the sign.")
    reason: str = Field(min_length=1, max_length=200, description="Why, e.g. 'gpt_feedback'.")
    answer_id: Identifier | None = Field(
        default=None, description="Answer charged or refunded; None for top-ups."
    )
    balance_after: Count | None = Field(
        default=None, description="Balance after this event, when the writer knows it."
    )
