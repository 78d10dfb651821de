"""`speech-coach export`: every analytics table of the stack's ClickHouse to Parquet and
CSV, read back with pyarrow and the csv module and compared with the server's rows."""

from __future__ import annotations

import csv
import socket
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from clickhouse_driver import Client

from cli.export_cmd import UnsupportedColumn, arrow_type
from cli.main import main
from clients.settings import ClickHouseConnection
from flows.analytics.tables import apply_schema, client, create_database, insert_rows, table_names
from stack.settings import StackSettings
from tests.clickhouse import dataset


@pytest.fixture
def loaded(stack: StackSettings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    connection = ClickHouseConnection(
        host=stack.host,
        port=stack.ports.clickhouse_tcp,
        database=f"export_{uuid.uuid4().hex[:10]}",
    )
    create_database(connection)
    server = client(connection)
    apply_schema(server)
    insert_rows(server, dataset.rows())
    insert_rows(server, dataset.rows())  # duplicates: the export holds each row once
    for name, value in stack.app_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SPEECH_COACH_CLICKHOUSE__DATABASE", connection.database)
    yield server
    server.execute(f"DROP DATABASE {connection.database}")
    server.disconnect()


def _server_rows(server: Client, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    rows, columns = server.execute(f"SELECT * FROM {table} FINAL", with_column_types=True)  # noqa: S608
    return [f"{name}:{type_name}" for name, type_name in columns], sorted(rows, key=repr)


def _parse(text: str, column: str) -> Any:
    """A CSV field back to the value clickhouse-driver returns for its column type."""
    type_name = column.split(":", 1)[1]
    if type_name.startswith("Nullable("):
        if text == "":
            return None
        type_name = type_name[len("Nullable(") : -1]
    if type_name.startswith(("UInt", "Int")):
        return int(text)
    if type_name.startswith("Float"):
        return float(text)
    if type_name.startswith("DateTime"):
        return datetime.fromisoformat(text)
    return text


@pytest.mark.stack
def test_parquet_holds_every_table_as_the_server_does(loaded: Client, tmp_path: Path) -> None:
    assert main(["export", "--format", "parquet", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{t}.parquet" for t in table_names()
    )
    counts = dataset.expected_counts()
    for table in table_names():
        columns, expected = _server_rows(loaded, table)
        exported = pq.read_table(tmp_path / f"{table}.parquet")
        assert exported.column_names == [c.split(":")[0] for c in columns]
        found = sorted((tuple(row.values()) for row in exported.to_pylist()), key=repr)
        assert len(found) == counts[table]
        assert found == expected, table


@pytest.mark.stack
def test_csv_of_chosen_tables_reads_back_as_the_server_rows(loaded: Client, tmp_path: Path) -> None:
    tables = ["answers", "word_counts"]
    assert main(["export", "--format", "csv", "--out", str(tmp_path), "--tables", *tables]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv", "word_counts.csv"]
    for table in tables:
        columns, expected = _server_rows(loaded, table)
        with (tmp_path / f"{table}.csv").open(newline="") as file:
            reader = csv.reader(file)
            assert next(reader) == [c.split(":")[0] for c in columns]
            found = [
                tuple(_parse(text, column) for text, column in zip(line, columns, strict=True))
                for line in reader
            ]
        assert sorted(found, key=repr) == expected, table


def test_an_unreachable_server_fails_with_a_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SPEECH_COACH_CLICKHOUSE__PORT", str(port))
    assert main(["export", "--format", "csv", "--out", str(tmp_path)]) == 1
    assert "export failed" in capsys.readouterr().err


def test_a_column_type_without_an_arrow_type_is_refused() -> None:
    assert str(arrow_type("DateTime('UTC')")) == "timestamp[s, tz=UTC]"
    with pytest.raises(UnsupportedColumn, match="Map"):
        arrow_type("Map(String, UInt64)")
