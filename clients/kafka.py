"""Producer and consumer factories with the delivery guarantees of DESIGN §6."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from clients.settings import KafkaConnection
from schemas.events import Event
from schemas.serde import serialize

# How every producer of ours maps a key to a partition: murmur2 of the key bytes, as Java
# clients, Kafka Connect and Redpanda do (null keys spread at random). librdkafka's default
# (CRC32) disagrees for most keys and would split a learner across partitions (DESIGN §6).
PARTITIONER = "murmur2_random"

# Effectively-once needs the broker's dedup of retries and every replica's ack.
DELIVERY: dict[str, Any] = {"enable.idempotence": True, "acks": "all", "partitioner": PARTITIONER}


def producer(kafka: KafkaConnection, **overrides: Any) -> Producer:
    if set(overrides) & set(DELIVERY):
        raise ValueError(f"{sorted(DELIVERY)} are fixed for every producer (DESIGN §6)")
    return Producer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "client.id": kafka.client_id,
            **DELIVERY,
            "linger.ms": 5,
            **overrides,
        }
    )


def consumer(kafka: KafkaConnection, group_id: str, **overrides: Any) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "client.id": kafka.client_id,
            "group.id": group_id,
            "auto.offset.reset": "earliest",
            # Offsets are committed after the work is done, never before.
            "enable.auto.commit": False,
            **overrides,
        }
    )


class DeliveryFailed(RuntimeError):
    """The broker did not acknowledge an event; the caller must not treat it as sent."""


def send(producer: Producer, topic: str, event: Event, timeout_s: float = 15.0) -> None:
    """Produces one event, validated at the boundary, and returns once the broker acked it."""
    failures: list[str] = []

    def on_delivery(error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            failures.append(str(error))

    producer.produce(topic, key=event.key(), value=serialize(event), on_delivery=on_delivery)
    if producer.flush(timeout_s) > 0:
        raise DeliveryFailed(f"{topic}: no acknowledgement within {timeout_s:.0f}s")
    if failures:
        raise DeliveryFailed(f"{topic}: {failures[0]}")


T = TypeVar("T")


# A topic created a moment ago has no leader yet; librdkafka does not flag these retriable
# when a watermark query meets them.
_NO_LEADER_YET = frozenset({KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE})


def retrying(call: Callable[[], T], timeout_s: float) -> T:
    """`call()`, again while the broker answers with a retriable error (a topic created a
    moment ago has no leader yet: NOT_LEADER_FOR_PARTITION), until `timeout_s` has passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return call()
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            retriable = isinstance(error, KafkaError) and (
                error.retriable() or error.code() in _NO_LEADER_YET
            )
            if not retriable or time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def partition_ends(
    reader: Consumer, topic: str, timeout_s: float = 10.0
) -> dict[int, tuple[int, int]]:
    """(low, high) watermark offsets of each partition of `topic`."""

    def described() -> Any:
        found = reader.list_topics(topic, timeout=timeout_s).topics.get(topic)
        if found is None:
            raise KafkaException(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, f"no topic {topic}"))
        if found.error is not None and found.error.code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
            raise KafkaException(found.error)  # no leader yet: retried
        return found

    found = retrying(described, timeout_s)
    if found.error is not None:
        raise KafkaException(found.error)

    def ends(partition: int) -> tuple[int, int]:
        where = TopicPartition(topic, partition)
        low, high = reader.get_watermark_offsets(where, timeout=timeout_s)
        return low, high

    return {p: retrying(partial(ends, p), timeout_s) for p in sorted(found.partitions)}


def read_to_end(kafka: KafkaConnection, topic: str, timeout_s: float = 30.0) -> list[Message]:
    """Every record of `topic` from its beginning to where each partition ends when called
    (of a compacted topic, the records compaction has kept so far)."""
    reader = consumer(kafka, f"reader-{uuid.uuid4().hex}", **{"enable.partition.eof": True})
    try:
        ends = {p: high for p, (low, high) in partition_ends(reader, topic).items() if high > low}
        reader.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        found: list[Message] = []
        deadline = time.monotonic() + timeout_s
        while ends:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}: not read to its end within {timeout_s:.0f} s")
            message = reader.poll(0.2)
            if message is None:
                continue
            partition, offset = message.partition(), message.offset()
            error = message.error()
            if error is None and offset < ends.get(partition, 0):
                found.append(message)
            elif error is not None and error.code() != KafkaError._PARTITION_EOF:
                continue  # transient: the client retries
            # Past the end, or at it (EOF: what is left up to the end was compacted away).
            if partition in ends and offset >= ends[partition] - (0 if error else 1):
                del ends[partition]
        return found
    finally:
        reader.close()


def reading_from_now(kafka: KafkaConnection, topics: Iterable[str]) -> Consumer:
    """A consumer assigned to every partition of `topics` at where each ends now (not "the
    end" when assigned), so nothing produced after this returns is missed."""
    reader = consumer(kafka, f"reader-{uuid.uuid4().hex}")
    try:
        reader.assign(
            [
                TopicPartition(topic, partition, high)
                for topic in topics
                for partition, (_, high) in partition_ends(reader, topic).items()
            ]
        )
    except KafkaException:
        reader.close()
        raise
    return reader
