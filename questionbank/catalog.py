"""QuestionCatalog: the question bank in memory, kept current from its CDC topic.

A background thread reads the compacted topic from the beginning (manual assignment, a
throwaway group id, no offset ever committed: every catalog rebuilds the whole bank) and
applies each change to a dict. The bot and the flows ask it for questions; an operator's
SQL edit reaches them within seconds, with no restart.
"""

from __future__ import annotations

import logging
import threading
import uuid
from types import TracebackType

from confluent_kafka import OFFSET_BEGINNING, KafkaError, KafkaException, Message, TopicPartition

from clients.kafka import consumer, partition_ends
from clients.settings import KafkaConnection
from questionbank.envelope import InvalidChange, QuestionUpserted, parse_change
from questionbank.model import Category, Question

log = logging.getLogger(__name__)

POLL_S = 0.2
BROKER_TIMEOUT_S = 10.0


class CatalogError(RuntimeError):
    """The catalog cannot read its topic."""


class CatalogNotLoaded(TimeoutError):
    """The catalog did not catch up with its topic in time."""


class QuestionCatalog:
    """Every question of the bank by id; `active()` leaves out deactivated ones.

    Start it, `wait_until_loaded()`, use it, `close()` it (or use it as a context manager).
    """

    def __init__(self, kafka: KafkaConnection, topic: str) -> None:
        self._topic = topic
        self._questions: dict[str, Question] = {}
        self._lock = threading.Lock()  # guards _questions and _behind
        self._loaded = threading.Event()
        self._stop = threading.Event()
        self._failure: str | None = None
        self._consumer = consumer(
            kafka, f"questionbank-catalog-{uuid.uuid4().hex}", **{"enable.partition.eof": True}
        )
        try:
            ends = partition_ends(self._consumer, topic, BROKER_TIMEOUT_S)
            # Loaded means read up to where each partition ended when the catalog started.
            self._behind = {p: high for p, (low, high) in ends.items() if high > low}
            self._consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        except KafkaException as exc:
            self._consumer.close()
            raise CatalogError(f"cannot read topic {topic}: {exc}") from exc
        if not self._behind:
            self._loaded.set()
        self._thread = threading.Thread(target=self._run, name=f"catalog:{topic}", daemon=True)
        self._thread.start()

    def get(self, question_id: str) -> Question | None:
        """The question, active or not; None if it is unknown or was deleted."""
        with self._lock:
            return self._questions.get(question_id)

    def active(self, category: Category | None = None) -> tuple[Question, ...]:
        """The active questions, by id; optionally of one category."""
        with self._lock:
            questions = list(self._questions.values())
        return tuple(
            sorted(
                (q for q in questions if q.active and category in (None, q.category)),
                key=lambda q: q.question_id,
            )
        )

    def wait_until_loaded(self, timeout_s: float) -> None:
        """Returns once every change that was in the topic when the catalog started is applied."""
        if not self._loaded.wait(timeout_s):
            with self._lock:
                behind = sorted(self._behind)
            raise CatalogNotLoaded(
                f"{self._topic}: not caught up within {timeout_s:.0f}s "
                f"(partitions still behind: {behind})"
            )
        if self._failure is not None:
            raise CatalogError(self._failure)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        # poll() returns within POLL_S, so the thread ends promptly.
        self._thread.join(timeout=BROKER_TIMEOUT_S)
        self._consumer.close()

    def __enter__(self) -> QuestionCatalog:
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
                self._fail(f"{self._topic}: {exc}")
                return
            if message is not None:
                self._handle(message)

    def _handle(self, message: Message) -> None:
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                self._reached(message.partition(), message.offset())
            elif error.fatal():
                self._fail(f"{self._topic}: {error}")
            else:
                log.warning("%s: %s (the client retries)", self._topic, error)
            return
        try:
            change = parse_change(message.key(), message.value())
        except InvalidChange as exc:
            # One bad row must not take the bank down: skip it, say where it is.
            log.warning("%s@%s: skipped: %s", self._topic, message.offset(), exc)
        else:
            with self._lock:
                if isinstance(change, QuestionUpserted):
                    self._questions[change.question.question_id] = change.question
                else:
                    self._questions.pop(change.question_id, None)
        self._reached(message.partition(), message.offset() + 1)

    def _reached(self, partition: int, next_offset: int) -> None:
        with self._lock:
            end = self._behind.get(partition)
            if end is None or next_offset < end:
                return
            del self._behind[partition]
            caught_up = not self._behind
        if caught_up:
            self._loaded.set()

    def _fail(self, reason: str) -> None:
        log.error("question catalog stopped: %s", reason)
        self._failure = reason
        self._loaded.set()  # wakes wait_until_loaded, which reports the failure
