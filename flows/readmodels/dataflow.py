"""Read-models flow (Quix Streams): events → rm_* topics → (JDBC sink) → Postgres."""

from __future__ import annotations

from collections.abc import Callable

from quixstreams import Application

from flows.common.quix_io import application, fold, read_events, write_records
from flows.common.records import DEAD_LETTERS, Record
from flows.common.settings import FlowSettings
from flows.readmodels.connect_json import encode_struct
from flows.readmodels.project import TABLES, LearnerView, RowChange, project
from schemas.events import (
    CreditEvent,
    Event,
    Feedback,
    Progress,
    QuestionAsked,
    UserEvent,
    WordStats,
)

NAME = "readmodels"
INPUTS = (UserEvent, QuestionAsked, Feedback, CreditEvent, Progress, WordStats)


class ReadModelSettings(FlowSettings):
    pass


def row_record(namespace: str, change: RowChange) -> Record:
    keys, columns = TABLES[change.table]
    key_columns = {k: columns[k] for k in keys}
    key = encode_struct(f"{change.table}.Key", key_columns, change.key)
    value = (
        None if change.row is None else encode_struct(f"{change.table}.Value", columns, change.row)
    )
    return Record(namespace + change.table, key, value)


def _step(namespace: str) -> Callable[[LearnerView, Event], tuple[LearnerView, list[Record]]]:
    def step(view: LearnerView, event: Event) -> tuple[LearnerView, list[Record]]:
        view, changes = project(view, event)
        return view, [row_record(namespace, change) for change in changes]

    return step


def build(settings: ReadModelSettings) -> Application:
    app = application(settings, NAME)
    events = read_events(app, settings, *INPUTS)
    rows = events.apply(
        fold(LearnerView, _step(settings.topic_namespace)), stateful=True, expand=True
    )
    ns = settings.topic_namespace
    write_records(app, rows, [ns + table for table in TABLES] + [ns + DEAD_LETTERS])
    return app


def main() -> None:
    """Entry point of `speech-coach flow readmodels`: settings from the environment."""
    build(ReadModelSettings()).run()
