"""Analytics flow (Quix Streams): learner-loop events and the question bank → ClickHouse.

A sink with batched inserts rather than ClickHouse's Kafka engine: 18.16's engine cannot
read our nested JSON events (clickhouse/README.md has the experiment). Rows are buffered
per topic partition and inserted when Quix commits its checkpoint, before the offsets are
committed: at-least-once, and the ReplacingMergeTree tables collapse what is repeated.
"""

from __future__ import annotations

import logging
from typing import Any

from clickhouse_driver import Client
from clickhouse_driver.errors import NetworkError, SocketTimeoutError
from quixstreams import Application
from quixstreams.dataframe import StreamingDataFrame
from quixstreams.sinks import BatchingSink, SinkBackpressureError, SinkBatch
from quixstreams.state import State
from typing_extensions import override

from clients.keyring import Keyring
from clients.settings import ClickHouseConnection
from flows.analytics.rows import Row, question_row, rows_unless_erased
from flows.analytics.tables import apply_schema, client, create_database, insert_rows
from flows.common.quix_io import application, read_events, run_app, write_records
from flows.common.records import DEAD_LETTERS, Record
from flows.common.settings import FlowSettings
from questionbank.connector import cdc_topic
from questionbank.envelope import InvalidChange, QuestionUpserted, parse_change
from schemas.events import (
    AnswerSubmitted,
    Event,
    Feedback,
    Progress,
    QuestionAsked,
    Rejected,
    UserEvent,
    WordStats,
)

log = logging.getLogger(__name__)

NAME = "analytics"
# User events: an erasure request deletes every row of the learner.
INPUTS = (Feedback, Progress, WordStats, QuestionAsked, AnswerSubmitted, Rejected, UserEvent)
# Per learner, in the flow's state: erased and not come back since.
ERASED = "erased"
# How long Quix pauses the partitions when ClickHouse is unreachable, before trying again.
RETRY_AFTER_S = 5.0


class AnalyticsSettings(FlowSettings):
    clickhouse: ClickHouseConnection = ClickHouseConnection()


class ClickHouseSink(BatchingSink):
    """Inserts the Rows of a checkpoint, grouped by table, in bounded INSERTs."""

    def __init__(self, connection: ClickHouseConnection) -> None:
        super().__init__()
        self._connection = connection
        self._client: Client = client(connection)

    @override
    def setup(self) -> None:
        create_database(self._connection)
        tables = apply_schema(self._client)
        log.info("analytics tables ready in %s: %s", self._connection.database, tables)

    @override
    def write(self, batch: SinkBatch) -> None:
        try:
            inserted = insert_rows(self._client, (item.value for item in batch))
        except (NetworkError, SocketTimeoutError, EOFError, OSError) as exc:
            # The batch is dropped and its offsets stay uncommitted: Quix pauses, then
            # consumes them again; rows already inserted collapse with their repeats.
            log.warning("ClickHouse unavailable, retrying in %.0fs: %s", RETRY_AFTER_S, exc)
            raise SinkBackpressureError(retry_after=RETRY_AFTER_S) from exc
        log.debug("%s[%s]: %d rows", batch.topic, batch.partition, inserted)


def _is_record(item: Event | Record) -> bool:
    return isinstance(item, Record)


def _is_event(item: Event | Record) -> bool:
    return not isinstance(item, Record)


def _question_rows(value: bytes | None, key: bytes | None, timestamp: int, _: Any) -> list[Row]:
    """The row of a question bank change; removals keep the last row (past answers keep
    their category), and an unreadable change is skipped as the bank's catalog skips it."""
    try:
        change = parse_change(key, value)
    except InvalidChange as exc:
        log.warning("question bank change skipped: %s", exc)
        return []
    if isinstance(change, QuestionUpserted):
        return [question_row(change.question, timestamp)]
    return []


def _questions(app: Application, namespace: str) -> StreamingDataFrame:
    topic = app.topic(
        cdc_topic(namespace).name, value_deserializer="bytes", key_deserializer="bytes"
    )
    return app.dataframe(topic).apply(_question_rows, metadata=True, expand=True)


def _learner_rows(event: Event, state: State[str, Any]) -> list[Row]:
    erased, rows = rows_unless_erased(bool(state.get(ERASED, False)), event)
    state.set(ERASED, erased)
    return rows


def build(settings: AnalyticsSettings) -> Application:
    # Quix writes a sink's batch at each commit: once a second keeps ClickHouse fresh.
    app = application(settings, NAME, commit_interval_s=1.0)
    ns = settings.topic_namespace
    keyring = Keyring(settings.kafka, ns)
    events = read_events(app, settings, *INPUTS, keyring=keyring)
    write_records(app, events.filter(_is_record), [ns + DEAD_LETTERS])
    rows = events.filter(_is_event).apply(_learner_rows, stateful=True, expand=True)
    rows.concat(_questions(app, ns)).sink(ClickHouseSink(settings.clickhouse))
    return app


def main() -> None:
    """Entry point of `speech-coach flow analytics`: settings from the environment."""
    run_app(build(AnalyticsSettings()))
