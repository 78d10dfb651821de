"""Each service of the running stack answers as its clients will use it."""

from __future__ import annotations

import io
import os

import psycopg
import pytest
from clickhouse_driver import Client

from stack import launcher
from stack.services.connect import REQUIRED_PLUGINS, plugin_classes
from stack.services.s3 import client as s3_client
from stack.settings import StackSettings

pytestmark = pytest.mark.stack


def test_connect_lists_the_debezium_postgres_source_and_jdbc_sink(stack: StackSettings) -> None:
    found = plugin_classes(stack)
    for plugin in REQUIRED_PLUGINS:
        assert plugin in found, f"{plugin} not among {sorted(found)}"


def test_postgres_runs_with_logical_wal(stack: StackSettings) -> None:
    with psycopg.connect(stack.postgres_dsn, connect_timeout=5) as conn:
        row = conn.execute("SHOW wal_level").fetchone()
        database = conn.execute("SELECT current_database()").fetchone()
    assert row == ("logical",)
    assert database == (stack.postgres_db,)


def test_clickhouse_answers_through_the_native_driver(stack: StackSettings) -> None:
    client = Client(host=stack.host, port=stack.ports.clickhouse_tcp, connect_timeout=5)
    try:
        [(version, total)] = client.execute("SELECT version(), sum(number) FROM numbers(1001)")
    finally:
        client.disconnect()
    assert total == 500500
    assert version.split(".")[0].isdigit()


def test_s3_round_trips_a_binary_object_byte_identical(stack: StackSettings, unique: str) -> None:
    store = s3_client(stack)
    payload = os.urandom(3 * 1024 * 1024 + 17) + bytes(range(256))
    key = f"tests/{unique}.bin"
    store.put_object(stack.s3_bucket, key, io.BytesIO(payload), len(payload))
    response = store.get_object(stack.s3_bucket, key)
    try:
        assert response.read() == payload
    finally:
        response.close()
        response.release_conn()
    store.remove_object(stack.s3_bucket, key)
    names = [
        o.object_name for o in store.list_objects(stack.s3_bucket, prefix="tests/", recursive=True)
    ]
    assert key not in names
    with pytest.raises(Exception, match=r"NoSuchKey|does not exist"):
        store.stat_object(stack.s3_bucket, key)


def test_s3_object_survives_a_server_restart(stack: StackSettings, unique: str) -> None:
    store = s3_client(stack)
    key = f"tests/{unique}-persist.bin"
    payload = os.urandom(4096)
    store.put_object(stack.s3_bucket, key, io.BytesIO(payload), len(payload))
    before = {s.name: s.pid for s in launcher.status(stack)}

    launcher.restart(stack, "s3", print)

    after = {s.name: s.pid for s in launcher.status(stack)}
    assert after["s3"] != before["s3"], "the S3 server process was not replaced"
    response = store.get_object(stack.s3_bucket, key)
    try:
        assert response.read() == payload
    finally:
        response.close()
        response.release_conn()
    store.remove_object(stack.s3_bucket, key)


def test_status_reports_every_service_healthy(stack: StackSettings) -> None:
    statuses = launcher.status(stack)
    assert [s.name for s in statuses] == [
        "postgres",
        "clickhouse",
        "s3",
        "kafka",
        "connect",
        "grammar",
    ]
    unhealthy = {s.name: s.detail for s in statuses if not s.healthy}
    assert not unhealthy
    assert all(s.pid > 0 and s.state in {"RUNNING", "STARTING"} for s in statuses)
