"""Replay for research: a flow's logic run again over topic history into a new topic.

The replay reads the flow's input topics from a start point up to where they end now,
merges them in timestamp order (each partition's own order kept), folds each learner's
events through the same pure functions the live flow uses, and writes the flow's output
events to a topic of your choosing. Outputs carry event time, so a replay of the same
history reproduces the live outputs exactly.

Sealed events are opened with their learner's key and outputs are sealed again, so a
research topic forgets an erased learner like every other; their history is skipped.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from clients.kafka import consumer, partition_ends, producer
from clients.keyring import Keyring, read_event
from clients.settings import KafkaConnection
from flows.common.logic import Logic
from flows.common.records import event_record
from schemas.events import CreditEvent, Event
from schemas.serde import InvalidEvent
from schemas.topics import TopicSpec, load_topics, topic_for
from stack.topics import apply_topics

S = TypeVar("S")
Out = TypeVar("Out")


class LiveTopic(ValueError):
    """The replay was pointed at a topic the live system reads or writes."""


@dataclass(frozen=True)
class ReplayReport:
    flow: str
    to_topic: str
    read: int
    invalid: int
    erased: int  # events of learners erased since, skipped (their key is gone)
    written: int
    seconds: float
    # Paid requests the replay made (charges its flow would have put on the ledger), by
    # engine; a replay charges no learner, and writes no charge anywhere.
    spent: dict[str, int]

    @property
    def events_per_s(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Span:
    """One partition's records to read: offsets [start, end)."""

    topic: str
    partition: int
    start: int
    end: int
    event_cls: type[Event]


def spans(
    kafka: KafkaConnection, topics: list[tuple[str, type[Event]]], since: datetime | None
) -> list[Span]:
    """Every partition of `topics` from `since` (or the beginning) to where it ends now, so
    a read is bounded even while the live flows keep writing."""
    reader = consumer(kafka, f"replay-{time.monotonic_ns()}")
    try:
        found = []
        for topic, event_cls in topics:
            for index, (low, high) in partition_ends(reader, topic).items():
                start = low
                if since is not None:
                    millis = int(since.timestamp() * 1000)
                    [at] = reader.offsets_for_times([TopicPartition(topic, index, millis)], 10)
                    start = at.offset if at.offset >= 0 else high
                found.append(Span(topic, index, min(start, high), high, event_cls))
        return found
    finally:
        reader.close()


def history(
    kafka: KafkaConnection, spans: list[Span]
) -> Iterator[tuple[int, bytes | None, bytes, type[Event]]]:
    """(timestamp, key, value, type) of each record of `spans`, merged in timestamp order
    (each partition's own order kept)."""
    reader = consumer(kafka, f"replay-{time.monotonic_ns()}")
    try:
        streams = [_partition(reader, span) for span in spans if span.start < span.end]
        yield from heapq.merge(*streams, key=lambda item: item[0])
    finally:
        reader.close()


def _partition(
    reader: Consumer, span: Span
) -> Iterator[tuple[int, bytes | None, bytes, type[Event]]]:
    reader.assign([TopicPartition(span.topic, span.partition, span.start)])
    position = span.start
    records: list[tuple[int, bytes | None, bytes, type[Event]]] = []
    while position < span.end:
        # consume() waits for the whole count or the timeout: ask for no more than remain.
        batch = reader.consume(min(1000, span.end - position), timeout=10)
        if not batch:
            where = f"{span.topic}[{span.partition}]"
            raise TimeoutError(f"{where} stopped at {position} of {span.end}")
        for message in batch:
            if message.error() or message.offset() >= span.end:
                continue
            position = message.offset() + 1
            records.append((message.timestamp()[1], message.key(), message.value(), span.event_cls))
    reader.unassign()
    return iter(records)


def check_research_topic(kafka: KafkaConnection, name: str) -> None:
    """Refuses a topic the live system reads or writes: a declared topic of a namespace in
    use (its topics exist on the broker), or Kafka's, Connect's and Quix's own."""
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    existing = admin.list_topics(timeout=10).topics
    declared = [spec.name for spec in load_topics()]
    internal = name.startswith("_") or "changelog__" in name or "repartition__" in name
    # A namespace is in use when another of its declared topics exists.
    live = any(
        name.endswith(d) and any(name[: -len(d)] + o in existing for o in declared if o != d)
        for d in declared
    )
    if internal or live or name in declared:
        raise LiveTopic(
            f"{name} is a topic the live system uses; replay into a topic of its own, "
            "e.g. research-<flow>-<date>"
        )


def _ensure_topic(kafka: KafkaConnection, name: str, like: TopicSpec) -> None:
    """Creates the topic when missing; an existing one is written to as it is, its configs
    untouched."""
    client = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    if name not in client.list_topics(timeout=10).topics:
        apply_topics(client, [like.model_copy(update={"name": name})], lambda _: None)


@dataclass
class Tally:
    read: int = 0
    invalid: int = 0
    erased: int = 0  # events of learners erased since, skipped (their key is gone)


def folded(
    records: list[tuple[int, bytes | None, bytes, type[Event]]],
    flow: Logic[S, Out],
    *,
    keyring: Keyring,
    states: dict[str, S],
    tally: Tally,
    progress: Callable[[int, int], None],
) -> Iterator[list[Out]]:
    """Each record opened and folded through `flow` into its learner's state in `states`:
    what each event made the flow emit. Unreadable records and erased learners' are
    counted in `tally` and skipped."""
    for _, key, value, event_cls in records:
        tally.read += 1
        if tally.read % 1000 == 0:
            progress(tally.read, len(records))
        try:
            event = read_event(event_cls, key, value, keyring)
        except InvalidEvent:
            tally.invalid += 1
            continue
        if event is None:
            tally.erased += 1
            continue
        states[event.user_id], outputs = flow.fold(states.get(event.user_id), event)
        yield outputs
    progress(tally.read, len(records))


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
    check_research_topic(kafka, to_topic)
    started = time.monotonic()
    # The flow's first output is what it is replayed for (the feedback flow's charges are not).
    output_cls = flow.outputs[0]
    [output_spec] = [s for s in load_topics() if s.event == output_cls.EVENT_TYPE]
    _ensure_topic(kafka, to_topic, output_spec)
    topics = [(topic_for(c.EVENT_TYPE, namespace), c) for c in flow.inputs]
    records = list(history(kafka, spans(kafka, topics, since)))
    writer = producer(kafka)
    tally, written = Tally(), 0
    spent: dict[str, int] = {}
    with Keyring(kafka, namespace, live=False) as keyring:
        steps = folded(records, flow, keyring=keyring, states={}, tally=tally, progress=progress)
        for outputs in steps:
            for output in outputs:
                if isinstance(output, CreditEvent) and output.kind == "charge":
                    spent[output.reason] = spent.get(output.reason, 0) + output.amount
                if not isinstance(output, output_cls):
                    continue
                record = event_record(output, namespace, keyring)
                writer.produce(to_topic, key=record.key, value=record.value)
                writer.poll(0)
                written += 1
    if writer.flush(60) > 0:
        raise RuntimeError(f"replay output to {to_topic} was not acknowledged")
    seconds = time.monotonic() - started
    return ReplayReport(
        name, to_topic, tally.read, tally.invalid, tally.erased, written, seconds, spent
    )
