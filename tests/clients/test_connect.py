"""The Kafka Connect client: config files with placeholders, and connectors on the real worker."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import psycopg
import pytest

from clients import connect
from clients.connect import (
    ConnectError,
    ConnectorConfigError,
    ConnectorFailed,
    ConnectorInvalid,
    apply_connector,
    connector_status,
    database_variables,
    delete_connector,
    load_connector_config,
    summarize_trace,
)
from questionbank.table import apply_schema
from stack.settings import StackSettings
from tests.questionbank.scratch import scratch_bank


def _write(tmp_path: Path, config: object) -> Path:
    path = tmp_path / "connector.json"
    path.write_text(json.dumps(config))
    return path


def test_placeholders_are_filled_once_and_connect_references_pass_through(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        {
            "database.hostname": "${DATABASE_HOST}",
            "topic.prefix": "${NS}questionbank",
            "database.password": "${file:/secrets/db.properties:password}",
            "table.name.format": "${topic}",
            "plain": "no placeholder",
        },
    )
    config = load_connector_config(path, {"DATABASE_HOST": "db", "NS": "${DATABASE_HOST}-"})
    assert config == {
        "database.hostname": "db",
        "topic.prefix": "${DATABASE_HOST}-questionbank",
        "database.password": "${file:/secrets/db.properties:password}",
        "table.name.format": "${topic}",
        "plain": "no placeholder",
    }


def test_an_unfilled_placeholder_is_refused_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, {"a": "${ONE}", "b": "${TWO}/${ONE}", "c": "${THREE}"})
    with pytest.raises(ConnectorConfigError, match=r"no value given for \$\{ONE\}, \$\{TWO\}$"):
        load_connector_config(path, {"THREE": "3"})


@pytest.mark.parametrize("content", ["[1, 2]", '{"tasks.max": 1}', "{not json"])
def test_a_file_that_is_not_an_object_of_strings_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "connector.json"
    path.write_text(content)
    with pytest.raises(ConnectorConfigError, match=r"connector\.json"):
        load_connector_config(path, {})


def test_database_variables_come_from_the_dsn() -> None:
    assert database_variables("postgresql://bank:s3cret@db.internal:6543/speech") == {
        "DATABASE_HOST": "db.internal",
        "DATABASE_PORT": "6543",
        "DATABASE_USER": "bank",
        "DATABASE_PASSWORD": "s3cret",
        "DATABASE_NAME": "speech",
    }
    assert database_variables("host=db dbname=speech")["DATABASE_PORT"] == "5432"
    with pytest.raises(ValueError, match="TCP host"):
        database_variables("dbname=speech host=/var/run/postgresql")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectorConfigError, match=r"absent\.json"):
        load_connector_config(tmp_path / "absent.json", {})


def test_a_trace_is_summarized_to_its_causes() -> None:
    trace = (
        "org.apache.kafka.connect.errors.ConnectException: Unable to create publication\n"
        "\tat io.debezium.X.y(X.java:535)\n"
        "Caused by: io.debezium.DebeziumException: No table filters found\n"
        "\t... 16 more\n"
    )
    assert summarize_trace(trace) == (
        "org.apache.kafka.connect.errors.ConnectException: Unable to create publication"
        " <- Caused by: io.debezium.DebeziumException: No table filters found"
    )


class _Conflicts(BaseHTTPRequestHandler):
    """Answers 409 to the first `conflicts` DELETEs, as Connect does while rebalancing."""

    conflicts = 0
    seen = 0

    def do_DELETE(self) -> None:
        type(self).seen += 1
        code = 409 if type(self).seen <= type(self).conflicts else 204
        self.send_response(code)
        body = json.dumps({"error_code": 409, "message": "rebalance in progress"}).encode()
        self.send_header("Content-Length", str(len(body) if code == 409 else 0))
        self.end_headers()
        if code == 409:
            self.wfile.write(body)

    def do_GET(self) -> None:
        # The status of the deleted connector: gone.
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def conflicting() -> Iterator[tuple[str, type[_Conflicts]]]:
    handler = type("Handler", (_Conflicts,), {"conflicts": 0, "seen": 0})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()
    server.server_close()


def test_a_rebalance_conflict_is_retried(
    conflicting: tuple[str, type[_Conflicts]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = conflicting
    monkeypatch.setattr(connect, "POLL_S", 0.01)
    handler.conflicts = 3
    assert delete_connector(url, "c") is True
    assert handler.seen == 4


def test_a_conflict_that_does_not_pass_fails_within_the_bound(
    conflicting: tuple[str, type[_Conflicts]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = conflicting
    monkeypatch.setattr(connect, "POLL_S", 0.01)
    monkeypatch.setattr(connect, "CONFLICT_RETRY_S", 0.3)
    handler.conflicts = 10_000
    with pytest.raises(ConnectError, match="HTTP 409: rebalance in progress"):
        delete_connector(url, "c")


def test_an_unreachable_worker_is_a_connect_error() -> None:
    with pytest.raises(ConnectError, match="not answering"):
        connector_status("http://127.0.0.1:1", "c")


# --------------------------------------------------------------- on the real worker


@pytest.mark.stack
def test_applying_the_same_config_twice_keeps_one_running_connector(stack: StackSettings) -> None:
    with scratch_bank(stack) as bank:
        with psycopg.connect(bank.dsn, autocommit=True) as db:
            apply_schema(db)
        first = apply_connector(stack.connect_url, bank.connector, bank.config())
        again = apply_connector(stack.connect_url, bank.connector, bank.config())
        assert first.running
        assert again.running
        assert [t.id for t in again.tasks] == [0]
        url = f"{stack.connect_url}/connectors"
        with urllib.request.urlopen(url, timeout=10) as rsp:  # noqa: S310 - our http:// URL
            assert json.load(rsp).count(bank.connector) == 1
        assert delete_connector(stack.connect_url, bank.connector) is True
        assert connector_status(stack.connect_url, bank.connector) is None
        assert delete_connector(stack.connect_url, bank.connector) is False


@pytest.mark.stack
def test_a_wrong_password_is_refused_before_anything_is_stored(stack: StackSettings) -> None:
    with scratch_bank(stack) as bank:
        config = {**bank.config(), "database.password": "wrong"}
        with pytest.raises(ConnectorInvalid, match="password authentication failed") as caught:
            apply_connector(stack.connect_url, bank.connector, config)
        assert "database.hostname" in caught.value.errors
        assert connector_status(stack.connect_url, bank.connector) is None


@pytest.mark.stack
def test_a_failed_task_is_reported_with_its_cause_and_recovers_on_reapply(
    stack: StackSettings,
) -> None:
    with scratch_bank(stack) as bank:
        # No table yet: Debezium cannot create the filtered publication and the task fails.
        with pytest.raises(ConnectorFailed, match="No table filters found") as caught:
            apply_connector(stack.connect_url, bank.connector, bank.config(), timeout_s=30)
        [(what, trace)] = caught.value.status.failures()
        assert what == "task 0"
        assert "DebeziumException" in trace

        with psycopg.connect(bank.dsn, autocommit=True) as db:
            apply_schema(db)
        status = apply_connector(stack.connect_url, bank.connector, bank.config(), timeout_s=30)
        assert status.running
