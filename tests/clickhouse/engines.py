"""The same analytics tables on two ClickHouse engines: the real 18.16 server (through the
code under test, clickhouse-driver) and chdb (in-process current ClickHouse), with results
normalized so that the two can be compared value by value."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from chdb import session as chdb_session
from clickhouse_driver import Client

from flows.analytics.rows import Row, Value
from flows.analytics.tables import ddl, quote_identifier, table_names

Normalized = tuple[Any, ...]
# chdb ships no type hints.
_Session: Any = chdb_session.Session


class Chdb:
    """A chdb session with one database holding the analytics tables."""

    def __init__(self, path: Path, database: str) -> None:
        self.session = _Session(str(path))
        self.database = database
        self.session.query(f"CREATE DATABASE IF NOT EXISTS {quote_identifier(database)}")
        self.session.query(f"USE {quote_identifier(database)}")
        # 64-bit integers as JSON numbers, as the native protocol returns them.
        self.session.query("SET output_format_json_quote_64bit_integers = 0")

    def apply_schema(self) -> tuple[str, ...]:
        """The same DDL files as the server, unchanged."""
        tables = table_names()
        for table in tables:
            self.session.query(ddl(table))
        return tables

    def insert(self, rows: Iterable[Row]) -> None:
        by_table: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            by_table[row.table].append(json.dumps({k: _json(v) for k, v in row.values.items()}))
        for table, lines in by_table.items():
            self.session.query(
                f"INSERT INTO {quote_identifier(table)} FORMAT JSONEachRow\n" + "\n".join(lines)
            )

    def query(self, sql: str) -> list[Normalized]:
        result = self.session.query(sql, "JSONCompact")
        document = json.loads(result.bytes() or b'{"data": []}')
        return [normalize_row(row) for row in document["data"]]

    def close(self) -> None:
        self.session.close()


def server_query(client: Client, sql: str) -> list[Normalized]:
    return [normalize_row(row) for row in client.execute(sql)]


def normalize_row(row: Iterable[Any]) -> Normalized:
    return tuple(normalize(value) for value in row)


def normalize(value: Any) -> Any:
    """One form for both engines: numbers as floats rounded to 6 places, dates and times as
    ClickHouse prints them, arrays as tuples."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return round(float(value), 6)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return tuple(normalize(item) for item in value)
    return value


def _json(value: Value) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value
