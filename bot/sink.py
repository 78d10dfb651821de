"""Where the bot's events go: each to its topic, returning only once the broker acknowledged it."""

from __future__ import annotations

import asyncio

from confluent_kafka import Producer

from clients.kafka import producer, send
from clients.settings import KafkaConnection
from schemas.events import Event
from schemas.topics import topic_for


class EventSink:
    """Sends events; raises `clients.kafka.DeliveryFailed` when the broker did not ack in time.

    The update that caused an event is acknowledged to Telegram only after `emit` returns, so
    a failure here surfaces as a non-2xx webhook answer and Telegram delivers the update again.
    """

    def __init__(self, kafka: KafkaConnection, namespace: str, timeout_s: float) -> None:
        self._namespace = namespace
        self._timeout_s = timeout_s
        # The producer gives up on a message after the same timeout the caller waits.
        self._producer: Producer = producer(kafka, **{"message.timeout.ms": int(timeout_s * 1000)})

    def topic(self, event_type: str) -> str:
        return topic_for(event_type, self._namespace)

    async def emit(self, event: Event) -> None:
        # flush() blocks; a thread keeps the event loop serving other updates meanwhile.
        await asyncio.to_thread(
            send, self._producer, self.topic(event.EVENT_TYPE), event, self._timeout_s + 5
        )

    def close(self, timeout_s: float = 5.0) -> None:
        self._producer.flush(timeout_s)
