"""The envelope every event shares, and the constrained types the event modules reuse."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, NoReturn, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

# Postgres bigint / ClickHouse Int64: the widest integer every sink stores.
INT64_MAX = 2**63 - 1

# RFC 3339 in UTC only, so consumers in any language compare timestamps as written.
UTC_DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|\+00:00)$"
)


_UTC_TEXT = re.compile(UTC_DATETIME_PATTERN)


def _utc(value: Any) -> Any:
    """A datetime in UTC. Text is the wire's form and carries UTC only (the schema's
    pattern); an aware datetime built in code may have any offset and is converted."""
    if isinstance(value, str):
        if not _UTC_TEXT.match(value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time in UTC (Z or +00:00)")
        try:
            value = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid datetime: {exc}") from exc
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value  # AwareDatetime refuses it, saying why


# Text is parsed by `_utc`, so the boundary's strict validation still reads it.
UtcDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_utc),
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

    @field_validator("schema_version", mode="before")
    @classmethod
    def _a_version_number(cls, value: Any) -> Any:
        # A literal 1 would also take true and 1.0, which the schema's const refuses.
        if type(value) is not int:
            raise ValueError(f"{value!r} is not a version number")
        return value

    def key(self) -> bytes:
        """The Kafka message key."""
        return self.user_id.encode("utf-8")

    # An event is validated when it is built, and `serialize` relies on it: no way around it.
    def model_copy(
        self,
        *,
        update: Mapping[str, Any] | None = None,
        deep: bool = False,  # noqa: ARG002 - a new validated event shares nothing mutable
    ) -> Self:
        """A copy with `update` applied, validated as a new event is (pydantic's is not)."""
        return self.model_validate({**self.__dict__, **(update or {})})

    @classmethod
    def model_construct(  # type: ignore[override]  # the plugin types it from the fields
        cls,
        _fields_set: set[str] | None = None,
        **_values: Any,
    ) -> NoReturn:
        raise TypeError(f"{cls.__name__} is validated when built: call the constructor")
