"""Erasure for operators: asks for a learner's erasure the way the bot's /forget does, and
waits for the erasure flow's report (flows/erasure/, docs/privacy.md)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import psycopg

from clients.kafka import producer, reading_from_now, send
from clients.settings import KafkaConnection, PostgresConnection
from schemas.events import ErasureCompleted, UserEvent
from schemas.events.base import Language
from schemas.serde import InvalidEvent, deserialize
from schemas.topics import topic_for

# The chat id of a request for a learner without a Telegram chat (CLI learners): no one to tell.
NO_CHAT = 0


def chat_of(postgres: PostgresConnection, user_id: str) -> tuple[int, Language | None]:
    """The learner's chat and language from the read models, so that they are told too."""
    try:
        with psycopg.connect(postgres.dsn, autocommit=True, connect_timeout=10) as connection:
            row = connection.execute(
                "SELECT chat_id, language FROM rm_learners WHERE user_id = %s", (user_id,)
            ).fetchone()
    except psycopg.Error:
        return NO_CHAT, None  # the request goes out anyway; only the message is lost
    if row is None or row[0] is None:
        return NO_CHAT, None
    language = row[1] if row[1] in ("en", "ru") else None
    return int(row[0]), language


def request_erasure(
    kafka: KafkaConnection, postgres: PostgresConnection, namespace: str, user_id: str
) -> UserEvent:
    chat_id, language = chat_of(postgres, user_id)
    request = UserEvent(
        event_id=f"forget-{uuid.uuid4().hex}", occurred_at=datetime.now(UTC), user_id=user_id,
        kind="erasure_requested", chat_id=chat_id, language=language,
    )  # fmt: skip
    send(producer(kafka), topic_for(UserEvent.EVENT_TYPE, namespace), request)
    return request


def forget(
    kafka: KafkaConnection,
    postgres: PostgresConnection,
    namespace: str,
    user_id: str,
    timeout_s: float,
) -> ErasureCompleted:
    """Requests the erasure and returns the erasure flow's report of it."""
    reports = topic_for(ErasureCompleted.EVENT_TYPE, namespace)
    reader = reading_from_now(kafka, [reports])
    try:
        request = request_erasure(kafka, postgres, namespace, user_id)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = reader.poll(0.5)
            if message is None or message.error() or message.key() != user_id.encode():
                continue
            try:
                report = deserialize(ErasureCompleted, message.value())
            except InvalidEvent:
                continue
            if report.request_event_id == request.event_id:
                return report
        raise TimeoutError(
            f"no report of the erasure of {user_id} within {timeout_s:.0f} s: "
            "is the erasure flow running?"
        )
    finally:
        reader.close()
