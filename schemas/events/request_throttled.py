"""RequestThrottled: a learner's request the bot refused because their allowance was used up."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from schemas.events.base import INT64_MAX, ChatId, Event, Seconds


class RequestThrottled(Event):
    """A request refused by a per-learner limit. Voice answers refused so are Rejected events
    (code 'rate_limited') instead: they are answers, and the answer's consumers must see them."""

    EVENT_TYPE: ClassVar[str] = "request_throttled"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    request: str = Field(
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="What the learner asked for, e.g. 'stats' (the /stats chart).",
    )
    limit: int = Field(gt=0, le=INT64_MAX, description="Requests allowed per window.")
    window_s: Seconds = Field(description="The window the limit counts over, in seconds.")
    retry_after_s: Seconds = Field(
        description="Seconds after occurred_at when the request would be admitted again."
    )
    chat_id: ChatId = Field(description="Telegram chat the learner was told in.")
