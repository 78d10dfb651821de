"""Running flows against the real stack in tests: namespaced topics, read-model databases,
flow processes, and bounded waits for the events they emit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import psycopg
from confluent_kafka import TopicPartition
from psycopg import sql
from psycopg.conninfo import make_conninfo

from clients.kafka import consumer, producer, send
from clients.keyring import Keyring, read_event
from clients.settings import KafkaConnection, S3Connection
from flows.readmodels.connector import apply_tables
from schemas.events import Event
from schemas.topics import namespaced, topic_for
from stack.services.kafka import admin
from stack.settings import REPO_ROOT, StackSettings
from stack.topics import apply_topics

E = TypeVar("E", bound=Event)


def create_topics(stack: StackSettings, prefix: str, timeout_s: float = 30.0) -> None:
    """Every declared topic under `prefix`, waited for until each partition has a leader."""
    specs = namespaced(prefix)
    client = admin(stack)
    apply_topics(client, specs, report=lambda _: None)
    deadline = time.monotonic() + timeout_s
    while True:
        topics = client.list_topics(timeout=10).topics
        if all(
            spec.name in topics
            and len(topics[spec.name].partitions) == spec.partitions
            and all(p.leader >= 0 for p in topics[spec.name].partitions.values())
            for spec in specs
        ):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics under {prefix} not served within {timeout_s}s")
        time.sleep(0.2)


@contextmanager
def readmodels_database(stack: StackSettings) -> Iterator[str]:
    """A database of its own with the read-model tables, as the sink creates them; its DSN."""
    name = f"bot_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(stack.postgres_dsn, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = make_conninfo(stack.postgres_dsn, dbname=name)
    try:
        with psycopg.connect(dsn, autocommit=True) as database:
            apply_tables(database)
        yield dsn
    finally:
        with psycopg.connect(stack.postgres_dsn, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


class Pipeline:
    """A namespace of topics on the test stack, and the environment flows need to use it."""

    def __init__(self, stack: StackSettings, namespace: str, state_dir: Path) -> None:
        self.stack = stack
        self.namespace = namespace
        self.state_dir = state_dir
        self.kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
        self.s3 = S3Connection(
            endpoint=stack.s3_endpoint,
            access_key=stack.s3_access_key,
            secret_key=stack.s3_secret_key,
            bucket=stack.s3_bucket,
        )
        create_topics(stack, namespace)
        self._producer = producer(self.kafka)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            **self.stack.app_environment(),
            "SPEECH_COACH_TOPIC_NAMESPACE": self.namespace,
            "SPEECH_COACH_STATE_DIR": str(self.state_dir),
            **extra,
        }

    def topic(self, event_cls: type[Event]) -> str:
        return topic_for(event_cls.EVENT_TYPE, self.namespace)

    def send(self, event: Event) -> None:
        send(self._producer, self.topic(type(event)), event)

    @contextmanager
    def flow(self, name: str, **extra_env: str) -> Iterator[subprocess.Popen[bytes]]:
        """`speech-coach flow NAME` running for the duration of the block."""
        log = self.state_dir / f"{name}-{extra_env.get('SPEECH_COACH_PROCESS_ID', '0')}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "flow", name],
                cwd=REPO_ROOT,
                env=self.env(**extra_env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                yield process
            finally:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        if process.returncode not in (0, -15, 143):
            print(log.read_text()[-5000:])

    def collect(
        self,
        event_cls: type[E],
        until: Callable[[list[E]], bool],
        timeout_s: float = 60.0,
    ) -> list[E]:
        """Every event of the topic from the beginning, until `until` holds or time is up;
        sealed ones opened with their learner's key (those of erased learners left out)."""
        topic = self.topic(event_cls)
        reader = consumer(self.kafka, f"{self.namespace}test-reader-{time.monotonic_ns()}")
        partitions = reader.list_topics(topic, timeout=10).topics[topic].partitions
        reader.assign([TopicPartition(topic, p, 0) for p in partitions])
        found: list[E] = []
        deadline = time.monotonic() + timeout_s
        try:
            with Keyring(self.kafka, self.namespace) as keyring:
                while not until(found) and time.monotonic() < deadline:
                    message = reader.poll(0.25)
                    if message is None or message.error():
                        continue
                    event = read_event(event_cls, message.key(), message.value(), keyring)
                    if event is not None:
                        found.append(event)
        finally:
            reader.close()
        return found
