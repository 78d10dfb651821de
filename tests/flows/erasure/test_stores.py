"""The erasure flow's stores on the real stack, before the flows made their tables: a table
that does not exist yet holds nothing of anyone, and says so rather than failing."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from clients.settings import ClickHouseConnection, KafkaConnection, PostgresConnection
from flows.erasure.stores import Stores
from stack.services.s3 import connection as s3_connection
from stack.settings import StackSettings
from tests.pipeline import create_topics

pytestmark = pytest.mark.stack


def test_stores_not_made_yet_hold_nothing(stack: StackSettings, unique: str) -> None:
    namespace = f"st{unique}-"
    create_topics(stack, namespace)
    empty = f"empty_{unique}"
    with psycopg.connect(stack.postgres_dsn, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(empty)))
    stores = Stores(
        kafka=KafkaConnection(bootstrap_servers=stack.bootstrap_servers),
        namespace=namespace,
        s3=s3_connection(stack),
        postgres=PostgresConnection(dsn=make_conninfo(stack.postgres_dsn, dbname=empty)),
        clickhouse=ClickHouseConnection(
            host=stack.host, port=stack.ports.clickhouse_tcp, database=f"none_{unique}"
        ),
        flows=("readmodels",),
    )
    try:
        user = f"nobody-{unique}"
        assert stores.read_model_rows(user) == []
        assert stores.analytics_rows(user) == []
        assert stores.objects(user) == []
        assert stores.keys(user) == []
        assert stores.topic_rows(user) == []
    finally:
        stores.close()
        with psycopg.connect(stack.postgres_dsn, autocommit=True) as server:
            server.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(empty)))
