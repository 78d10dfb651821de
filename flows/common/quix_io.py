"""Kafka in and out of Quix Streams flows, through the validating serializer.

Values enter as raw bytes and are decoded by `schemas.serde`; what a flow emits is a
`Record` (topic, key, value, headers) routed to its topic, so one dataframe can write events
of several types and dead letters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from quixstreams import Application
from quixstreams.dataframe import StreamingDataFrame
from quixstreams.models import Topic
from quixstreams.models.serializers import SerializationContext, Serializer
from quixstreams.state import State
from typing_extensions import override

from clients.kafka import DELIVERY
from flows.common.heap import settle_heap
from flows.common.logic import Logic
from flows.common.records import Record, dead_letter
from flows.common.settings import FlowSettings
from schemas.events import Event
from schemas.serde import InvalidEvent, deserialize
from schemas.topics import topic_for

log = logging.getLogger(__name__)


class _RecordValue(Serializer):
    @override
    def __call__(self, value: Record, ctx: SerializationContext) -> bytes | None:  # type: ignore[override]
        return value.value


class _RecordKey(Serializer):
    @override
    def __call__(self, value: bytes | None, ctx: SerializationContext) -> bytes | None:  # type: ignore[override]
        return value


def application(settings: FlowSettings, name: str, commit_interval_s: float = 5.0) -> Application:
    """A Quix app of ours; a sink flow commits (and so writes its batches) every interval."""
    return Application(
        commit_interval=commit_interval_s,
        broker_address=settings.kafka.bootstrap_servers,
        consumer_group=f"{settings.topic_namespace}speech-coach-{name}",
        auto_offset_reset="earliest",
        state_dir=settings.state_dir / name / f"process-{settings.process_id}",
        producer_extra_config=dict(DELIVERY),
        consumer_poll_timeout=settings.poll_timeout_s,
        # Topics are declared in redpanda/; only Quix's own changelogs are created by it.
        auto_create_topics=True,
        loglevel="WARNING",
    )


def run_app(app: Application) -> None:
    """Runs the app until stopped."""
    settle_heap()
    app.run()


def read_events(
    app: Application, settings: FlowSettings, *event_classes: type[Event]
) -> StreamingDataFrame:
    """One dataframe over the topics of `event_classes`, values decoded to events.

    An invalid payload becomes a dead-letter Record; flows pass Records through untouched.
    """
    frames = []
    for event_cls in event_classes:
        topic = app.topic(
            topic_for(event_cls.EVENT_TYPE, settings.topic_namespace),
            value_deserializer="bytes",
            key_deserializer="bytes",
        )
        frames.append(app.dataframe(topic).apply(_decoder(event_cls, settings), metadata=True))
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.concat(frame)
    return merged


def _decoder(event_cls: type[Event], settings: FlowSettings) -> Any:
    def decode(value: bytes, key: bytes | None, _timestamp: int, _headers: Any) -> Event | Record:
        try:
            return deserialize(event_cls, value)
        except InvalidEvent as exc:
            log.error("dead-lettering a %s payload: %s", event_cls.EVENT_TYPE, exc)
            return dead_letter(settings.topic_namespace, key, value, event_cls.EVENT_TYPE, exc)

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
    to_json: Callable[[S], Any],
    from_json: Callable[[Any], S],
    emit: Callable[[Out], Record | None],
) -> Callable[[Event | Record, State[str, Any]], list[Record]]:
    """A stateful `apply` running a flow's step: each learner's state lives in the state
    store under `key` as JSON, and what the step emits becomes records (`emit` may carry
    an output out itself and return None); dead letters pass through."""

    def apply(item: Event | Record, state: State[str, Any]) -> list[Record]:
        if isinstance(item, Record):
            return [item]
        raw = state.get(key)
        current, outputs = logic.fold(None if raw is None else from_json(raw), item)
        state.set(key, to_json(current))
        return [record for output in outputs if (record := emit(output)) is not None]

    return apply
