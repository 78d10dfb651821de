"""`speech-coach bench`: throughput and latency figures measured in one run on the native
stack, each flow compared with a raw confluent-kafka consume→produce passthrough.

Every measurement uses its own topic namespace, so a bench never touches live topics.
Throughput counts from the first output record to the last, so start-up (loading models,
joining groups) is reported separately instead of diluting the rate.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from confluent_kafka import TopicPartition

from cli.practice import submit_and_wait
from clients.kafka import consumer, producer
from clients.settings import KafkaConnection, S3Connection
from flows.transcription.synth import encode_voice_note, synthesize
from flows.words.lemmas import measure_throughput
from schemas.events import (
    Engines,
    Event,
    Feedback,
    Metrics,
    Progress,
    RubricScores,
    Transcript,
    WordStats,
)
from schemas.serde import serialize
from schemas.topics import namespaced, topic_for
from stack.services.kafka import admin
from stack.settings import REPO_ROOT, StackSettings
from stack.topics import apply_topics

Report = Callable[[str], None]

# Synthetic answers draw from these content words.
WORDS = tuple(
    """city job museum concert family friend school teacher student library garden river
    market bridge train morning evening weekend holiday project manager meeting deadline
    budget customer report colleague office computer problem solution reason example""".split()  # noqa: SIM905 - a word list reads best as text
)


@dataclass(frozen=True)
class Throughput:
    events: int
    seconds: float
    startup_s: float

    @property
    def per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class FlowRates:
    """One flow replaying its input topic, beside the raw passthrough and its framework's
    identity flow over the same topic, measured in the same run."""

    flow: str
    framework: str
    topic: str
    passthrough: Throughput
    identity: Throughput
    flow_rate: Throughput

    @property
    def to_passthrough(self) -> float:
        return self.flow_rate.per_s / self.passthrough.per_s

    @property
    def to_identity(self) -> float:
        return self.flow_rate.per_s / self.identity.per_s


@dataclass(frozen=True)
class BenchResult:
    events: int
    flows: tuple[FlowRates, ...]
    word_tokens_per_s: float
    word_tokens: int
    latency_runs: int
    latency_p50_ms: float
    latency_p99_ms: float


def _feedback(rng: random.Random, index: int) -> Feedback:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=index)
    answer = f"bench-{index}"

    def score() -> float:
        return round(rng.uniform(0, 4), 1)

    return Feedback(
        event_id=f"feedback-{answer}", occurred_at=at, user_id=f"learner-{index % 500}",
        answer_id=answer, transcript="bench", answered_at=at,
        metrics=Metrics(duration_s=45, words=100, words_per_minute=133, pause_count=4,
                        mean_pause_s=0.5, long_pause_count=1, filler_count=2,
                        type_token_ratio=0.6, time_to_answer_s=rng.uniform(5, 60)),
        scores=RubricScores(delivery=score(), language_use=score(), topic_development=score(),
                            overall=score()),
        recommendations=("Keep practising.",), engines=Engines(stt="bench", feedback="local"),
    )  # fmt: skip


def _transcript(rng: random.Random, index: int) -> Transcript:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=index)
    text = " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + "."
    return Transcript(
        event_id=f"transcript-bench-{index}", occurred_at=at, user_id=f"learner-{index % 500}",
        answer_id=f"bench-{index}", text=text, language="en", engine="bench", words=(),
        duration_s=10,
    )  # fmt: skip


def _fill(kafka: KafkaConnection, topic: str, events: Iterator[Event]) -> int:
    writer = producer(kafka, **{"linger.ms": 50, "batch.num.messages": 10000})
    count = 0
    for event in events:
        while True:
            try:
                writer.produce(topic, key=event.key(), value=serialize(event))
                break
            except BufferError:
                writer.poll(0.1)
        writer.poll(0)
        count += 1
    if writer.flush(120) > 0:
        raise RuntimeError(f"filling {topic} was not acknowledged")
    return count


def _end_offsets(kafka: KafkaConnection, topic: str) -> int:
    reader = consumer(kafka, f"bench-offsets-{uuid.uuid4().hex}")
    try:
        partitions = reader.list_topics(topic, timeout=10).topics[topic].partitions
        return sum(
            reader.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in partitions
        )
    finally:
        reader.close()


def _watch(
    kafka: KafkaConnection, topic: str, expected: int, started: float, timeout_s: float
) -> Throughput:
    """Polls the output topic's size until `expected` records are there."""
    first: float | None = None
    deadline = time.monotonic() + timeout_s
    while True:
        count = _end_offsets(kafka, topic)
        now = time.monotonic()
        if count and first is None:
            first = now
        if count >= expected:
            assert first is not None
            return Throughput(expected, now - first, first - started)
        if now > deadline:
            raise TimeoutError(f"{topic}: {count} of {expected} records after {timeout_s:.0f} s")
        time.sleep(0.2)


def passthrough(kafka: KafkaConnection, source: str, target: str, expected: int) -> Throughput:
    """The baseline: consume, produce the same bytes, with the flows' delivery settings."""
    reader = consumer(kafka, f"bench-passthrough-{uuid.uuid4().hex}", **{"fetch.min.bytes": 1})
    reader.subscribe([source])
    writer = producer(kafka, **{"linger.ms": 5})
    started = time.monotonic()
    first: float | None = None
    moved = 0
    try:
        while moved < expected:
            batch = reader.consume(1000, timeout=1)
            if time.monotonic() - started > 600:
                raise TimeoutError("passthrough did not finish in 600 s")
            for message in batch:
                if message.error():
                    continue
                first = first or time.monotonic()
                while True:
                    try:
                        writer.produce(target, key=message.key(), value=message.value())
                        break
                    except BufferError:
                        writer.poll(0.1)
                moved += 1
            writer.poll(0)
        writer.flush(60)
    finally:
        reader.close()
    assert first is not None
    return Throughput(moved, time.monotonic() - first, first - started)


@contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *argv], cwd=REPO_ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _flow(name: str, env: dict[str, str], log: Path) -> contextlib.AbstractContextManager[None]:
    return _process(["cli.main", "flow", name], env, log)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# The flows whose replay speed is measured: (flow, framework, input event, output event).
REPLAYED = (("scoring", "bytewax", Feedback, Progress), ("words", "quix", Transcript, WordStats))


def run_bench(
    settings: StackSettings, events: int, latency_runs: int, report: Report
) -> BenchResult:
    kafka = KafkaConnection(bootstrap_servers=settings.bootstrap_servers)
    namespace = f"bench{uuid.uuid4().hex[:8]}-"
    apply_topics(admin(settings), namespaced(namespace), lambda _: None)
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {
        **os.environ,
        **settings.app_environment(),
        "SPEECH_COACH_TOPIC_NAMESPACE": namespace,
        "SPEECH_COACH_STATE_DIR": str(workdir / "state"),
    }
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not secrets
    makers = {Feedback: _feedback, Transcript: _transcript}

    rates = []
    for flow, framework, source_cls, output_cls in REPLAYED:
        source = topic_for(source_cls.EVENT_TYPE, namespace)
        report(f"filling {source} with {events} events")
        _fill(kafka, source, (makers[source_cls](rng, i) for i in range(events)))
        copies = {kind: f"{source}-{kind}" for kind in ("passthrough", "identity")}
        [spec] = [s for s in namespaced(namespace) if s.name == source]
        apply_topics(
            admin(settings), [spec.model_copy(update={"name": t}) for t in copies.values()],
            lambda _: None,
        )  # fmt: skip

        report(f"{flow}: raw confluent-kafka passthrough of {source}")
        base = passthrough(kafka, source, copies["passthrough"], events)
        report(f"{flow}: identity {framework} flow over {source}")
        started = time.monotonic()
        argv = ["cli.bench_identity", framework, source, copies["identity"]]
        with _process(argv, env, workdir / f"identity-{flow}.log"):
            identity = _watch(kafka, copies["identity"], events, started, 1800)
        report(f"{flow}: the {flow} flow ({framework}) over {source}")
        started = time.monotonic()
        with _flow(flow, env, workdir / f"{flow}.log"):
            output = topic_for(output_cls.EVENT_TYPE, namespace)
            measured = _watch(kafka, output, events, started, 1800)
        rates.append(FlowRates(flow, framework, source, base, identity, measured))

    report("word statistics, lemma counting in-process")
    texts = [_transcript(rng, i).text for i in range(20000)]
    tokens = measure_throughput(texts)

    report(f"practice end to end, {latency_runs} short answers")
    latencies = _latencies(
        settings=settings, kafka=kafka, namespace=namespace, env=env, workdir=workdir,
        runs=latency_runs, report=report,
    )  # fmt: skip
    return BenchResult(
        events=events, flows=tuple(rates),
        word_tokens_per_s=tokens.tokens_per_s, word_tokens=tokens.tokens,
        latency_runs=latency_runs, latency_p50_ms=statistics.median(latencies),
        latency_p99_ms=_percentile(latencies, 0.99),
    )  # fmt: skip


def _latencies(
    *,
    settings: StackSettings, kafka: KafkaConnection, namespace: str, env: dict[str, str],
    workdir: Path, runs: int, report: Report,
) -> list[float]:  # fmt: skip
    s3 = S3Connection(
        endpoint=settings.s3_endpoint, access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key, bucket=settings.s3_bucket,
    )  # fmt: skip
    voice = encode_voice_note(
        synthesize("I would choose the city because it has more jobs.", workdir / "short.wav"),
        workdir / "short.ogg",
    )
    latencies: list[float] = []
    with (
        _flow("conversion", env, workdir / "conversion.log"),
        _flow("transcription", env, workdir / "transcription.log"),
        _flow("feedback", env, workdir / "feedback.log"),
    ):
        # The first answer waits for the flows to start; it is not counted.
        for run in range(runs + 1):
            outcome = submit_and_wait(
                voice, kafka=kafka, s3=s3, namespace=namespace, user_id="bench-learner",
                question_id=None, timeout_s=300, progress=lambda _: None,
            )  # fmt: skip
            if run:
                latencies.append(outcome.latency_ms)
                report(f"   answer {run}: {outcome.latency_ms:.0f} ms")
    return latencies
