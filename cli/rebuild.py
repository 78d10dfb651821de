"""Rebuilding the read models from the topics (docs/scaling.md, "History written before").

Events written before every producer partitioned keys the same way put a learner on
different partition numbers of different topics, and the read-model flow, which joins its
topics per partition, saw half of such a learner. A rebuild folds the whole history of the
flow's inputs through its step in one process, per learner and in timestamp order (where
each record sits does not matter), and then:

- writes each row as it comes out at the end to the rm_* topics (the JDBC sink carries them
  to Postgres), and deletes the rows no learner's history gives any more;
- seeds the flow: each learner's final state goes to the `readmodels-seed` topic (sealed
  like the flow's own), the flow's consumer group is moved to where the history ended, and
  its old state (changelog topics, local directory) is deleted, so it starts afresh from
  the seeds with the events that came after.

The flow must be stopped meanwhile (the rebuild refuses otherwise); the other flows and the
bot may keep running.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

from cli.replay import Tally, folded, history, spans
from clients.kafka import DeliveryFailed, producer, read_to_end
from clients.keyring import Keyring
from clients.settings import KafkaConnection
from flows.readmodels.dataflow import NAME, row_record
from flows.readmodels.project import TABLES, LearnerView, RowChange
from flows.readmodels.seed import seed_topic
from flows.readmodels.step import LOGIC
from schemas.topics import topic_for


class FlowRunning(RuntimeError):
    """The read-model flow still has members in its consumer group."""


@dataclass(frozen=True)
class RebuildReport:
    learners: int
    read: int
    invalid: int
    erased: int
    rows: int  # rows written as the history leaves them (deletions included)
    stale: int  # rows deleted because no history gives them any more
    changelogs: tuple[str, ...]  # the flow's old state topics, deleted
    state_dir: str | None  # the flow's old local state, deleted (None: there was none here)
    seconds: float


def group_of(namespace: str) -> str:
    return f"{namespace}speech-coach-{NAME}"


def rebuild_readmodels(
    kafka: KafkaConnection,
    namespace: str,
    state_dir: Path,
    progress: Callable[[int, int], None],
) -> RebuildReport:
    started = time.monotonic()
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    group = group_of(namespace)
    _refuse_running(admin, group)
    inputs = spans(kafka, [(topic_for(c.EVENT_TYPE, namespace), c) for c in LOGIC.inputs], None)
    records = list(history(kafka, inputs))
    states: dict[str, LearnerView] = {}
    rows: dict[tuple[str, bytes | None], RowChange] = {}  # each row as the history leaves it
    tally = Tally()
    writer = producer(kafka)
    with Keyring(kafka, namespace, live=False) as keyring:
        steps = folded(
            records, LOGIC, keyring=keyring, states=states, tally=tally, progress=progress
        )
        for changes in steps:
            for change in changes:
                if isinstance(change, RowChange):  # keys were shredded and seeds dropped live
                    rows[_where(namespace, change)] = change
        stale = _stale(kafka, namespace, set(rows))
        for change in rows.values():
            record = row_record(namespace, change)
            writer.produce(record.topic, key=record.key, value=record.value)
            writer.poll(0)
        for topic, key in stale:
            writer.produce(topic, key=key, value=None)
        for user, view in states.items():
            sealed = keyring.seal_state(view.model_dump_json(), user)
            writer.produce(seed_topic(namespace), key=user.encode(), value=sealed.encode())
            writer.poll(0)
    if writer.flush(120) > 0:
        raise DeliveryFailed("the rebuilt rows and seeds were not acknowledged in 120 s")
    _move_group(admin, group, [TopicPartition(s.topic, s.partition, s.end) for s in inputs])
    changelogs = _delete_changelogs(admin, group)
    local = state_dir / NAME
    removed = None
    if local.exists():
        shutil.rmtree(local)
        removed = str(local)
    return RebuildReport(
        learners=len(states), read=tally.read, invalid=tally.invalid, erased=tally.erased,
        rows=len(rows), stale=len(stale), changelogs=changelogs, state_dir=removed,
        seconds=time.monotonic() - started,
    )  # fmt: skip


def _where(namespace: str, change: RowChange) -> tuple[str, bytes | None]:
    record = row_record(namespace, change)
    return record.topic, record.key


def _refuse_running(admin: AdminClient, group: str) -> None:
    [described] = admin.describe_consumer_groups([group], request_timeout=10).values()
    members = described.result().members
    if members:
        raise FlowRunning(
            f"the {NAME} flow is running ({len(members)} members in {group}): stop it first"
        )


def _stale(
    kafka: KafkaConnection, namespace: str, kept: set[tuple[str, bytes | None]]
) -> list[tuple[str, bytes]]:
    """Rows the topics still hold that the rebuilt history does not give."""
    stale = []
    for table in TABLES:
        topic = namespace + table
        latest: dict[bytes, bytes | None] = {}
        for message in read_to_end(kafka, topic, timeout_s=120):
            if message.key() is not None:
                latest[message.key()] = message.value()
        stale += [
            (topic, key)
            for key, value in latest.items()
            if value is not None and (topic, key) not in kept
        ]
    return stale


def _move_group(admin: AdminClient, group: str, ends: list[TopicPartition]) -> None:
    [moved] = admin.alter_consumer_group_offsets(
        [ConsumerGroupTopicPartitions(group, ends)], request_timeout=30
    ).values()
    moved.result()


def _delete_changelogs(admin: AdminClient, group: str) -> tuple[str, ...]:
    names = tuple(
        sorted(
            t for t in admin.list_topics(timeout=10).topics if t.startswith(f"changelog__{group}--")
        )
    )
    if not names:
        return names
    for future in admin.delete_topics(list(names), operation_timeout=30).values():
        future.result()
    # Gone before the flow may start again and create them anew.
    deadline = time.monotonic() + 60
    while set(names) & set(admin.list_topics(timeout=10).topics):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{names}: not deleted within 60 s")
        time.sleep(0.5)
    return names
