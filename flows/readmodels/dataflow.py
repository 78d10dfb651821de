"""Read-models flow (Quix Streams): events → rm_* topics → (JDBC sink) → Postgres."""

from __future__ import annotations

from functools import partial

from quixstreams import Application

from clients.keyring import Keyring, keys_topic
from flows.common.quix_io import application, fold, read_events, run_app, write_records
from flows.common.records import DEAD_LETTERS, Record
from flows.common.settings import FlowSettings
from flows.readmodels.connect_json import encode_struct
from flows.readmodels.project import TABLES, Change, DropSeed, LearnerView, RowChange, ShredKey
from flows.readmodels.seed import Seeds, seed_topic
from flows.readmodels.step import LOGIC

NAME = "readmodels"
STATE_KEY = "LearnerView"


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


def change_record(namespace: str, change: Change) -> Record:
    """A row change on its table's topic; a seed to drop or a key to shred, as a tombstone
    on the seed or keys topic."""
    match change:
        case RowChange():
            return row_record(namespace, change)
        case DropSeed(user_id=user):
            return Record(seed_topic(namespace), user.encode(), None)
        case ShredKey(user_id=user):
            return Record(keys_topic(namespace), user.encode(), None)


def build(settings: ReadModelSettings) -> Application:
    app = application(settings, NAME)
    ns = settings.topic_namespace
    keyring = Keyring(settings.kafka, ns)
    seeds = Seeds(settings.kafka, ns)
    events = read_events(app, settings, *LOGIC.inputs, keyring=keyring)
    step = fold(
        LOGIC, STATE_KEY, LearnerView.model_dump_json, LearnerView.model_validate_json,
        partial(change_record, ns), keyring=keyring, seed=seeds.get,
    )  # fmt: skip
    rows = events.apply(step, stateful=True, expand=True)
    topics = [ns + table for table in TABLES] + [seed_topic(ns), keys_topic(ns), ns + DEAD_LETTERS]
    write_records(app, rows, topics)
    return app


def main() -> None:
    """Entry point of `speech-coach flow readmodels`: settings from the environment."""
    run_app(build(ReadModelSettings()))
