"""Every research query gives the same rows on ClickHouse 18.16 (the stack's server, loaded
through the flow's own insert path) and on current ClickHouse (chdb), from the same DDL
files and the same rows, each inserted twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping

import pytest
from clickhouse_driver import Client

from clients.settings import ClickHouseConnection
from flows.analytics.queries import Param, load, query_names, render
from flows.analytics.tables import apply_schema, client, create_database, insert_rows
from stack.settings import StackSettings
from tests.clickhouse import dataset
from tests.clickhouse.dataset import QUERY_CASES
from tests.clickhouse.engines import Chdb, server_query

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def loaded_server(stack: StackSettings) -> Iterator[Client]:
    connection = ClickHouseConnection(
        host=stack.host,
        port=stack.ports.clickhouse_tcp,
        database=f"parity_{uuid.uuid4().hex[:10]}",
    )
    create_database(connection)
    server = client(connection)
    apply_schema(server)
    rows = dataset.rows()
    insert_rows(server, rows)
    insert_rows(server, rows)
    yield server
    server.execute(f"DROP DATABASE {connection.database}")
    server.disconnect()


def test_every_query_has_a_case() -> None:
    assert {name for name, _ in QUERY_CASES} == set(query_names())


@pytest.mark.parametrize(("name", "params"), QUERY_CASES, ids=[f"{n}{p}" for n, p in QUERY_CASES])
def test_a_query_gives_the_same_rows_on_both_engines(
    loaded_server: Client, loaded_chdb: Chdb, name: str, params: Mapping[str, Param]
) -> None:
    sql = render(load(name), params)
    on_server = server_query(loaded_server, sql)
    assert on_server, f"{name} found nothing: the comparison would prove nothing"
    assert on_server == loaded_chdb.query(sql)


def test_final_collapses_duplicates_on_both_engines(
    loaded_server: Client, loaded_chdb: Chdb
) -> None:
    expected = dataset.expected_counts()
    for table, count in expected.items():
        sql = f"SELECT count() FROM {table} FINAL"  # noqa: S608 - our own table names
        assert server_query(loaded_server, sql) == [(count,)], table
        assert loaded_chdb.query(sql) == [(count,)], table
