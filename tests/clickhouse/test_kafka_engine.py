"""Why the analytics flow is a Quix sink: the experiment behind clickhouse/README.md.

ClickHouse 18.16's Kafka table engine, reading a real feedback topic as JSONEachRow,
refuses our events at their first nested object (`metrics`). The error proves the engine
reached the broker and read the record: it is the format, not the connection, that fails.
"""

from __future__ import annotations

import threading
import time

import pytest
from clickhouse_driver import Client
from clickhouse_driver.errors import ServerException
from confluent_kafka.admin import NewTopic

from clients.kafka import producer, send
from clients.settings import KafkaConnection
from stack.services.kafka import admin
from stack.settings import StackSettings
from tests.schemas.samples import SAMPLES

pytestmark = pytest.mark.stack

CANNOT_PARSE_INPUT = 26


def test_18_16_kafka_engine_cannot_read_nested_json_events(
    stack: StackSettings, unique: str
) -> None:
    topic, database = f"kafka-engine-{unique}-feedback", f"kafka_engine_{unique}"
    kafka = admin(stack)
    kafka.create_topics([NewTopic(topic, 1, 1)])[topic].result(timeout=30)
    server = Client(host=stack.host, port=stack.ports.clickhouse_tcp, send_receive_timeout=30)
    server.execute(f"CREATE DATABASE {database}")
    # The flat columns would parse; `metrics` (an object in every Feedback) cannot.
    server.execute(
        f"CREATE TABLE {database}.feedback"
        " (event_id String, user_id String, answer_id String, metrics String)"
        f" ENGINE = Kafka SETTINGS kafka_broker_list = '{stack.bootstrap_servers}',"
        f" kafka_topic_list = '{topic}', kafka_group_name = '{database}',"
        " kafka_format = 'JSONEachRow'"
    )
    errors: list[ServerException] = []
    stop = threading.Event()

    def consume() -> None:
        # A direct SELECT consumes the topic; a new group starts at its end, so events are
        # produced while it polls, and it polls again until it has read one.
        reader = Client(host=stack.host, port=stack.ports.clickhouse_tcp, send_receive_timeout=30)
        while not errors and not stop.is_set():
            try:
                reader.execute(f"SELECT * FROM {database}.feedback")  # noqa: S608
            except ServerException as exc:
                errors.append(exc)
        reader.disconnect()

    reader_thread = threading.Thread(target=consume, daemon=True)
    writer = producer(KafkaConnection(bootstrap_servers=stack.bootstrap_servers))
    try:
        reader_thread.start()
        deadline = time.monotonic() + 45
        while not errors and time.monotonic() < deadline:
            send(writer, topic, SAMPLES["feedback"])
            time.sleep(0.5)
    finally:
        stop.set()
        reader_thread.join(timeout=40)
        server.execute(f"DROP DATABASE {database}")
        kafka.delete_topics([topic])[topic].result(timeout=30)
    assert errors, "the Kafka engine read nothing within 45 s"
    assert errors[0].code == CANNOT_PARSE_INPUT
    assert "key metrics" in errors[0].message
