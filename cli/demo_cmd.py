"""`speech-coach demo`: the stack up, and one event through the broker and back.

Until the learner loop lands, the demo shows the foundation working: every service healthy
and a validated event produced to its topic and consumed back.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from clients.kafka import consumer, producer, send
from clients.settings import KafkaConnection
from schemas.events import UserEvent
from schemas.serde import deserialize
from schemas.topics import topic_for
from stack import launcher
from stack.settings import StackSettings


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="bring the native stack up and show it working")
    demo.set_defaults(run=_demo)


def round_trip(kafka: KafkaConnection, timeout_s: float = 30.0) -> tuple[UserEvent, float]:
    """Sends a UserEvent and reads it back from its topic; returns it and the seconds taken."""
    sent = UserEvent(
        event_id=f"demo-{uuid.uuid4().hex}",
        occurred_at=datetime.now(UTC),
        user_id="demo-learner",
        kind="registered",
        chat_id=1,
        username="demo",
    )
    topic = topic_for(UserEvent.EVENT_TYPE)
    started = time.monotonic()
    send(producer(kafka), topic, sent)
    reader = consumer(kafka, f"demo-{uuid.uuid4().hex[:8]}")
    reader.subscribe([topic])
    try:
        while time.monotonic() - started < timeout_s:
            message = reader.poll(0.5)
            if message is None or message.error():
                continue
            received = deserialize(UserEvent, message.value())
            if received.event_id == sent.event_id:
                return received, time.monotonic() - started
    finally:
        reader.close()
    raise TimeoutError(f"the event did not come back from {topic} within {timeout_s:.0f}s")


def _demo(_: argparse.Namespace) -> int:
    settings = StackSettings()
    print("== stack up", flush=True)
    try:
        launcher.up(settings, lambda line: print(line, flush=True))
    except launcher.StackError as exc:
        print(f"stack up failed: {exc}")
        return 1
    print("\n== service health")
    for s in launcher.status(settings):
        print(f"{s.name:<11} {'healthy' if s.healthy else 'UNHEALTHY ' + s.detail:<10} {s.address}")
    print("\n== one event through the broker")
    event, took = round_trip(KafkaConnection(bootstrap_servers=settings.bootstrap_servers))
    print(f"produced and consumed back {event.EVENT_TYPE} {event.event_id} in {took * 1000:.0f} ms")
    print(event.model_dump_json(indent=2))
    return 0
