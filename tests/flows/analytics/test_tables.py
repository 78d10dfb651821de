"""The analytics tables on the stack's ClickHouse 18.16: the DDL applies twice without
harm, inserts are bounded batches, duplicates collapse, and the newest version wins."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from clickhouse_driver import Client

from clients.settings import ClickHouseConnection
from flows.analytics.queries import render
from flows.analytics.rows import event_rows
from flows.analytics.tables import (
    UnknownTable,
    apply_schema,
    client,
    create_database,
    ddl,
    insert_rows,
    table_names,
)
from schemas.events import Event, Feedback, RubricScores
from stack.settings import StackSettings
from tests.clickhouse import dataset

pytestmark = pytest.mark.stack


@pytest.fixture
def connection(stack: StackSettings) -> Iterator[ClickHouseConnection]:
    connection = ClickHouseConnection(
        host=stack.host,
        port=stack.ports.clickhouse_tcp,
        database=f"tables_{uuid.uuid4().hex[:10]}",
    )
    yield connection
    admin = Client(host=stack.host, port=stack.ports.clickhouse_tcp)
    admin.execute(f"DROP DATABASE IF EXISTS {connection.database}")
    admin.disconnect()


class CountingClient:
    """The real client, counting the INSERTs that reach the server."""

    def __init__(self, inner: Client) -> None:
        self.inner = inner
        self.inserts: list[int] = []

    def execute(self, query: str, params: Any = None) -> Any:
        if query.startswith("INSERT"):
            self.inserts.append(len(params))
        return self.inner.execute(query, params)


def test_schema_applies_twice_and_creates_every_table(connection: ClickHouseConnection) -> None:
    create_database(connection)
    create_database(connection)
    server = client(connection)
    assert apply_schema(server) == table_names()
    assert apply_schema(server) == table_names()
    found = server.execute(
        "SELECT name, engine FROM system.tables WHERE database = %(db)s ORDER BY name",
        {"db": connection.database},
    )
    assert found == [(name, "ReplacingMergeTree") for name in sorted(table_names())]


def test_an_unknown_table_is_a_typed_error() -> None:
    with pytest.raises(UnknownTable, match="no analytics table 'nope'"):
        ddl("nope")


def test_inserts_are_batches_of_at_most_the_bound(connection: ClickHouseConnection) -> None:
    create_database(connection)
    server = client(connection)
    apply_schema(server)
    rows = [row for row in dataset.rows() if row.table == "word_counts"]
    counting = CountingClient(server)
    assert insert_rows(counting, rows, batch_rows=7) == len(rows)
    full, rest = divmod(len(rows), 7)
    assert counting.inserts == [7] * full + ([rest] if rest else [])
    assert server.execute("SELECT count() FROM word_counts") == [(len(rows),)]


def test_duplicates_collapse_and_the_newest_version_wins(
    connection: ClickHouseConnection,
) -> None:
    create_database(connection)
    server = client(connection)
    apply_schema(server)
    [first] = [e for e in dataset.events() if isinstance(e, Feedback) and e.answer_id == "a01"]
    regraded: Event = first.model_copy(
        update={
            "occurred_at": first.occurred_at + timedelta(milliseconds=1),
            "scores": RubricScores(delivery=4, language_use=4, topic_development=4, overall=4),
        }
    )
    for event in (first, regraded, first, first):  # the older one arrives last, twice
        insert_rows(server, event_rows(event))
    query = "SELECT answer_id, overall FROM answers"
    assert server.execute(f"{query} FINAL") == [("a01", 4.0)]
    server.execute("OPTIMIZE TABLE answers FINAL")
    assert server.execute(query) == [("a01", 4.0)]


def test_a_rendered_parameter_is_one_value_on_18_16(stack: StackSettings) -> None:
    server = Client(host=stack.host, port=stack.ports.clickhouse_tcp)
    hostile = "x' UNION ALL SELECT 'y\\"
    sql = render("SELECT {u:String} AS u", {"u": hostile})
    assert server.execute(sql) == [(hostile,)]
    server.disconnect()
