"""ErasureCompleted: what an erasure request left behind in each store, once it is done."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from schemas.events.base import ChatId, Event, EventId, Language, Part, Seconds, UtcDatetime

Store = Literal["flows", "learner_keys", "objects", "read_model_topics", "read_models", "analytics"]


class StoreChecked(Part):
    """One store, checked until it held nothing of the learner's (or the erasure gave up)."""

    store: Store = Field(
        description="flows: the flows with stores of their own have handled the request; "
        "learner_keys: no key of theirs in the keys topic's log; objects: no recording in "
        "object storage; read_model_topics: no row of theirs in the rm_* topics' logs; "
        "read_models: no row in Postgres; analytics: no row in ClickHouse."
    )
    clean: bool = Field(description="Whether the store held nothing of theirs.")
    seconds: Seconds = Field(description="From the request until it was clean (or given up).")
    remaining: str | None = Field(
        default=None, max_length=2000, description="What was still there, when not clean."
    )


class ErasureCompleted(Event):
    """An erasure request carried out: complete when every store was clean before the
    deadline. It holds ids and timings only, nothing the learner said."""

    EVENT_TYPE: ClassVar[str] = "erasure_completed"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    request_event_id: EventId = Field(description="The erasure_requested user event.")
    requested_at: UtcDatetime = Field(description="When the learner (or an operator) asked.")
    chat_id: ChatId | None = Field(
        default=None, description="Telegram chat to tell; None for learners without one."
    )
    language: Language = Field(default="en", description="Language to tell the learner in.")
    complete: bool = Field(description="Every store clean before the deadline.")
    stores: tuple[StoreChecked, ...] = Field(description="Each store as last checked.")
