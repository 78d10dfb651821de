"""`speech-coach bench`: throughput and latency figures measured in one run on the native
stack. Parts:

- replay: each replayed flow over 100k events of 500 learners, sealed with the learners'
  keys as in production, beside a raw confluent-kafka consume→produce passthrough and its
  own framework's identity flow on the same topic;
- latency: one learner's short (~5 s) and long (~45 s) answer, submit to feedback;
- crowd: many learners at once, and drain rates at 1, 2, ... transcription workers
  (cli/bench_crowd.py).

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

from cli.bench_crowd import (
    CrowdResult,
    ScaleResult,
    crowd,
    loop_flows,
    transcription_burst,
    voice_notes,
)
from cli.practice import submit_and_wait
from clients.kafka import consumer, partition_ends, producer
from clients.keyring import Keyring
from clients.settings import KafkaConnection, S3Connection
from flows.transcription.synth import encode_voice_note, synthesize
from flows.transcription.wav import duration_s, read_samples
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


def make_feedback(rng: random.Random, index: int) -> Feedback:
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


def make_transcript(rng: random.Random, index: int) -> Transcript:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=index)
    text = " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + "."
    return Transcript(
        event_id=f"transcript-bench-{index}", occurred_at=at, user_id=f"learner-{index % 500}",
        answer_id=f"bench-{index}", text=text, language="en", engine="bench", words=(),
        duration_s=10,
    )  # fmt: skip


def _fill(
    kafka: KafkaConnection, topic: str, events: Iterator[Event], keyring: Keyring | None = None
) -> int:
    """Writes `events` to `topic`, their values sealed as the flows write them when
    `keyring` is given (a creating one gives every learner a key, as transcription does)."""
    writer = producer(kafka, **{"linger.ms": 50, "batch.num.messages": 10000})
    count = 0
    for event in events:
        value = serialize(event)
        if keyring is not None:
            value = keyring.seal(value, event.EVENT_TYPE, event.user_id)
        while True:
            try:
                writer.produce(topic, key=event.key(), value=value)
                break
            except BufferError:
                writer.poll(0.1)
        writer.poll(0)
        count += 1
    if writer.flush(120) > 0:
        raise RuntimeError(f"filling {topic} was not acknowledged")
    return count


def _watch(
    kafka: KafkaConnection, topic: str, expected: int, started: float, timeout_s: float
) -> Throughput:
    """Polls the output topic's size until `expected` records are there (one client for the
    whole watch: a new one per poll took CPU from the flow measured)."""
    first: float | None = None
    deadline = time.monotonic() + timeout_s
    reader = consumer(kafka, f"bench-offsets-{uuid.uuid4().hex}")
    try:
        while True:
            count = sum(high for _, high in partition_ends(reader, topic).values())
            now = time.monotonic()
            if count and first is None:
                first = now
            if count >= expected:
                assert first is not None
                return Throughput(expected, now - first, first - started)
            if now > deadline:
                raise TimeoutError(
                    f"{topic}: {count} of {expected} records after {timeout_s:.0f} s"
                )
            time.sleep(0.2)
    finally:
        reader.close()


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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# The flows whose replay speed is measured: (flow, framework, input event, output event).
REPLAYED = (("scoring", "bytewax", Feedback, Progress), ("words", "quix", Transcript, WordStats))
# Two answer lengths of the latency targets: about 5 s and about 45 s at 150 wpm.
SHORT_ANSWER = "I would choose the city because it has more jobs and better schools."
LONG_ANSWER = " ".join(
    (
        "I would rather live in a big city than in the countryside. The main reason is that",
        "cities offer many more opportunities for work and study. For example, when I moved",
        "to the capital three years ago, I found a job at a software company within two months,",
        "which would have been impossible in my hometown. Another reason is culture. In a city",
        "you can visit museums, concerts and theaters almost every weekend, and meet people",
        "from all over the world. Of course, life in a city is more expensive and noisy, but",
        "public transport is good, so I do not need a car. So for these reasons, I prefer to",
        "live in the city, at least while I am young and want to build my career.",
    )
)


@dataclass(frozen=True)
class Latency:
    name: str
    audio_s: float
    runs: int
    p50_ms: float
    p99_ms: float
    submit_p50_ms: float


@dataclass(frozen=True)
class BenchResult:
    events: int = 0
    flows: tuple[FlowRates, ...] = ()
    word_tokens_per_s: float = 0.0
    latencies: tuple[Latency, ...] = ()
    crowd: CrowdResult | None = None
    scale: tuple[ScaleResult, ...] = ()


class Bench:
    """One bench run on the native stack: its own topic namespace and work directory."""

    def __init__(self, settings: StackSettings, report: Report) -> None:
        self.settings = settings
        self.report = report
        self.kafka = KafkaConnection(bootstrap_servers=settings.bootstrap_servers)
        self.s3 = S3Connection(
            endpoint=settings.s3_endpoint, access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key, bucket=settings.s3_bucket,
        )  # fmt: skip
        self.namespace = f"bench{uuid.uuid4().hex[:8]}-"
        apply_topics(admin(settings), namespaced(self.namespace), lambda _: None)
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-"))
        self.env = {
            **os.environ,
            **settings.app_environment(),
            "SPEECH_COACH_TOPIC_NAMESPACE": self.namespace,
            "SPEECH_COACH_STATE_DIR": str(self.workdir / "state"),
        }

    def flow(self, name: str, extra: dict[str, str]) -> contextlib.AbstractContextManager[None]:
        """`speech-coach flow NAME` running for the length of a block."""
        log = self.workdir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        return _process(["cli.main", "flow", name], {**self.env, **extra}, log)

    def replay_rates(self, events: int) -> tuple[tuple[FlowRates, ...], float]:
        """Each replayed flow beside the passthrough and its framework's identity flow."""
        rng = random.Random(2026)  # noqa: S311 - benchmark data, not secrets
        makers = {Feedback: make_feedback, Transcript: make_transcript}
        rates = []
        # As in production every learner has a key (transcription creates it): the flows
        # open sealed inputs and seal their outputs and state.
        with Keyring(self.kafka, self.namespace, may_create=True) as keyring:
            for flow, framework, source_cls, output_cls in REPLAYED:
                source = topic_for(source_cls.EVENT_TYPE, self.namespace)
                self.report(f"filling {source} with {events} sealed events")
                made = (makers[source_cls](rng, i) for i in range(events))
                _fill(self.kafka, source, made, keyring)
                output = topic_for(output_cls.EVENT_TYPE, self.namespace)
                rates.append(self._flow_rates(flow, framework, source, output, events))
        self.report("word statistics, lemma counting in-process")
        tokens = measure_throughput([make_transcript(rng, i).text for i in range(20000)])
        return tuple(rates), tokens.tokens_per_s

    def _flow_rates(
        self, flow: str, framework: str, source: str, output: str, events: int
    ) -> FlowRates:
        """The passthrough, the identity flow and the flow, one after the other over `source`."""
        copies = {kind: f"{source}-{kind}" for kind in ("passthrough", "identity")}
        [spec] = [s for s in namespaced(self.namespace) if s.name == source]
        apply_topics(
            admin(self.settings),
            [spec.model_copy(update={"name": t}) for t in copies.values()],
            lambda _: None,
        )
        self.report(f"{flow}: raw confluent-kafka passthrough of {source}")
        base = passthrough(self.kafka, source, copies["passthrough"], events)
        self.report(f"{flow}: identity {framework} flow over {source}")
        started = time.monotonic()
        argv = ["cli.bench_identity", framework, source, copies["identity"]]
        with _process(argv, self.env, self.workdir / f"identity-{flow}.log"):
            identity = _watch(self.kafka, copies["identity"], events, started, 1800)
        self.report(f"{flow}: the {flow} flow ({framework}) over {source}")
        started = time.monotonic()
        with self.flow(flow, {}):
            measured = _watch(self.kafka, output, events, started, 1800)
        return FlowRates(flow, framework, source, base, identity, measured)

    def latencies(self, runs: int) -> tuple[Latency, ...]:
        """One learner's answer, submit to feedback, at the stack's transcription scale."""
        workers = self.settings.app_scale.get("transcription", 1)
        writer = producer(self.kafka)
        results = []
        with (
            self.flow("conversion", {}),
            self.flow("transcription", {"SPEECH_COACH_WORKERS": str(workers)}),
            self.flow("feedback", {}),
        ):
            for name, text in (("short", SHORT_ANSWER), ("long", LONG_ANSWER)):
                wav = synthesize(text, self.workdir / f"{name}.wav")
                voice = encode_voice_note(wav, self.workdir / f"{name}.ogg")
                measured: list[tuple[float, float]] = []
                # The first answer waits for the flows to start; it is not counted.
                for run in range(runs + 1):
                    outcome = submit_and_wait(
                        voice, kafka=self.kafka, s3=self.s3, namespace=self.namespace,
                        user_id="bench-learner", question_id=None, timeout_s=300,
                        progress=lambda _: None, writer=writer,
                    )  # fmt: skip
                    if run:
                        measured.append((outcome.latency_ms, outcome.submit_ms))
                        self.report(f"   {name} answer {run}: {outcome.latency_ms:.0f} ms")
                latency = [m[0] for m in measured]
                submitted = statistics.median(m[1] for m in measured)
                audio_s = duration_s(read_samples(wav))
                p50, p99 = statistics.median(latency), _percentile(latency, 0.99)
                results.append(Latency(name, audio_s, runs, p50, p99, submitted))
        return tuple(results)

    def crowd(
        self, *, answers: int, learners: int, over_s: float, workers: tuple[int, ...],
        burst_answers: int,
    ) -> tuple[CrowdResult, tuple[ScaleResult, ...]]:  # fmt: skip
        notes = voice_notes(self.workdir)
        configured = self.settings.app_scale.get("transcription", 1)
        self.report(
            f"crowd: {answers} answers from {learners} learners over {over_s:.0f} s "
            f"(transcription with {configured} workers)"
        )
        with loop_flows(self.flow, configured):
            self._warm_up(notes)
            result = crowd(
                notes, answers=answers, learners=learners, over_s=over_s, kafka=self.kafka,
                s3=self.s3, namespace=self.namespace,
            )  # fmt: skip
        scale = []
        for count in workers:
            self.report(f"scale-out: {burst_answers} converted answers, {count} workers")
            with self.flow("transcription", {"SPEECH_COACH_WORKERS": str(count)}):
                # The first of a burst waits for the model to load: a burst of one first.
                transcription_burst(
                    notes, workers=count, answers=1, kafka=self.kafka, s3=self.s3,
                    namespace=self.namespace, workdir=self.workdir,
                )  # fmt: skip
                drained = transcription_burst(
                    notes, workers=count, answers=burst_answers, kafka=self.kafka, s3=self.s3,
                    namespace=self.namespace, workdir=self.workdir,
                )  # fmt: skip
            scale.append(drained)
        return result, tuple(scale)

    def _warm_up(self, notes: list[Path]) -> None:
        submit_and_wait(
            notes[0], kafka=self.kafka, s3=self.s3, namespace=self.namespace,
            user_id="bench-warm-up", question_id=None, timeout_s=300, progress=lambda _: None,
        )  # fmt: skip
