"""The envelope every event shares, and the constrained types the event modules reuse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

# Postgres bigint / ClickHouse Int64: the widest integer every sink stores.
INT64_MAX = 2**63 - 1

# RFC 3339 in UTC only, so consumers in any language compare timestamps as written.
UTC_DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|\+00:00)$"
)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc),
    Field(json_schema_extra={"pattern": UTC_DATETIME_PATTERN}),
]
Identifier = Annotated[str, Field(min_length=1, max_length=200)]
# Derived events' ids prefix their cause's id ("feedback-<answer_id>"): room for the prefix.
EventId = Annotated[str, Field(min_length=1, max_length=256)]
ChatId = Annotated[int, Field(ge=-INT64_MAX, le=INT64_MAX)]
Count = Annotated[int, Field(ge=0, le=INT64_MAX)]
Seconds = Annotated[float, Field(ge=0)]
Language = Literal["en", "ru"]


class Part(BaseModel):
    """Base of nested objects: immutable, unknown keys refused, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Event(Part):
    """Envelope of every event; each subclass is one topic's value type."""

    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int]

    event_id: EventId = Field(
        description="Stable id derived from the event's cause (e.g. 'tg-<update_id>'); "
        "consumers deduplicate by it."
    )
    # Subclasses narrow this to Literal[<their version>] with that default.
    schema_version: int = Field(
        description="Version of this event type's schema; selects the JSON Schema "
        "that validates the payload."
    )
    occurred_at: UtcDatetime = Field(
        description="When the event happened, RFC 3339 in UTC; offsets are converted to UTC."
    )
    user_id: Identifier = Field(
        description="Learner id and Kafka message key, so each learner's events stay ordered."
    )

    def key(self) -> bytes:
        """The Kafka message key."""
        return self.user_id.encode("utf-8")
