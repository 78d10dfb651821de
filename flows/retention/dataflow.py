"""Retention flow (Quix Streams): user events and answer outcomes → storage actions.

Reads each learner's consent choices and finished answers (policy.py) and carries out the
deletions and moves in the object store; every action is idempotent, so a redelivered
event only repeats one. A background thread runs the expiry sweep (sweep.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from pydantic import Field
from quixstreams import Application

from clients.keyring import Keyring
from clients.objectstore import ObjectStore
from flows.common.quix_io import application, fold, read_events, run_app, write_records
from flows.common.records import DEAD_LETTERS
from flows.common.settings import FlowSettings
from flows.retention.policy import Action, Delete, DeletePrefix, Move, Recordings
from flows.retention.step import LOGIC
from flows.retention.sweep import sweep

log = logging.getLogger(__name__)

NAME = "retention"


class RetentionSettings(FlowSettings):
    sweep_interval_s: float = Field(default=3600.0, gt=0, description="Between two sweeps.")
    sweep_max_age_s: float = Field(
        default=86400.0, gt=0, description="Age past which uploads and WAVs are leftovers."
    )


def carry_out(store: ObjectStore, action: Action) -> None:
    match action:
        case Delete(key=key):
            store.delete(key)
        case DeletePrefix(prefix=prefix):
            count = store.delete_prefix(prefix)
            log.info("deleted %d objects under %s", count, prefix)
        case Move(key=key, to=to):
            store.move(key, to)


def build(settings: RetentionSettings, store: ObjectStore) -> Application:
    app = application(settings, NAME, commit_interval_s=1.0)
    # Feedback is sealed; the learner's choice about recordings is not personal text.
    keyring = Keyring(settings.kafka, settings.topic_namespace)
    events = read_events(app, settings, *LOGIC.inputs, keyring=keyring)

    # Actions are carried out before the step's state and offsets are committed: a crash
    # in between repeats them, which idempotent actions allow.
    def act(action: Action) -> None:
        carry_out(store, action)

    step = fold(LOGIC, "Recordings", Recordings.to_json, Recordings.from_json, act)
    dead_letters = events.apply(step, stateful=True, expand=True)
    write_records(app, dead_letters, [settings.topic_namespace + DEAD_LETTERS])
    return app


def _sweeping(settings: RetentionSettings, store: ObjectStore, stop: threading.Event) -> None:
    while not stop.wait(settings.sweep_interval_s):
        age = timedelta(seconds=settings.sweep_max_age_s)
        deleted = sweep(store, age, datetime.now(UTC))
        log.info("expiry sweep: %d leftovers deleted", len(deleted))


def main() -> None:
    """Entry point of `speech-coach flow retention`: settings from the environment."""
    settings = RetentionSettings()
    store = ObjectStore(settings.s3, timeout_s=30)
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweeping, args=(settings, store, stop), daemon=True)
    sweeper.start()
    try:
        run_app(build(settings, store))
    finally:
        stop.set()
