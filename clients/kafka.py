"""Producer and consumer factories with the delivery guarantees of DESIGN §6."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Consumer, Producer

from clients.settings import KafkaConnection


def producer(kafka: KafkaConnection, **overrides: Any) -> Producer:
    return Producer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "client.id": kafka.client_id,
            # Effectively-once needs the broker's dedup of retries and every replica's ack.
            "enable.idempotence": True,
            "acks": "all",
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
