"""Kafka in and out of Quix Streams flows, through the validating serializer.

Values enter as raw bytes and are decoded by `schemas.serde`; what a flow emits is a
`Record` (topic, key, value, headers) routed to its topic, so one dataframe can write events
of several types and dead letters.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from quixstreams import Application
from quixstreams.dataframe import StreamingDataFrame
from quixstreams.models import Topic
from quixstreams.models.serializers import SerializationContext, Serializer
from quixstreams.state import State
from typing_extensions import override

from clients.kafka import DELIVERY
from clients.keyring import Keyring, read_event
from flows.common.heap import settle_heap
from flows.common.logic import Logic
from flows.common.records import Record, dead_letter
from flows.common.settings import FlowSettings
from flows.common.state_cache import StateCache
from schemas.events import Event
from schemas.serde import InvalidEvent
from schemas.topics import topic_for

log = logging.getLogger(__name__)

SESSION_TIMEOUT_MS = 10_000
CLOSE_BOUND_S = 30.0


class _RecordValue(Serializer):
    @override
    def __call__(self, value: Record, ctx: SerializationContext) -> bytes | None:  # type: ignore[override]
        return value.value


class _RecordKey(Serializer):
    @override
    def __call__(self, value: bytes | None, ctx: SerializationContext) -> bytes | None:  # type: ignore[override]
        return value


def application(
    settings: FlowSettings,
    name: str,
    commit_interval_s: float = 5.0,
    max_poll_interval_s: float | None = None,
) -> Application:
    """A Quix app of ours; a sink flow commits (and so writes its batches) every interval. A
    flow whose step may take longer than Kafka's 5 minutes between polls says so."""
    consumer: dict[str, Any] = {
        # A killed process's partitions wait this long for the group to notice (45 s by
        # default); the client heartbeats from its own thread, so a busy step is no risk.
        "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": SESSION_TIMEOUT_MS // 3,
    }
    if max_poll_interval_s is not None:
        consumer["max.poll.interval.ms"] = int(max_poll_interval_s * 1000)
    return Application(
        commit_interval=commit_interval_s,
        broker_address=settings.kafka.bootstrap_servers,
        consumer_group=f"{settings.topic_namespace}speech-coach-{name}",
        auto_offset_reset="earliest",
        state_dir=settings.state_dir / name / f"process-{settings.process_id}",
        producer_extra_config=dict(DELIVERY),
        consumer_extra_config=consumer,
        consumer_poll_timeout=settings.poll_timeout_s,
        on_consumer_error=stop_within(CLOSE_BOUND_S),
        # Topics are declared in redpanda/; only Quix's own changelogs are created by it.
        auto_create_topics=True,
        loglevel="WARNING",
    )


def stop_within(bound_s: float) -> Callable[[Exception, Any, logging.Logger], bool]:
    """Quix's consumer-error callback: the error stops the flow as before (not suppressed),
    and should stopping take longer than `bound_s` the process exits, so its supervisor
    starts a fresh one. Closing the consumer hung for over ten minutes after a broker restart
    (confluent-kafka's consume() "returned NULL without setting an exception"), the process
    still RUNNING and the flow silently stopped (docs/faults.md)."""

    def on_error(exc: Exception, _message: Any, logger: logging.Logger) -> bool:
        logger.error("consumer error, the flow stops: %r", exc)
        watchdog = threading.Timer(bound_s, _exit_stuck, args=(bound_s,))
        watchdog.daemon = True
        watchdog.start()
        return False

    return on_error


def _exit_stuck(bound_s: float) -> None:
    log.critical("the flow did not stop within %.0f s of a consumer error: exiting", bound_s)
    logging.shutdown()
    os._exit(1)


def run_app(app: Application) -> None:
    """Runs the app until stopped."""
    settle_heap()
    app.run()


def read_events(
    app: Application,
    settings: FlowSettings,
    *event_classes: type[Event],
    keyring: Keyring | None = None,
) -> StreamingDataFrame:
    """One dataframe over the topics of `event_classes`, values decoded to events (opened
    with `keyring` when sealed; those of erased learners are left out).

    An invalid payload becomes a dead-letter Record; flows pass Records through untouched.
    """
    frames = []
    for event_cls in event_classes:
        topic = app.topic(
            topic_for(event_cls.EVENT_TYPE, settings.topic_namespace),
            value_deserializer="bytes",
            key_deserializer="bytes",
        )
        decode = _decoder(event_cls, settings, keyring)
        frames.append(app.dataframe(topic).apply(decode, metadata=True, expand=True))
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.concat(frame)
    return merged


def _decoder(event_cls: type[Event], settings: FlowSettings, keyring: Keyring | None) -> Any:
    def decode(
        value: bytes, key: bytes | None, _timestamp: int, _headers: Any
    ) -> list[Event | Record]:
        try:
            event = read_event(event_cls, key, value, keyring)
            return [] if event is None else [event]
        except InvalidEvent as exc:
            log.error("dead-lettering a %s payload: %s", event_cls.EVENT_TYPE, exc)
            ns = settings.topic_namespace
            return [dead_letter(ns, key, value, event_cls.EVENT_TYPE, exc)]

    return decode


def write_records(app: Application, frame: StreamingDataFrame, topic_names: list[str]) -> None:
    """Produces each Record value of `frame` to its own topic (one of `topic_names`)."""
    topics: dict[str, Topic] = {
        name: app.topic(name, key_serializer=_RecordKey(), value_serializer=_RecordValue())
        for name in topic_names
    }
    frame = frame.set_headers(lambda record, _k, _t, _h: list(record.headers))
    frame.to_topic(lambda record, _k, _t, _h: topics[record.topic], key=lambda r: r.key)


S = TypeVar("S")
Out = TypeVar("Out")


def fold(
    logic: Logic[S, Out],
    key: str,
    to_json: Callable[[S], str],
    from_json: Callable[[str], S],
    emit: Callable[[Out], Record | None],
    *,
    keyring: Keyring | None = None,
    seed: Callable[[str], str | None] | None = None,
) -> Callable[[Event | Record, State[str, Any]], list[Record]]:
    """A stateful `apply` running a flow's step: each learner's state lives in the state
    store under `key` as JSON text (sealed with their key by `keyring`, so erasing the key
    forgets it), and what the step emits becomes records (`emit` may carry an output out
    itself and return None); dead letters pass through. `seed` gives the state a learner
    starts from when the store has none of theirs (a rebuild's, flows/readmodels/seed.py).
    The states this process wrote are kept parsed while the store holds them
    (flows/common/state_cache.py)."""
    written: StateCache[S] = StateCache(keyring)

    def apply(item: Event | Record, state: State[str, Any]) -> list[Record]:
        if isinstance(item, Record):
            return [item]
        user = item.user_id
        stored = state.get(key)
        if stored is None and seed is not None:
            stored = seed(user)
        current = None
        if stored is not None:
            current = written.get(user, stored)
            if current is None:
                current = _opened(stored, user, logic, from_json, keyring)
        current, outputs = logic.fold(current, item)
        text = to_json(current)
        stored = text if keyring is None else keyring.seal_state(text, user)
        state.set(key, stored)
        written.put(user, stored, current)
        return [record for output in outputs if (record := emit(output)) is not None]

    return apply


def _opened(
    stored: str,
    user: str,
    logic: Logic[S, Any],
    from_json: Callable[[str], S],
    keyring: Keyring | None,
) -> S:
    """The learner's state as stored; `logic.forget()` when it is sealed with a shredded key."""
    opened = stored if keyring is None else keyring.open_state(stored, user)
    return logic.forget() if opened is None else from_json(opened)
