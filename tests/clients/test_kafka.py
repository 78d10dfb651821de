"""Events cross the real broker only through the validating serializer."""

from __future__ import annotations

import time

import pytest
from confluent_kafka import Consumer

from clients.kafka import DeliveryFailed, consumer, producer, send
from clients.settings import KafkaConnection
from schemas.events import AnswerSubmitted
from schemas.serde import InvalidEvent, deserialize
from schemas.topics import TopicSpec
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.topics import apply_topics
from tests.schemas.samples import SAMPLES

pytestmark = pytest.mark.stack


@pytest.fixture
def topic(stack: StackSettings, unique: str) -> str:
    name = f"test-roundtrip-{unique}"
    spec = TopicSpec(
        name=name,
        event=None,
        description="test",
        partitions=1,
        replication_factor=1,
        config={"cleanup.policy": "delete"},
    )
    apply_topics(admin(stack), [spec], report=lambda _: None)
    return name


def _consume(c: Consumer, count: int, timeout_s: float = 30.0) -> list[tuple[bytes, bytes]]:
    found: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < count and time.monotonic() < deadline:
        message = c.poll(0.5)
        if message is None or message.error():
            continue
        found.append((message.key(), message.value()))
    return found


def test_every_event_type_round_trips_through_the_broker(
    stack: StackSettings, topic: str, unique: str
) -> None:
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    p = producer(kafka)
    for event in SAMPLES.values():
        send(p, topic, event)

    c = consumer(kafka, f"test-{unique}")
    c.subscribe([topic])
    try:
        received = _consume(c, len(SAMPLES))
    finally:
        c.close()
    assert len(received) == len(SAMPLES)
    for (key, value), sent in zip(received, SAMPLES.values(), strict=True):
        assert key == sent.user_id.encode()
        assert deserialize(type(sent), value) == sent


def test_bytes_that_skipped_the_serializer_are_refused_on_the_way_in(
    stack: StackSettings, topic: str, unique: str
) -> None:
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    # Bytes written by something that skipped the serializer are refused on the way in.
    raw = producer(kafka)
    raw.produce(topic, key=b"u", value=b'{"event_id": "x", "schema_version": 1}')
    raw.flush(10)
    c = consumer(kafka, f"test-{unique}")
    c.subscribe([topic])
    try:
        [(_, value)] = _consume(c, 1)
    finally:
        c.close()
    with pytest.raises(InvalidEvent) as caught:
        deserialize(AnswerSubmitted, value)
    assert caught.value.field in AnswerSubmitted.model_fields


def test_send_fails_loudly_when_the_broker_is_unreachable() -> None:
    # Nothing listens on port 1: the event must not count as sent.
    p = producer(KafkaConnection(bootstrap_servers="127.0.0.1:1"), **{"message.timeout.ms": 2000})
    with pytest.raises(DeliveryFailed):
        send(p, "nowhere", SAMPLES["user_event"], timeout_s=5)
