"""`speech-coach bench`: throughput and latency figures measured in one run on the native
stack. Parts:

- replay: each replayed flow over 100k events of 500 learners, sealed with the learners'
  keys as in production, beside a raw confluent-kafka consume→produce passthrough and two
  flows of its own framework on the same topic: one copying the bytes (identity) and one
  doing the per-event work every flow must do, opening, validating, rebuilding, serializing
  and sealing each event (contract; cli/bench_identity.py);
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

from confluent_kafka import TIMESTAMP_LOG_APPEND_TIME, Consumer, TopicPartition

from cli.bench_crowd import (
    CrowdResult,
    ScaleResult,
    crowd,
    loop_flows,
    transcription_burst,
    voice_notes,
)
from cli.bench_identity import KINDS
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
    identity and contract flows over the same topic, measured in the same run."""

    flow: str
    framework: str
    topic: str
    passthrough: Throughput
    identity: Throughput
    contract: Throughput
    flow_rate: Throughput

    @property
    def to_passthrough(self) -> float:
        return self.flow_rate.per_s / self.passthrough.per_s

    @property
    def to_identity(self) -> float:
        return self.flow_rate.per_s / self.identity.per_s

    @property
    def to_contract(self) -> float:
        return self.flow_rate.per_s / self.contract.per_s


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


def fill(
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


# The bench's output topics take the broker's append time as each record's timestamp, so a
# rate runs from the first record appended to the last, to the millisecond, whichever client
# wrote them (Quix passes its input's timestamps on). Polling for the end instead was off
# by up to a poll interval at each end: ±30 % on a sub-second identity run.
APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}
BASELINE_ROUNDS = 3


def _watch(
    kafka: KafkaConnection,
    topic: str,
    expected: int,
    started: float,
    *,
    timeout_s: float,
    writer: subprocess.Popen[bytes] | None = None,
) -> Throughput:
    """Waits for `expected` records on `topic` (polling its size with one client: a new one
    per poll took CPU from the flow measured), then times them by their append times;
    `started` is the wall-clock time the writer was started. A `writer` process that exits
    first fails the wait at once."""
    deadline = time.monotonic() + timeout_s
    reader = consumer(kafka, f"bench-offsets-{uuid.uuid4().hex}")
    try:
        while True:
            ends = partition_ends(reader, topic)
            count = sum(high - low for low, high in ends.values())
            if count >= expected:
                first, last = _append_span(reader, topic, ends)
                return Throughput(count, last - first, first - started)
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{topic}: {count} of {expected} records after {timeout_s:.0f} s"
                )
            if writer is not None and writer.poll() is not None:
                raise RuntimeError(
                    f"{topic}: {count} of {expected} records when {writer.args!r} exited "
                    f"with {writer.returncode}"
                )
            time.sleep(0.2)
    finally:
        reader.close()


def _append_span(
    reader: Consumer, topic: str, ends: dict[int, tuple[int, int]]
) -> tuple[float, float]:
    """Wall-clock times (s) the first and the last record of `topic` were appended."""
    times = []
    for partition, (low, high) in ends.items():
        for offset in {low, high - 1} if high > low else set():
            reader.assign([TopicPartition(topic, partition, offset)])
            [message] = reader.consume(1, timeout=10) or [None]
            if message is None or message.error() is not None:
                raise RuntimeError(f"{topic}[{partition}]@{offset} could not be read")
            kind, millis = message.timestamp()
            if kind != TIMESTAMP_LOG_APPEND_TIME:
                raise RuntimeError(f"{topic} does not take append times")
            times.append(millis / 1000)
    return min(times), max(times)


def passthrough(kafka: KafkaConnection, source: str, target: str, expected: int) -> None:
    """The baseline: consume, produce the same bytes, with the flows' delivery settings."""
    reader = consumer(kafka, f"bench-passthrough-{uuid.uuid4().hex}", **{"fetch.min.bytes": 1})
    reader.subscribe([source])
    writer = producer(kafka, **{"linger.ms": 5})
    deadline = time.monotonic() + 600
    moved = 0
    try:
        while moved < expected:
            batch = reader.consume(1000, timeout=1)
            if time.monotonic() > deadline:
                raise TimeoutError("passthrough did not finish in 600 s")
            for message in batch:
                if message.error():
                    continue
                while True:
                    try:
                        writer.produce(target, key=message.key(), value=message.value())
                        break
                    except BufferError:
                        writer.poll(0.1)
                moved += 1
            writer.poll(0)
        if writer.flush(60) > 0:
            raise RuntimeError(f"the passthrough to {target} was not acknowledged")
    finally:
        reader.close()


@contextmanager
def _process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *argv], cwd=REPO_ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield process
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
        outputs = {output.EVENT_TYPE for *_, output in REPLAYED}
        apply_topics(
            admin(settings),
            [
                spec.model_copy(update={"config": {**spec.config, **APPEND_TIME}})
                if spec.event in outputs
                else spec
                for spec in namespaced(self.namespace)
            ],
            lambda _: None,
        )
        self.workdir = Path(tempfile.mkdtemp(prefix="bench-"))
        self.env = {
            **os.environ,
            **settings.app_environment(),
            "SPEECH_COACH_TOPIC_NAMESPACE": self.namespace,
            "SPEECH_COACH_STATE_DIR": str(self.workdir / "state"),
        }

    def flow(
        self, name: str, extra: dict[str, str]
    ) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
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
                fill(self.kafka, source, made, keyring)
                output = topic_for(output_cls.EVENT_TYPE, self.namespace)
                rates.append(self._flow_rates(flow, framework, source, output, events))
        self.report("word statistics, lemma counting in-process")
        tokens = measure_throughput([make_transcript(rng, i).text for i in range(20000)])
        return tuple(rates), tokens.tokens_per_s

    def _flow_rates(
        self, flow: str, framework: str, source: str, output: str, events: int
    ) -> FlowRates:
        """The passthrough, the identity and contract flows, then the flow, one after the
        other over `source`. The fastest baselines take well under a second, where a pause of
        the broker's weighs: each baseline runs BASELINE_ROUNDS times, and the median counts."""
        rounds = range(BASELINE_ROUNDS)
        self.report(f"{flow}: raw confluent-kafka passthrough of {source}")
        base = self._median(
            [self._passthrough(source, f"{source}-passthrough-{r}", events) for r in rounds]
        )
        baselines = {}
        for kind in KINDS:
            self.report(f"{flow}: {kind} {framework} flow over {source}")
            baselines[kind] = self._median(
                [
                    self.baseline(framework, kind, source, f"{source}-{kind}-{r}", events)
                    for r in rounds
                ]
            )
        self.report(f"{flow}: the {flow} flow ({framework}) over {source}")
        started = time.time()
        with self.flow(flow, {}) as writer:
            measured = _watch(self.kafka, output, events, started, timeout_s=1800, writer=writer)
        return FlowRates(
            flow, framework, source, base, baselines["identity"], baselines["contract"], measured
        )

    def _median(self, runs: list[Throughput]) -> Throughput:
        self.report("  runs: " + ", ".join(f"{run.per_s:,.0f}/s" for run in runs))
        return sorted(runs, key=lambda run: run.per_s)[len(runs) // 2]

    def _copy_of(self, source: str, name: str) -> None:
        """A topic like `source`, timed by append times."""
        [spec] = [s for s in namespaced(self.namespace) if s.name == source]
        copy = spec.model_copy(update={"name": name, "config": {**spec.config, **APPEND_TIME}})
        apply_topics(admin(self.settings), [copy], lambda _: None)

    def _passthrough(self, source: str, target: str, events: int) -> Throughput:
        self._copy_of(source, target)
        started = time.time()
        passthrough(self.kafka, source, target, events)
        return _watch(self.kafka, target, events, started, timeout_s=60)

    def baseline(
        self, framework: str, kind: str, source: str, target: str, events: int
    ) -> Throughput:
        """One run of an identity flow (cli/bench_identity.py), with a group and state of its
        own (a second run would resume at the end of `source`)."""
        self._copy_of(source, target)
        run = f"{kind}-{uuid.uuid4().hex[:6]}"
        env = {**self.env, "SPEECH_COACH_STATE_DIR": str(self.workdir / run)}
        argv = ["cli.bench_identity", framework, kind, source, target, "--run", run]
        started = time.time()
        with _process(argv, env, self.workdir / f"{run}.log") as writer:
            return _watch(self.kafka, target, events, started, timeout_s=1800, writer=writer)

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
