"""The JDBC sink that writes the rm_* topics into Postgres, and the tables it writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from clients.connect import database_variables, load_connector_config

CONNECTORS = Path(__file__).resolve().parent.parent.parent / "connectors"
SINK_FILE = CONNECTORS / "readmodels-sink.json"
TABLES_FILE = CONNECTORS / "readmodels.sql"


def sink_name(namespace: str = "") -> str:
    return f"{namespace}readmodels-sink"


def sink_config(postgres_dsn: str, namespace: str = "") -> dict[str, str]:
    variables = {**database_variables(postgres_dsn), "TOPIC_NAMESPACE": namespace}
    return load_connector_config(SINK_FILE, variables)


def apply_tables(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
    """Creates the read-model tables if missing (the sink only writes rows)."""
    conn.execute(TABLES_FILE.read_text(encoding="utf-8").encode())
