"""QuestionCatalog: the question bank in memory, kept current from its CDC topic.

The compacted topic is read into memory (clients/table.py: every catalog rebuilds the
whole bank) and each change applied to a dict. The bot and the flows ask it for
questions; an operator's SQL edit reaches them within seconds, with no restart.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from confluent_kafka import Message

from clients.settings import KafkaConnection
from clients.table import TableError, TableNotLoaded, TopicTable
from questionbank.envelope import InvalidChange, QuestionUpserted, parse_change
from questionbank.model import Category, Question

log = logging.getLogger(__name__)

# The table's errors, under the names the catalog's callers know.
CatalogError = TableError
CatalogNotLoaded = TableNotLoaded


class QuestionCatalog:
    """Every question of the bank by id; `active()` leaves out deactivated ones.

    Start it, `wait_until_loaded()`, use it, `close()` it (or use it as a context manager).
    """

    def __init__(self, kafka: KafkaConnection, topic: str) -> None:
        self._questions: dict[str, Question] = {}
        self._lock = threading.Lock()
        self._table = TopicTable(kafka, topic, self._apply)

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
        self._table.wait_until_loaded(timeout_s)

    def close(self) -> None:
        self._table.close()

    def __enter__(self) -> QuestionCatalog:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _apply(self, message: Message) -> None:
        try:
            change = parse_change(message.key(), message.value())
        except InvalidChange as exc:
            # One bad row must not take the bank down: skip it, say where it is.
            log.warning("%s@%s: skipped: %s", message.topic(), message.offset(), exc)
            return
        with self._lock:
            if isinstance(change, QuestionUpserted):
                self._questions[change.question.question_id] = change.question
            else:
                self._questions.pop(change.question_id, None)
