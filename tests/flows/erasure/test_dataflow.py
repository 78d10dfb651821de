"""Erasure on the real stack, every flow running: after `speech-coach forget`, a word the
learner said is in no store's raw bytes (every topic of the namespace with Quix's
changelogs, object storage, Postgres, ClickHouse, the flows' state on disk), what they said
cannot be read back from any topic, and a replay from the beginning reproduces nothing of
theirs. Another learner's data stays, and is the positive control of every search."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from clickhouse_driver import Client
from confluent_kafka.admin import AdminClient

from cli.practice import submit_and_wait
from cli.replay import replay
from clients.connect import apply_connector, delete_connector
from clients.kafka import read_to_end
from clients.keyring import Keyring, read_event
from clients.objectstore import ObjectStore
from flows.readmodels.connector import sink_config, sink_name
from flows.transcription.synth import encode_voice_note, synthesize
from flows.words.step import LOGIC as WORDS
from schemas.events import Feedback, Transcript, WordStats
from schemas.sealing import SEALED_EVENT_TYPES
from schemas.topics import load_topics
from stack.settings import REPO_ROOT, StackSettings
from tests.pipeline import Pipeline, readmodels_database

pytestmark = [pytest.mark.stack, pytest.mark.slow]

SAYS = {
    "victim": "My grandmother grows tomatoes in her garden. Every summer she gives tomatoes "
    "to all of her neighbours.",
    "bystander": "I ride my bicycle to the office every morning. The bicycle is faster than "
    "the bus in the city.",
}
# A word each said, as it appears in transcripts and (lemmatised) in the vocabulary rows.
WORD = {"victim": b"tomato", "bystander": b"bicycle"}
FLOWS = (
    "conversion", "transcription", "feedback", "scoring", "words", "readmodels", "analytics",
    "retention", "erasure",
)  # fmt: skip


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s:.0f} s")
        time.sleep(1)


class Stores:
    """Every store of the test's namespace, read as raw bytes."""

    def __init__(self, pipeline: Pipeline, dsn: str, clickhouse: Client, database: str) -> None:
        self.pipeline = pipeline
        self.dsn = dsn
        self.clickhouse = clickhouse
        self.database = database

    def topics(self) -> list[str]:
        """The namespace's topics and the Quix changelogs of its flows."""
        admin = AdminClient({"bootstrap.servers": self.pipeline.stack.bootstrap_servers})
        names = admin.list_topics(timeout=10).topics
        return sorted(name for name in names if self.pipeline.namespace in name)

    def raw(self) -> dict[str, bytes]:
        """Store → its bytes: each topic's keys, values and headers; object keys and bodies;
        every Postgres and ClickHouse row as text; every file of the flows' state."""
        found = {f"topic {t}": _topic_bytes(self.pipeline, t) for t in self.topics()}
        found["objects"] = self._objects()
        found["postgres"] = self._postgres()
        found["clickhouse"] = self._clickhouse()
        found["flow state"] = b"".join(
            p.read_bytes() for p in self.pipeline.state_dir.rglob("*") if p.is_file()
        )
        return found

    def where(self, word: bytes) -> set[str]:
        return {store for store, data in self.raw().items() if word in data.lower()}

    def _objects(self) -> bytes:
        store = ObjectStore(self.pipeline.s3)
        keys = [
            key
            for prefix in ("answers/", "wav/", "kept/")
            for key, _ in store.listing(prefix)
            if self.pipeline.namespace in key  # the learners' ids carry it
        ]
        return "\n".join(keys).encode()

    def _postgres(self) -> bytes:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema='public'"
                )
            ]
            rows = [
                str(row)
                for table in tables
                for row in connection.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
            ]
        return "\n".join(rows).encode()

    def _clickhouse(self) -> bytes:
        tables = [row[0] for row in self.clickhouse.execute(f"SHOW TABLES FROM {self.database}")]
        rows = [
            str(row)
            for table in tables
            for row in self.clickhouse.execute(f"SELECT * FROM {self.database}.{table}")  # noqa: S608
        ]
        return "\n".join(rows).encode()

    def rows_of(self, user: str) -> int:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            row = connection.execute(
                "SELECT count(*) FROM rm_vocabulary WHERE user_id = %s", (user,)
            ).fetchone()
        in_postgres = 0 if row is None else int(row[0])
        [(in_clickhouse,)] = self.clickhouse.execute(
            f"SELECT count() FROM {self.database}.word_counts WHERE user_id = %(u)s",  # noqa: S608
            {"u": user},
        )
        return in_postgres + int(in_clickhouse)


def _topic_bytes(pipeline: Pipeline, topic: str) -> bytes:
    parts = []
    for message in read_to_end(pipeline.kafka, topic, timeout_s=60):
        parts += [message.key() or b"", message.value() or b""]
        parts += [value or b"" for _, value in message.headers() or []]
    return b"\n".join(parts)


def _readable(pipeline: Pipeline, topic: str, event_cls: Any) -> list[Any]:
    """The events of `topic` that open with their learner's key."""
    with Keyring(pipeline.kafka, pipeline.namespace) as keyring:
        events = [
            read_event(event_cls, m.key(), m.value(), keyring)
            for m in read_to_end(pipeline.kafka, topic)
        ]
    return [e for e in events if e is not None]


def _has_rows(stores: Stores, user: str) -> bool:
    return stores.rows_of(user) >= 2


@pytest.fixture
def clickhouse(stack: StackSettings, unique: str) -> Iterator[tuple[str, Client]]:
    name = f"erasure_{unique}"
    server = Client(host=stack.host, port=stack.ports.clickhouse_tcp, database="default")
    server.execute(f"CREATE DATABASE IF NOT EXISTS {name}")
    yield name, server
    server.execute(f"DROP DATABASE IF EXISTS {name}")
    server.disconnect()


def test_after_forget_nothing_the_learner_said_is_left_in_any_store(
    stack: StackSettings, unique: str, tmp_path: Path, clickhouse: tuple[str, Client]
) -> None:
    pipeline = Pipeline(stack, f"er{unique}-", tmp_path / "state")
    database, server = clickhouse
    users = {who: f"{who}-{pipeline.namespace}" for who in SAYS}
    with ExitStack() as resources:
        dsn = resources.enter_context(readmodels_database(stack))
        sink = sink_name(pipeline.namespace)
        apply_connector(stack.connect_url, sink, sink_config(dsn, pipeline.namespace))
        resources.callback(delete_connector, stack.connect_url, sink)
        env = {
            "SPEECH_COACH_CLICKHOUSE__DATABASE": database,
            "SPEECH_COACH_POSTGRES__DSN": dsn,
            "SPEECH_COACH_ERASURE_TIMEOUT_S": "300",
        }
        for flow in FLOWS:
            resources.enter_context(pipeline.flow(flow, **env))
        stores = Stores(pipeline, dsn, server, database)

        for who, text in SAYS.items():
            wav = synthesize(text, tmp_path / f"{who}.wav")
            voice = encode_voice_note(wav, tmp_path / f"{who}.ogg")
            outcome = submit_and_wait(
                voice, kafka=pipeline.kafka, s3=pipeline.s3, namespace=pipeline.namespace,
                user_id=users[who], question_id=None, timeout_s=300, progress=print,
            )  # fmt: skip
            assert isinstance(outcome.event, Feedback), outcome.event
            assert WORD[who].decode() in outcome.event.transcript.lower()
        # Both vocabulary stores hold each learner's words (a row each at least).
        for user in users.values():
            _wait(partial(_has_rows, stores, user), 120, f"rows of {user}")

        sealed = {f"topic {s.name}" for s in load_topics() if s.event in SEALED_EVENT_TYPES}
        sealed = {name.replace("topic ", f"topic {pipeline.namespace}") for name in sealed}
        before = stores.where(WORD["victim"])
        # The search finds the plain read-model rows; what the learner said travels sealed.
        assert {"postgres", "clickhouse", f"topic {pipeline.namespace}rm_vocabulary"} <= before
        assert not before & sealed
        transcripts = pipeline.topic(Transcript)
        assert {t.user_id for t in _readable(pipeline, transcripts, Transcript)} == set(
            users.values()
        )

        started = time.monotonic()
        forgotten = subprocess.run(
            [sys.executable, "-m", "cli.main", "forget", "--user", users["victim"], "--json"],
            cwd=REPO_ROOT, env=pipeline.env(**env), capture_output=True, text=True, timeout=600,
            check=False,
        )  # fmt: skip
        took = time.monotonic() - started
        assert forgotten.returncode == 0, forgotten.stdout + forgotten.stderr
        report = json.loads(forgotten.stdout)
        assert report["complete"]
        assert {s["store"]: s["clean"] for s in report["stores"]} == dict.fromkeys(
            ("flows", "learner_keys", "objects", "read_model_topics", "read_models", "analytics"),
            True,
        )
        print(f"forget took {took:.1f} s:", {s["store"]: s["seconds"] for s in report["stores"]})

        # Not a byte of it anywhere; the other learner's words are where they were.
        assert stores.where(WORD["victim"]) == set()
        assert {"postgres", "clickhouse", f"topic {pipeline.namespace}rm_vocabulary"} <= (
            stores.where(WORD["bystander"])
        )
        assert stores.rows_of(users["victim"]) == 0
        readable = {t.user_id for t in _readable(pipeline, transcripts, Transcript)}
        assert readable == {users["bystander"]}

        # A replay from the beginning reproduces the other learner's vocabulary, not theirs.
        research = f"research-words-{unique}"
        replayed = replay(
            "words", WORDS, kafka=pipeline.kafka, namespace=pipeline.namespace, since=None,
            to_topic=research, progress=lambda _done, _total: None,
        )  # fmt: skip
        assert replayed.erased >= 1
        outputs = _readable(pipeline, research, WordStats)
        assert {o.user_id for o in outputs} == {users["bystander"]}
        assert WORD["victim"] not in _topic_bytes(pipeline, research).lower()
