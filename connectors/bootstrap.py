"""What the product needs before its processes start: the read-model tables, the seeded
question bank, and the Kafka Connect connectors (registered over REST). Idempotent; run by
`speech-coach stack up --apps` natively and `speech-coach connectors apply` in compose."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from clients.connect import apply_connector
from flows.readmodels.connector import apply_tables, sink_config, sink_name
from questionbank.connector import source_config, source_name
from questionbank.load import load_questions
from questionbank.seed import read_seed


def prepare(
    postgres_dsn: str, connect_url: str, report: Callable[[str], None], namespace: str = ""
) -> None:
    with psycopg.connect(postgres_dsn, autocommit=True, connect_timeout=10) as conn:
        apply_tables(conn)
        loaded = load_questions(conn, read_seed())
    present = len(loaded.kept) + len(loaded.differing)
    report(f"question bank: {len(loaded.inserted)} questions inserted, {present} already there")
    for name, config in (
        (source_name(namespace), source_config(postgres_dsn, namespace)),
        (sink_name(namespace), sink_config(postgres_dsn, namespace)),
    ):
        apply_connector(connect_url, name, config)
        report(f"connector {name}: running")
