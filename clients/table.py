"""A compacted topic read into memory and kept current: the question bank, the learner keys.

A background thread reads the topic from the beginning (manual assignment, a throwaway
group id, no offset ever committed: every reader rebuilds the whole table) and hands each
record to `apply`. `wait_until_loaded` returns once everything that was in the topic at
start has been applied; `catch_up` once everything that is in it now has: a reader that
meets a key written a moment ago by another process asks for that.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Self

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    TopicPartition,
)

from clients.kafka import consumer, partition_ends
from clients.settings import KafkaConnection

log = logging.getLogger(__name__)

POLL_S = 0.2
BROKER_TIMEOUT_S = 10.0


class TableError(RuntimeError):
    """The topic cannot be read."""


class TableNotLoaded(TimeoutError):
    """The table did not catch up with its topic in time."""


class TopicTable:
    """Start it, `wait_until_loaded()`, read what `apply` built, `close()` it (or use it as a
    context manager). `apply` is called from the reading thread only."""

    def __init__(
        self, kafka: KafkaConnection, topic: str, apply: Callable[[Message], None]
    ) -> None:
        self.topic = topic
        self._apply = apply
        self._progress = threading.Condition()  # guards _reached and _failure
        self._reached: dict[int, int] = {}  # partition → next offset to read
        self._failure: str | None = None
        self._stop = threading.Event()
        self._consumer = consumer(
            kafka, f"table-{uuid.uuid4().hex}", **{"enable.partition.eof": True}
        )
        # Only for reading where the topic ends: the reading thread has its own consumer.
        self._ends: Consumer = consumer(kafka, f"table-ends-{uuid.uuid4().hex}")
        self._ends_lock = threading.Lock()
        try:
            start = self._topic_ends()
            self._consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in start])
        except (KafkaException, TableError) as exc:
            self._close_clients()
            raise TableError(f"cannot read topic {topic}: {exc}") from exc
        self._loaded_at = start
        self._thread = threading.Thread(target=self._run, name=f"table:{topic}", daemon=True)
        self._thread.start()

    def wait_until_loaded(self, timeout_s: float) -> None:
        """Returns once every record that was in the topic when the table started is applied."""
        self._wait_for(self._loaded_at, timeout_s)

    def catch_up(self, timeout_s: float) -> None:
        """Returns once every record in the topic now is applied."""
        with self._ends_lock:
            try:
                ends = self._topic_ends()
            except KafkaException as exc:
                raise TableError(f"cannot read topic {self.topic}: {exc}") from exc
        self._wait_for(ends, timeout_s)

    def _topic_ends(self) -> dict[int, int]:
        ends = partition_ends(self._ends, self.topic, BROKER_TIMEOUT_S)
        return {p: high for p, (_, high) in ends.items()}

    def _wait_for(self, ends: dict[int, int], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._progress:
            while True:
                if self._failure is not None:
                    raise TableError(self._failure)
                behind = sorted(p for p, end in ends.items() if self._reached.get(p, 0) < end)
                if not behind:
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TableNotLoaded(
                        f"{self.topic}: not caught up within {timeout_s:.0f}s "
                        f"(partitions still behind: {behind})"
                    )
                self._progress.wait(left)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        # poll() returns within POLL_S, so the thread ends promptly.
        self._thread.join(timeout=BROKER_TIMEOUT_S)
        self._close_clients()

    def _close_clients(self) -> None:
        self._consumer.close()
        self._ends.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._consumer.poll(POLL_S)
            except KafkaException as exc:
                self._fail(f"{self.topic}: {exc}")
                return
            if message is not None:
                self._handle(message)

    def _handle(self, message: Message) -> None:
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                self._advance(message.partition(), message.offset())
            elif error.fatal():
                self._fail(f"{self.topic}: {error}")
            else:
                log.warning("%s: %s (the client retries)", self.topic, error)
            return
        self._apply(message)
        self._advance(message.partition(), message.offset() + 1)

    def _advance(self, partition: int, next_offset: int) -> None:
        with self._progress:
            if next_offset > self._reached.get(partition, 0):
                self._reached[partition] = next_offset
                self._progress.notify_all()

    def _fail(self, reason: str) -> None:
        log.error("reading %s stopped: %s", self.topic, reason)
        with self._progress:
            self._failure = reason
            self._progress.notify_all()
