"""The read-model flow's state of each learner as a rebuild left it (cli/rebuild.py).

A rebuild folds the whole history in one process and writes each learner's final view to
the compacted `readmodels-seed` topic, sealed like the flow's own state; the flow starts
afresh after it and, when its store has nothing for a learner yet, begins from their seed.
The flow loads the topic before it reads any event, so the seed is always there first.
"""

from __future__ import annotations

import threading

from confluent_kafka import Message

from clients.settings import KafkaConnection
from clients.table import TopicTable

TOPIC = "readmodels-seed"
LOAD_S = 120.0


def seed_topic(namespace: str = "") -> str:
    return namespace + TOPIC


class Seeds:
    def __init__(self, kafka: KafkaConnection, namespace: str) -> None:
        self._views: dict[str, str] = {}
        self._lock = threading.Lock()
        self._table = TopicTable(kafka, seed_topic(namespace), self._apply)
        self._table.wait_until_loaded(LOAD_S)

    def get(self, user_id: str) -> str | None:
        """The learner's view as the rebuild stored it (sealed); None without one."""
        with self._lock:
            return self._views.get(user_id)

    def _apply(self, message: Message) -> None:
        user = (message.key() or b"").decode()
        value = message.value()
        with self._lock:
            if value is None:
                self._views.pop(user, None)
            else:
                self._views[user] = value.decode()

    def close(self) -> None:
        self._table.close()
