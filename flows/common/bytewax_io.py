"""Kafka in and out of Bytewax flows, through the validating serializer.

Bytewax's own Kafka sink does not look at delivery reports; this one raises when the broker
refuses a record, so the flow stops and resumes from its last snapshot instead of losing it.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar, cast

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSourceMessage
from bytewax.connectors.kafka import operators as kop
from bytewax.dataflow import Dataflow, Stream
from bytewax.outputs import DynamicSink, StatelessSinkPartition
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.run import cli_main
from confluent_kafka import KafkaError, Message, Producer
from typing_extensions import override

from clients.kafka import DeliveryFailed, producer
from clients.keyring import Keyring, read_event
from clients.settings import KafkaConnection
from flows.common.heap import settle_heap
from flows.common.logic import Logic
from flows.common.records import Record, dead_letter, event_record
from flows.common.settings import FlowSettings
from schemas.events import Event
from schemas.serde import InvalidEvent
from schemas.topics import topic_for

E = TypeVar("E", bound=Event)
Out = TypeVar("Out", bound=Event)

log = logging.getLogger(__name__)


def read_events(
    flow: Dataflow,
    step_id: str,
    settings: FlowSettings,
    event_cls: type[E],
    keyring: Keyring | None = None,
) -> Stream[E]:
    """The events of `event_cls`'s topic, from the beginning (recovery resumes offsets),
    opened with `keyring` when sealed; those of erased learners are left out.

    A payload that breaks its contract goes to the dead-letter topic with the reason: it
    cannot be processed, and stopping the flow for it would hold up every learner behind it.
    """
    topic = topic_for(event_cls.EVENT_TYPE, settings.topic_namespace)
    source = kop.input(
        f"{step_id}_in", flow, brokers=[settings.kafka.bootstrap_servers], topics=[topic]
    )
    op.inspect(f"{step_id}_errors", source.errs, _raise_consumer_error)

    def decode(message: KafkaSourceMessage[bytes | None, bytes | None]) -> list[E | Record]:
        try:
            event = read_event(event_cls, message.key, message.value or b"", keyring)
            return [] if event is None else [event]
        except InvalidEvent as exc:
            log.error(
                "dead-lettering %s[%s]@%s: %s",
                message.topic,
                message.partition,
                message.offset,
                exc,
            )
            source = f"{message.topic}/{message.partition}/{message.offset}"
            return [dead_letter(settings.topic_namespace, message.key, message.value, source, exc)]

    # A batch at a time: one call per batch of Kafka messages rather than per message.
    decoded = op.flat_map_batch(
        f"{step_id}_decode", source.oks, lambda batch: [e for m in batch for e in decode(m)]
    )
    split = op.branch(f"{step_id}_valid", decoded, lambda item: not isinstance(item, Record))
    # The predicate splits on the type; Bytewax's branch cannot narrow it.
    dead = cast(Stream[Record], split.falses)
    op.output(f"{step_id}_dead_letters", dead, RecordSink(settings.kafka))
    return cast(Stream[E], split.trues)


def _raise_consumer_error(_step: str, error: object) -> None:
    raise RuntimeError(f"consuming failed: {error}")


class _RecordSinkPartition(StatelessSinkPartition[Record]):
    def __init__(self, kafka: KafkaConnection) -> None:
        self._producer: Producer = producer(kafka)

    def write_batch(self, items: list[Record]) -> None:
        failures: list[str] = []

        def on_delivery(error: KafkaError | None, _message: Message) -> None:
            if error is not None:
                failures.append(str(error))

        for record in items:
            self._producer.produce(
                record.topic,
                key=record.key,
                value=record.value,
                headers=list(record.headers),
                on_delivery=on_delivery,
            )
            self._producer.poll(0)
        if self._producer.flush(30) > 0 or failures:
            raise DeliveryFailed(f"records not acknowledged: {failures or 'flush timed out'}")

    def close(self) -> None:
        self._producer.flush(30)


class RecordSink(DynamicSink[Record]):
    """Produces records with delivery reports checked (idempotent producer, acks=all)."""

    def __init__(self, kafka: KafkaConnection) -> None:
        self._kafka = kafka

    @override
    def build(self, step_id: str, worker_index: int, worker_count: int) -> _RecordSinkPartition:
        return _RecordSinkPartition(self._kafka)


def write_records(step_id: str, stream: Stream[Iterable[Record]], settings: FlowSettings) -> None:
    flat = op.flat_map(f"{step_id}_flatten", stream, lambda records: records)
    op.output(step_id, flat, RecordSink(settings.kafka))


def run_logic(
    step_id: str,
    events: Stream[E],
    logic: Logic[Any, Out],
    settings: FlowSettings,
    keyring: Keyring | None = None,
) -> None:
    """A flow's step over its events, per learner, its outputs written to their topics
    (sealed with `keyring` where they carry personal data)."""
    keyed = op.key_on(f"{step_id}_by_learner", events, lambda event: event.user_id)
    ns = settings.topic_namespace

    def step(state: Any, event: E) -> tuple[Any, list[Record]]:
        state, outputs = logic.fold(state, event)
        return state, [event_record(output, ns, keyring) for output in outputs]

    records = op.key_rm(f"{step_id}_records", op.stateful_flat_map(step_id, keyed, step))
    op.output(f"{step_id}_out", records, RecordSink(settings.kafka))


def run_flow(flow: Dataflow, settings: FlowSettings) -> None:
    """Runs until stopped, snapshotting state and input offsets under `state_dir`.

    Every process of a cluster must see the same recovery directory (one machine, or a
    shared volume: docs/scaling.md); Bytewax may resume with another number of workers.
    """
    recovery = settings.state_dir / flow.flow_id / "recovery"
    recovery.mkdir(parents=True, exist_ok=True)
    # Processes of one cluster start together: one of them creates the partition.
    with (recovery.parent / "recovery.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not any(recovery.iterdir()):
            init_db_dir(recovery, 1)  # type: ignore[no-untyped-call]
    addresses = settings.cluster_addresses.split(";") if settings.cluster_addresses else None
    settle_heap()
    cli_main(  # type: ignore[no-untyped-call]
        flow,
        workers_per_process=settings.workers,
        process_id=settings.process_id if addresses else None,
        addresses=addresses,
        epoch_interval=timedelta(seconds=settings.snapshot_interval_s),
        recovery_config=RecoveryConfig(str(recovery)),  # type: ignore[no-untyped-call]
    )
