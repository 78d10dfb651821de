"""What flows emit: records bound for a topic, whatever the stream-processing framework."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.events import Event
from schemas.serde import serialize

# Payloads a flow could not read go here, with the source and the error in headers.
DEAD_LETTERS = "dead-letters"


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None  # None: a tombstone
    headers: tuple[tuple[str, bytes], ...] = ()


def event_record(topic: str, event: Event) -> Record:
    """The record of an event: validated by the serializer, keyed by the learner."""
    return Record(topic, event.key(), serialize(event))


def dead_letter(
    namespace: str, key: bytes | None, value: bytes | None, source: str, error: Exception
) -> Record:
    return Record(
        namespace + DEAD_LETTERS,
        key,
        value,
        (("source", source.encode()), ("error", str(error).encode())),
    )
