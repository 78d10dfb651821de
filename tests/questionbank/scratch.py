"""A question bank of a test's own on the shared stack: its database, topic, connector,
replication slot and publication carry a unique namespace, and all of them go at the end."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from clients.connect import delete_connector
from questionbank.connector import cdc_topic, source_config, source_name
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.topics import apply_topics

CLEANUP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ScratchBank:
    namespace: str
    dsn: str
    topic: str
    connector: str

    def config(self) -> dict[str, str]:
        return source_config(self.dsn, self.namespace)


def _server(stack: StackSettings) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(stack.postgres_dsn, autocommit=True, connect_timeout=10)


@contextmanager
def scratch_bank(stack: StackSettings) -> Iterator[ScratchBank]:
    unique = uuid.uuid4().hex[:10]
    database = f"test_qb_{unique}"
    namespace = f"test-{unique}-"
    with _server(stack) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    topic = cdc_topic(namespace)
    apply_topics(admin(stack), [topic], report=lambda _: None)
    bank = ScratchBank(
        namespace=namespace,
        dsn=make_conninfo(stack.postgres_dsn, dbname=database),
        topic=topic.name,
        connector=source_name(namespace),
    )
    try:
        yield bank
    finally:
        delete_connector(stack.connect_url, bank.connector)
        _drop_slot(stack, bank.config()["slot.name"])
        with _server(stack) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
        client = admin(stack)  # kept referenced until its future completes
        [future] = client.delete_topics([topic.name]).values()
        future.result(timeout=CLEANUP_TIMEOUT_S)


def _drop_slot(stack: StackSettings, slot: str) -> None:
    """Drops the slot once the deleted connector's task has let go of it."""
    deadline = time.monotonic() + CLEANUP_TIMEOUT_S
    with _server(stack) as conn:
        while True:
            row = conn.execute(
                "SELECT active FROM pg_replication_slots WHERE slot_name = %s", [slot]
            ).fetchone()
            if row is None:
                return
            if not row[0]:
                conn.execute("SELECT pg_drop_replication_slot(%s)", [slot])
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"replication slot {slot} still in use after deleting its connector"
                )
            time.sleep(0.5)
