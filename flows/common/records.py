"""What flows emit: records bound for a topic, whatever the stream-processing framework."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from clients.keyring import Keyring
from schemas.events import AnswerSubmitted, AudioConverted, Event, Rejected
from schemas.serde import serialize
from schemas.topics import topic_for

# Payloads a flow could not read go here, with the source and the error in headers.
DEAD_LETTERS = "dead-letters"


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None  # None: a tombstone
    headers: tuple[tuple[str, bytes], ...] = ()


def event_record(event: Event, namespace: str, keyring: Keyring | None = None) -> Record:
    """The record of an event, on its topic, keyed by the learner; its value sealed with the
    learner's key when it carries their personal data (schemas/sealing.py)."""
    value = serialize(event)
    if keyring is not None:
        value = keyring.seal(value, event.EVENT_TYPE, event.user_id)
    return Record(topic_for(event.EVENT_TYPE, namespace), event.key(), value)


def dead_letter(
    namespace: str, key: bytes | None, value: bytes | None, source: str, error: Exception
) -> Record:
    return Record(
        namespace + DEAD_LETTERS,
        key,
        value,
        (("source", source.encode()), ("error", str(error).encode())),
    )


def rejection(
    cause: AnswerSubmitted | AudioConverted,
    stage: Literal["conversion", "transcription", "feedback"],
    code: str,
    message: str,
    at: datetime | None = None,
) -> Rejected:
    """An answer a stage refused: the learner is told `message`. `at`: the event time of
    a stage that replays (now, for the stages that do not)."""
    return Rejected(
        event_id=f"rejected-{cause.answer_id}",
        occurred_at=at or datetime.now(UTC),
        user_id=cause.user_id,
        answer_id=cause.answer_id,
        stage=stage,
        code=code,
        message=message,
        chat_id=cause.chat_id if isinstance(cause, AnswerSubmitted) else None,
    )
