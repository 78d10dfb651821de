"""The analytics tables in ClickHouse: their DDL (clickhouse/schema/*.sql, one table a
file, named after it) applied idempotently, and rows inserted in bounded batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from clickhouse_driver import Client

from clients.settings import ClickHouseConnection
from flows.analytics.rows import ERASURE, Row, Value

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "clickhouse" / "schema"
# Rows per INSERT: one part per insert on the server, so fewer and larger is better, but
# a bound keeps a replay's catch-up from building one huge block in memory.
BATCH_ROWS = 1000


class UnknownTable(ValueError):
    """A table name with no DDL file."""


def table_names(schema_dir: Path = SCHEMA_DIR) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in schema_dir.glob("*.sql")))


def ddl(table: str, schema_dir: Path = SCHEMA_DIR) -> str:
    path = schema_dir / f"{table}.sql"
    if not path.is_file():
        raise UnknownTable(f"no analytics table {table!r}; known: {', '.join(table_names())}")
    return path.read_text()


def client(connection: ClickHouseConnection, timeout_s: float = 10.0) -> Client:
    """A client on `connection.database`; it connects on first use, and again after a failure."""
    return _client(connection, connection.database, timeout_s)


def create_database(connection: ClickHouseConnection, timeout_s: float = 10.0) -> None:
    """Creates `connection.database` if it is missing (a test's own database, a fresh server)."""
    admin = _client(connection, "default", timeout_s)
    try:
        admin.execute(f"CREATE DATABASE IF NOT EXISTS {quote_identifier(connection.database)}")
    finally:
        admin.disconnect()


def _client(connection: ClickHouseConnection, database: str, timeout_s: float) -> Client:
    return Client(
        host=connection.host,
        port=connection.port,
        user=connection.user,
        password=connection.password,
        database=database,
        connect_timeout=timeout_s,
        send_receive_timeout=timeout_s * 3,
    )


def apply_schema(client: Client, schema_dir: Path = SCHEMA_DIR) -> tuple[str, ...]:
    """Creates every table that does not exist yet; returns the table names."""
    tables = table_names(schema_dir)
    for table in tables:
        client.execute(ddl(table, schema_dir))
    return tables


def insert_rows(client: Client, rows: Iterable[Row], batch_rows: int = BATCH_ROWS) -> int:
    """Inserts `rows` grouped by table, at most `batch_rows` per INSERT, and carries out the
    erasures among them after the inserts; returns the rows inserted."""
    by_table: dict[str, list[dict[str, Value]]] = defaultdict(list)
    for row in rows:
        by_table[row.table].append(row.values)
    erasures = by_table.pop(ERASURE, [])
    inserted = 0
    for table, values in by_table.items():
        columns = ", ".join(quote_identifier(name) for name in values[0])
        for start in range(0, len(values), batch_rows):
            chunk = values[start : start + batch_rows]
            client.execute(f"INSERT INTO {quote_identifier(table)} ({columns}) VALUES", chunk)
            inserted += len(chunk)
    for erasure in erasures:
        erase_learner(client, str(erasure["user_id"]))
    return inserted


def learner_tables(schema_dir: Path = SCHEMA_DIR) -> tuple[str, ...]:
    """The tables with a row per learner's something (a `user_id` column)."""
    return tuple(t for t in table_names(schema_dir) if "user_id String" in ddl(t, schema_dir))


def erase_learner(client: Client, user_id: str) -> None:
    """Deletes every row of the learner (a mutation: ClickHouse applies it shortly after)."""
    for table in learner_tables():
        client.execute(
            f"ALTER TABLE {quote_identifier(table)} DELETE WHERE user_id = %(user_id)s",
            {"user_id": user_id},
        )


def learner_rows(client: Client, user_id: str) -> dict[str, int]:
    """How many rows each learner table still holds of the learner."""
    return {
        table: client.execute(
            f"SELECT count() FROM {quote_identifier(table)} WHERE user_id = %(user_id)s",  # noqa: S608 - our own table names
            {"user_id": user_id},
        )[0][0]
        for table in learner_tables()
    }


def quote_identifier(name: str) -> str:
    """A backquoted identifier, for names that come from settings."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"
