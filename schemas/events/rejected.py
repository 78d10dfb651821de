"""Rejected: an answer refused at some stage, with a machine code and a message for the learner."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from schemas.events.base import ChatId, Event, Identifier


class Rejected(Event):
    """A typed refusal: bad input ends here instead of crashing a flow or vanishing."""

    EVENT_TYPE: ClassVar[str] = "rejected"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Answer refused.")
    stage: Literal["intake", "conversion", "transcription", "feedback"] = Field(
        description="Stage that refused it."
    )
    code: str = Field(
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Machine-readable reason, e.g. 'corrupt_audio', 'too_large', "
        "'duration_mismatch', 'decode_limit'.",
    )
    message: str = Field(min_length=1, max_length=1000, description="Human-readable explanation.")
    chat_id: ChatId | None = Field(
        default=None, description="Telegram chat to tell; None for CLI submissions."
    )
