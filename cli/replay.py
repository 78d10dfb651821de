"""Replay for research: a flow's logic run again over topic history into a new topic.

The replay reads the flow's input topics from a start point up to where they end now,
merges them in timestamp order (each partition's own order kept), folds each learner's
events through the same pure functions the live flow uses, and writes the flow's output
events to a topic of your choosing. Outputs carry event time, so a replay of the same
history reproduces the live outputs exactly.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from clients.kafka import consumer, partition_ends, producer
from clients.settings import KafkaConnection
from flows.common.logic import Logic
from schemas.events import Event
from schemas.serde import InvalidEvent, deserialize, serialize
from schemas.topics import TopicSpec, load_topics, topic_for
from stack.topics import apply_topics


@dataclass(frozen=True)
class ReplayReport:
    flow: str
    to_topic: str
    read: int
    invalid: int
    written: int
    seconds: float

    @property
    def events_per_s(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def _ranges(
    reader: Consumer, topic: str, since: datetime | None
) -> list[tuple[TopicPartition, int]]:
    """(start, end) of every partition with records: from `since` (or the beginning) to
    where it ends now, so the replay is bounded even while the live flows keep writing."""
    ranges = []
    for index, (low, high) in partition_ends(reader, topic).items():
        start = low
        if since is not None:
            millis = int(since.timestamp() * 1000)
            [found] = reader.offsets_for_times([TopicPartition(topic, index, millis)], timeout=10)
            start = found.offset if found.offset >= 0 else high
        if start < high:
            ranges.append((TopicPartition(topic, index, start), high))
    return ranges


def read_history(
    kafka: KafkaConnection, topics: list[tuple[str, type[Event]]], since: datetime | None
) -> Iterator[tuple[int, str, bytes, type[Event]]]:
    """(timestamp, topic, value, type) of each record, merged in timestamp order."""
    reader = consumer(kafka, f"replay-{time.monotonic_ns()}")
    try:
        streams = []
        for topic, event_cls in topics:
            for start, end in _ranges(reader, topic, since):
                streams.append(_partition(reader, start, end, event_cls))
        yield from heapq.merge(*streams, key=lambda item: item[0])
    finally:
        reader.close()


def _partition(
    reader: Consumer, start: TopicPartition, end: int, event_cls: type[Event]
) -> Iterator[tuple[int, str, bytes, type[Event]]]:
    # One partition's records, in offset order, read up to `end` (exclusive).
    reader.assign([start])
    position = start.offset
    records: list[tuple[int, str, bytes, type[Event]]] = []
    while position < end:
        # consume() waits for the whole count or the timeout: ask for no more than remain.
        batch = reader.consume(min(1000, end - position), timeout=10)
        if not batch:
            raise TimeoutError(f"{start.topic}[{start.partition}] stopped at {position} of {end}")
        for message in batch:
            if message.error() or message.offset() >= end:
                continue
            position = message.offset() + 1
            records.append((message.timestamp()[1], message.topic(), message.value(), event_cls))
    reader.unassign()
    return iter(records)


def _ensure_topic(kafka: KafkaConnection, name: str, like: TopicSpec) -> None:
    spec = like.model_copy(update={"name": name})
    apply_topics(
        AdminClient({"bootstrap.servers": kafka.bootstrap_servers}), [spec], lambda _: None
    )


def replay(
    name: str,
    flow: Logic[Any, Any],
    *,
    kafka: KafkaConnection,
    namespace: str,
    since: datetime | None,
    to_topic: str,
    progress: Callable[[int, int], None],
) -> ReplayReport:
    started = time.monotonic()
    # The flow's first output is what it is replayed for (the feedback flow's charges are not).
    output_cls = flow.outputs[0]
    [output_spec] = [s for s in load_topics() if s.event == output_cls.EVENT_TYPE]
    _ensure_topic(kafka, to_topic, output_spec)
    topics = [(topic_for(c.EVENT_TYPE, namespace), c) for c in flow.inputs]
    history = list(read_history(kafka, topics, since))
    states: dict[str, Any] = {}
    writer = producer(kafka)
    read = invalid = written = 0
    for _, _, value, event_cls in history:
        read += 1
        try:
            event = deserialize(event_cls, value)
        except InvalidEvent:
            invalid += 1
            continue
        states[event.user_id], outputs = flow.fold(states.get(event.user_id), event)
        for output in outputs:
            if not isinstance(output, output_cls):
                continue
            writer.produce(to_topic, key=output.key(), value=serialize(output))
            writer.poll(0)
            written += 1
        if read % 1000 == 0:
            progress(read, len(history))
    progress(read, len(history))
    if writer.flush(60) > 0:
        raise RuntimeError(f"replay output to {to_topic} was not acknowledged")
    return ReplayReport(name, to_topic, read, invalid, written, time.monotonic() - started)
