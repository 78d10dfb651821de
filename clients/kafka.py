"""Producer and consumer factories with the delivery guarantees of DESIGN §6."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer

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
