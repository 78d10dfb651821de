"""Every store a learner's data reaches, asked what it still holds of them, and the remedies
the erasure flow applies to what the flows should have removed and did not (something of
theirs was still on its way when they handled the request).

Compacted topics (the learner keys, the read-model rows) keep a deleted value in their log
until the segment holding it is closed and cleaned: a segment closes when a record arrives
after `segment.ms`, so `tombstone` is also how a waiting erasure closes one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from clickhouse_driver.errors import ServerException
from confluent_kafka import TopicPartition
from psycopg import sql

from clients.kafka import DeliveryFailed, consumer, producer, read_to_end
from clients.keyring import keys_topic
from clients.objectstore import ObjectStore, learner_prefixes
from clients.settings import ClickHouseConnection, KafkaConnection, PostgresConnection, S3Connection
from flows.analytics.tables import client, erase_learner, learner_rows
from flows.readmodels.project import TABLES
from flows.readmodels.seed import seed_topic
from schemas.events import UserEvent
from schemas.topics import topic_for

# ClickHouse's error codes for a table or database that does not exist.
UNKNOWN_TABLE, UNKNOWN_DATABASE = 60, 81


@dataclass(frozen=True)
class Position:
    """Where the erasure request is on the user-events topic."""

    partition: int
    offset: int


@dataclass(frozen=True)
class Held:
    """A record of the learner's in a compacted topic's log, with a value."""

    topic: str
    key: bytes
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}@{self.offset}"


class Stores:
    def __init__(
        self,
        *,
        kafka: KafkaConnection,
        namespace: str,
        s3: S3Connection,
        postgres: PostgresConnection,
        clickhouse: ClickHouseConnection,
        flows: tuple[str, ...],
    ) -> None:
        self._kafka = kafka
        self._namespace = namespace
        self._objects = ObjectStore(s3, timeout_s=30)
        self._postgres = postgres
        self._clickhouse = client(clickhouse)
        self._flows = flows
        self._writer = producer(kafka)

    def flows_behind(self, at: Position) -> list[str]:
        """The flows (with stores of their own) whose consumer group has not yet committed
        past the request: those that have not handled it."""
        where = TopicPartition(topic_for(UserEvent.EVENT_TYPE, self._namespace), at.partition)
        behind = []
        for flow in self._flows:
            group = f"{self._namespace}speech-coach-{flow}"
            reader = consumer(self._kafka, group)
            try:
                [committed] = reader.committed([where], timeout=10)
            finally:
                reader.close()
            if committed.offset <= at.offset:
                behind.append(flow)
        return behind

    def keys(self, user_id: str) -> list[Held]:
        return self._held(keys_topic(self._namespace), user_id, lambda key: key.decode())

    def topic_rows(self, user_id: str) -> list[Held]:
        """Read-model rows of theirs, and their state as a rebuild seeded it."""
        rows = [
            held
            for table in TABLES
            for held in self._held(self._namespace + table, user_id, _row_user)
        ]
        return rows + self._held(seed_topic(self._namespace), user_id, lambda key: key.decode())

    def _held(self, topic: str, user_id: str, user_of: Callable[[bytes], str | None]) -> list[Held]:
        return [
            Held(topic, message.key(), message.offset())
            for message in read_to_end(self._kafka, topic)
            if message.value() is not None and message.key() and user_of(message.key()) == user_id
        ]

    def tombstone(self, held: list[Held]) -> None:
        """Deletes each key again (the same deletion, repeated: harmless to every reader)."""
        for record in {(h.topic, h.key) for h in held}:
            self._writer.produce(record[0], key=record[1], value=None)
        if self._writer.flush(30) > 0:
            raise DeliveryFailed("tombstones not acknowledged in 30 s")

    def objects(self, user_id: str) -> list[str]:
        return [
            key for prefix in learner_prefixes(user_id) for key, _ in self._objects.listing(prefix)
        ]

    def delete_objects(self, user_id: str) -> None:
        for prefix in learner_prefixes(user_id):
            self._objects.delete_prefix(prefix)

    def read_model_rows(self, user_id: str) -> list[str]:
        counted = []
        with psycopg.connect(self._postgres.dsn, autocommit=True) as connection:
            for table in TABLES:
                query = sql.SQL("SELECT count(*) FROM {} WHERE user_id = %s").format(
                    sql.Identifier(table)
                )
                try:
                    row = connection.execute(query, (user_id,)).fetchone()
                except psycopg.errors.UndefinedTable:
                    continue  # the sink has not created it yet: nothing of theirs in it
                if row is not None and row[0]:
                    counted.append(f"{table}: {row[0]} rows")
        return counted

    def analytics_rows(self, user_id: str) -> list[str]:
        try:
            rows = learner_rows(self._clickhouse, user_id)
        except ServerException as exc:
            if exc.code not in (UNKNOWN_TABLE, UNKNOWN_DATABASE):
                raise
            return []  # the analytics flow has not created its tables: nothing of theirs there
        return [f"{table}: {count} rows" for table, count in rows.items() if count]

    def erase_analytics(self, user_id: str) -> None:
        erase_learner(self._clickhouse, user_id)

    def close(self) -> None:
        self._writer.flush(10)
        self._clickhouse.disconnect()


def _row_user(key: bytes) -> str | None:
    """The learner of a read-model row's key (Connect JSON: {"schema", "payload"})."""
    try:
        payload = json.loads(key)["payload"]
    except (ValueError, KeyError, TypeError):
        return None
    user = payload.get("user_id") if isinstance(payload, dict) else None
    return user if isinstance(user, str) else None
