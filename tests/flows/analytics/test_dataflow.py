"""The analytics flow on the real stack: every event and question bank change sent twice
through `speech-coach flow analytics` (namespaced topics, its own ClickHouse database)
leaves one row per distinct event; an unreadable payload becomes a dead letter. An
unreachable ClickHouse pauses the flow instead of crashing it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clickhouse_driver import Client
from clickhouse_driver.errors import ServerException
from confluent_kafka import TopicPartition
from quixstreams.sinks import SinkBackpressureError, SinkBatch

from clients.kafka import consumer, producer
from clients.settings import ClickHouseConnection
from flows.analytics.dataflow import RETRY_AFTER_S, ClickHouseSink
from flows.analytics.rows import event_rows
from flows.common.records import DEAD_LETTERS
from questionbank.connector import cdc_topic
from schemas.events import Feedback
from stack.settings import StackSettings
from tests.clickhouse import dataset
from tests.pipeline import Pipeline
from tests.questionbank import records


@pytest.fixture
def database(stack: StackSettings, unique: str) -> Iterator[tuple[str, Client]]:
    name = f"analytics_{unique}"
    server = Client(host=stack.host, port=stack.ports.clickhouse_tcp, database="default")
    yield name, server
    server.execute(f"DROP DATABASE IF EXISTS {name}")
    server.disconnect()


def _wait(query: Callable[[], Any], expected: Any, timeout_s: float = 90) -> Any:
    deadline = time.monotonic() + timeout_s
    while (found := query()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def _question_changes() -> list[tuple[bytes, bytes | None]]:
    """The bank's snapshot, then one edit and one delete (with its tombstone)."""
    changes: list[tuple[bytes, bytes | None]] = [
        (records.key(q.question_id), records.value("r", None, records.row(**q.model_dump())))
        for q in dataset.QUESTIONS
    ]
    first, last = dataset.QUESTIONS[0], dataset.QUESTIONS[-1]
    edited = records.row(**{**first.model_dump(), "text": "Describe your desk at home."})
    changes.append((records.key(first.question_id), records.value("u", None, edited)))
    removed = records.row(**last.model_dump())
    changes.append((records.key(last.question_id), records.value("d", removed, None)))
    changes.append((records.key(last.question_id), None))
    changes.append((records.key("broken"), b"not json"))
    return changes


def _dead_letter_sources(pipeline: Pipeline, timeout_s: float = 60) -> list[bytes]:
    topic = pipeline.namespace + DEAD_LETTERS
    reader = consumer(pipeline.kafka, f"{pipeline.namespace}dead-letter-reader")
    partitions = reader.list_topics(topic, timeout=10).topics[topic].partitions
    reader.assign([TopicPartition(topic, p, 0) for p in partitions])
    sources: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not sources and time.monotonic() < deadline:
            message = reader.poll(0.25)
            if message is not None and not message.error():
                sources += [value for name, value in message.headers() or [] if name == "source"]
    finally:
        reader.close()
    return sources


@pytest.mark.stack
def test_events_sent_twice_leave_one_row_each(
    stack: StackSettings, unique: str, tmp_path: Path, database: tuple[str, Client]
) -> None:
    name, server = database
    pipeline = Pipeline(stack, f"an{unique}-", tmp_path / "state")
    events = dataset.events()
    for event in events + events:
        pipeline.send(event)
    raw = producer(pipeline.kafka)
    questions = cdc_topic(pipeline.namespace).name
    for key, value in _question_changes() * 2:
        raw.produce(questions, key=key, value=value)
    raw.produce(pipeline.topic(Feedback), key=b"u1", value=b'{"event_id": "half an event"')
    assert raw.flush(15) == 0

    expected = dataset.expected_counts()

    def counts() -> dict[str, int]:
        try:
            return {
                table: server.execute(f"SELECT count() FROM {name}.{table} FINAL")[0][0]  # noqa: S608
                for table in expected
            }
        except ServerException:  # the flow has not created the tables yet
            return {}

    with pipeline.flow("analytics", SPEECH_COACH_CLICKHOUSE__DATABASE=name):
        assert _wait(counts, expected) == expected
        assert _dead_letter_sources(pipeline) == [b"feedback"]

    regraded_user, regraded_answer, overall = dataset.REGRADED
    assert server.execute(
        f"SELECT user_id, overall FROM {name}.answers FINAL WHERE answer_id = %(a)s",  # noqa: S608
        {"a": regraded_answer},
    ) == [(regraded_user, overall)]
    # The edit is the newest row; the deleted question keeps its last one.
    bank = {q.question_id: q.text for q in dataset.QUESTIONS}
    bank[dataset.QUESTIONS[0].question_id] = "Describe your desk at home."
    found = server.execute(f"SELECT question_id, text FROM {name}.questions FINAL")  # noqa: S608
    assert dict(found) == bank


def test_an_unreachable_clickhouse_is_backpressure_not_a_crash() -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = ClickHouseSink(ClickHouseConnection(port=port, database="nowhere"))
    batch = SinkBatch(topic="feedback", partition=0)
    [row] = event_rows(dataset.events()[0])
    batch.append(value=row, key=b"u1", timestamp=0, headers=[], offset=0)
    with pytest.raises(SinkBackpressureError) as raised:
        sink.write(batch)
    assert raised.value.retry_after == RETRY_AFTER_S
