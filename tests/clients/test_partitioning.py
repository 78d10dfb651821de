"""The partitioning contract (DESIGN §6): every producer path of the project puts a key on
the same partition of every co-partitioned topic, and it is the partition the Java client
(Kafka Connect, Java services, Redpanda's own clients) chooses: murmur2 of the key bytes.

Each path writes the same learner ids for real, through the code the product runs; the
partitions are read back from the broker. A new producer path gets a line here.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bytewax.operators as op
import pytest
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSource, run_main
from confluent_kafka import TopicPartition

from bot.sink import EventSink
from cli.bench import fill, make_feedback
from cli.replay import replay
from clients.kafka import consumer, partition_ends, producer, send
from clients.settings import KafkaConnection
from flows.common.bytewax_io import RecordSink
from flows.common.quix_io import application, read_events, write_records
from flows.common.records import event_record
from flows.common.settings import FlowSettings
from flows.scoring.step import logic as scoring
from schemas.events import Event, UserEvent
from schemas.topics import load_topics
from stack.settings import StackSettings
from tests.pipeline import create_topics
from tests.schemas.samples import SAMPLES

pytestmark = [pytest.mark.stack, pytest.mark.slow]

# Learner ids as the bot and the CLI make them, and some awkward ones.
KEYS = (
    *(str(100_000_000 + 7919 * i) for i in range(24)),
    *(f"cli-learner-{i}" for i in range(8)),
    "demo-learner",
    "crowd-0",
    "ученик",
    "learner with spaces",
    "x",
    "a" * 200,
)
JAVA_PRODUCER = Path(__file__).with_name("JavaPartitions.java")


def murmur2_partition(key: bytes, partitions: int) -> int:
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), written out here as an
    independent reference, then `toPositive(hash) % partitions` as the Java partitioner."""
    m, r, mask = 0x5BD1E995, 24, 0xFFFFFFFF
    h = (0x9747B28C ^ len(key)) & mask
    whole = len(key) // 4 * 4
    for i in range(0, whole, 4):
        k = int.from_bytes(key[i : i + 4], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = (h * m) & mask
        h ^= k
    tail = key[whole:]
    if len(tail) == 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if tail:
        h ^= tail[0]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return (h & 0x7FFFFFFF) % partitions


def test_the_reference_matches_known_kafka_hashes() -> None:
    # Hashes from the test vectors of Kafka's UtilsTest.testMurmur2.
    vectors = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536}
    for key, java_hash in vectors.items():
        assert murmur2_partition(key, 1000) == (java_hash & 0x7FFFFFFF) % 1000, key


def _placement(kafka: KafkaConnection, topic: str) -> dict[str, int]:
    """Each key's partition in `topic`, read back from the broker; a key found in two
    partitions of one topic fails the contract at once."""
    reader = consumer(kafka, f"partitioning-{time.monotonic_ns()}")
    try:
        ends = {p: high for p, (_, high) in partition_ends(reader, topic).items()}
        partitions = list(ends)
        reader.assign([TopicPartition(topic, p, 0) for p in partitions])
        placement: dict[str, int] = {}
        read = {p: 0 for p in partitions}
        deadline = time.monotonic() + 30
        while any(read[p] < ends[p] for p in partitions):
            assert time.monotonic() < deadline, f"{topic}: read {read} of {ends}"
            message = reader.poll(0.5)
            if message is None or message.error():
                continue
            read[message.partition()] = message.offset() + 1
            key = message.key().decode()
            assert placement.setdefault(key, message.partition()) == message.partition(), (
                f"{topic}: key {key!r} on partitions {placement[key]} and {message.partition()}"
            )
        return placement
    finally:
        reader.close()


def _events(template: Event, keys: Iterable[str]) -> list[Event]:
    return [
        type(template).model_validate({**template.model_dump(), "user_id": key, "event_id": key})
        for key in keys
    ]


def _java(stack: StackSettings, topic: str) -> dict[str, int]:
    jars = stack.jars_dir / "kafka"
    done = subprocess.run(
        ["java", "-cp", f"{jars}/*", str(JAVA_PRODUCER), stack.bootstrap_servers, topic],
        input="\n".join(KEYS) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [line.split("\t") for line in done.stdout.splitlines() if "\t" in line]
    return {key: int(partition) for key, partition in lines}


def test_every_producer_path_puts_a_learner_on_one_partition(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    namespace = f"part{unique}-"
    create_topics(stack, namespace)
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    settings = FlowSettings(kafka=kafka, topic_namespace=namespace, state_dir=tmp_path)
    learner_topics = [s for s in load_topics() if s.co_partition == "learners"]
    [count] = {s.partitions for s in learner_topics}
    written: dict[str, str] = {}  # producer path -> topic it wrote

    def path(name: str, topic: str, write: Callable[[str], None]) -> None:
        write(namespace + topic)
        written[name] = namespace + topic

    # The CLI (practice, credits grant) and tests: clients.kafka.send.
    def with_send(topic: str) -> None:
        writer = producer(kafka)
        for event in _events(SAMPLES["answer_submitted"], KEYS):
            send(writer, topic, event)

    path("clients.kafka.send", "answers-submitted", with_send)

    # The bot: every event through its EventSink.
    def with_bot(topic: str) -> None:
        sink = EventSink(kafka, namespace, timeout_s=10)

        async def emit_all() -> None:
            for event in _events(SAMPLES["user_event"], KEYS):
                await sink.emit(event)

        asyncio.run(emit_all())
        sink.close()
        assert topic == sink.topic(UserEvent.EVENT_TYPE)

    path("bot.sink.EventSink", "user-events", with_bot)

    # The Bytewax flows' sink (conversion, transcription, scoring).
    def with_bytewax(topic: str) -> None:
        flow = Dataflow(f"partitioning-{unique}")
        records = [event_record(e, namespace) for e in _events(SAMPLES["audio_converted"], KEYS)]
        assert {r.topic for r in records} == {topic}
        stream = op.input("in", flow, TestingSource(records))
        op.output("out", stream, RecordSink(kafka))
        run_main(flow)  # type: ignore[no-untyped-call]

    path("flows.common.bytewax_io.RecordSink", "audio-converted", with_bytewax)

    # The Quix flows' output (feedback, words, readmodels): a Quix app re-emitting what it
    # reads from the bot's topic.
    def with_quix(topic: str) -> None:
        app = application(settings, f"partitioning-{unique}")
        events = read_events(app, settings, UserEvent)
        records = events.apply(
            lambda e: event_record(_events(SAMPLES["transcript"], [e.user_id])[0], namespace)
        )
        write_records(app, records, [topic])
        app.run(count=len(KEYS), timeout=60)

    path("flows.common.quix_io.write_records", "transcripts", with_quix)

    # The bench's fill and the research replay.
    rng = random.Random(7)  # noqa: S311 - test data

    def with_bench(topic: str) -> None:
        events = [
            make_feedback(rng, i).model_copy(
                update={
                    "user_id": key,
                    "answer_id": f"a-{i}",
                    "answered_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                }
            )
            for i, key in enumerate(KEYS)
        ]
        assert fill(kafka, topic, iter(events)) == len(KEYS)

    path("cli.bench.fill", "feedback", with_bench)

    def with_replay(topic: str) -> None:
        report = replay(
            "scoring", scoring(5), kafka=kafka, namespace=namespace, since=None,
            to_topic=topic, progress=lambda _d, _t: None,
        )  # fmt: skip
        assert report.written == len(KEYS)

    path("cli.replay.replay", "replayed-progress", with_replay)

    java = _java(stack, namespace + "credits")
    reference = {key: murmur2_partition(key.encode(), count) for key in KEYS}
    assert java == reference, "the reference murmur2 disagrees with the Java client"
    assert len(set(reference.values())) == count, "the keys should cover every partition"

    for name, topic in written.items():
        assert _placement(kafka, topic) == reference, f"{name} ({topic})"
