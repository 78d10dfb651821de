"""Erasure flow (Quix Streams): erasure requests → each carried out → `erasures` topic.

For each `erasure_requested` user event (from the bot's /forget or `speech-coach forget`),
the flow waits for the other flows to erase, checks and remedies every store (process.py),
and emits an ErasureCompleted event, which the bot tells the learner and the command prints.
Requests are rare and each takes seconds to minutes (compaction runs on its own clock), so
one process handles them in turn.
"""

from __future__ import annotations

from functools import partial

from pydantic import Field
from quixstreams import Application, message_context

from clients.settings import ClickHouseConnection, PostgresConnection
from flows.common.quix_io import application, read_events, run_app, write_records
from flows.common.records import DEAD_LETTERS, Record, event_record
from flows.common.settings import FlowSettings
from flows.erasure.process import LearnerStores, Pacing, carry_out
from flows.erasure.stores import Position, Stores
from schemas.events import ErasureCompleted, Event, UserEvent
from schemas.topics import topic_for

NAME = "erasure"


class ErasureSettings(FlowSettings):
    postgres: PostgresConnection = PostgresConnection()
    clickhouse: ClickHouseConnection = ClickHouseConnection()
    erasure_timeout_s: float = Field(
        default=600.0, gt=0, description="Then the erasure reports what is left."
    )
    erasure_check_every_s: float = Field(default=2.0, gt=0)
    erasure_flows: tuple[str, ...] = Field(
        default=("readmodels", "analytics", "retention"),
        description="The flows with stores of their own, each of which must have handled "
        "the request before the stores are checked.",
    )


def carried_out(stores: LearnerStores, pacing: Pacing, namespace: str, event: UserEvent) -> Record:
    context = message_context()
    at = Position(context.partition, context.offset)
    return event_record(carry_out(event, at, stores, pacing), namespace)


def _is_request(item: Event | Record) -> bool:
    return isinstance(item, UserEvent) and item.kind == "erasure_requested"


def build(settings: ErasureSettings, stores: LearnerStores) -> Application:
    pacing = Pacing(
        timeout_s=settings.erasure_timeout_s, check_every_s=settings.erasure_check_every_s
    )
    # A request holds the poll loop for as long as it takes.
    app = application(settings, NAME, max_poll_interval_s=pacing.timeout_s + 300)
    ns = settings.topic_namespace
    events = read_events(app, settings, UserEvent)
    write_records(app, events.filter(lambda item: isinstance(item, Record)), [ns + DEAD_LETTERS])
    done = events.filter(_is_request).apply(partial(carried_out, stores, pacing, ns))
    write_records(app, done, [topic_for(ErasureCompleted.EVENT_TYPE, ns)])
    return app


def main() -> None:
    """Entry point of `speech-coach flow erasure`: settings from the environment."""
    settings = ErasureSettings()
    stores = Stores(
        kafka=settings.kafka, namespace=settings.topic_namespace, s3=settings.s3,
        postgres=settings.postgres, clickhouse=settings.clickhouse, flows=settings.erasure_flows,
    )  # fmt: skip
    try:
        run_app(build(settings, stores))
    finally:
        stores.close()
