"""`speech-coach bench --part crowd`: many learners answering at once, through the same
path as `practice`, with the learner-loop flows running as processes of their own.

- crowd: `answers` answers of about 6 s from `learners` learners, submitted evenly over
  `over_s` seconds; each answer's time from the broker accepting it to its feedback.
- scale-out: the transcription stage alone, a burst of converted answers drained by the
  transcription flow with 1, then 2 workers (and so on); answers per minute at each count.
  (The whole loop on 2 cores is bound by all its stages sharing them: conversion, grading
  and the flows after feedback take as much CPU as greedy transcription does.)
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cli.practice import submit
from clients.kafka import DeliveryFailed, producer, reading_from_now
from clients.keyring import Keyring, read_event
from clients.objectstore import ObjectStore, StorageFailed, wav_key
from clients.settings import KafkaConnection, S3Connection
from flows.transcription.synth import decode_voice_note, encode_voice_note, synthesize
from flows.transcription.wav import duration_s, read_samples
from schemas.events import AnswerSubmitted, AudioConverted, Feedback, Rejected, Transcript
from schemas.serde import serialize
from schemas.topics import topic_for

# Runs a flow (by name, with extra environment) for the length of a block.
Start = Callable[[str, dict[str, str]], AbstractContextManager[object]]

# Sentences of about 6 s at 130 words per minute, answers to everyday questions.
ANSWERS = (
    "I would choose the city because it has more jobs and better schools.",
    "My favourite teacher was patient and explained every problem twice.",
    "Team sports teach cooperation, leadership and how to deal with failure.",
    "I prefer to travel by train because I can read and relax on the way.",
    "Online classes save time but they make it harder to ask questions.",
    "Cooking at home is cheaper and healthier than eating in restaurants.",
    "A good manager listens to the team and explains the reasons for decisions.",
    "I usually study in the library because my flat is too noisy in the evening.",
)
# The flows an answer passes, and those that consume what it produces.
LOOP = ("conversion", "transcription", "feedback", "scoring", "words", "readmodels")


@dataclass(frozen=True)
class CrowdResult:
    answers: int
    learners: int
    over_s: float
    latencies_s: tuple[float, ...]
    rejected: int
    total_s: float

    @property
    def p50_s(self) -> float:
        return statistics.median(self.latencies_s)

    @property
    def p95_s(self) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def max_s(self) -> float:
        return max(self.latencies_s)


@dataclass(frozen=True)
class ScaleResult:
    workers: int
    answers: int
    drain_s: float

    @property
    def per_minute(self) -> float:
        return self.answers * 60 / self.drain_s


def voice_notes(workdir: Path) -> list[Path]:
    """The crowd's recordings: synthetic speech sent as Opus voice notes."""
    notes = []
    for index, text in enumerate(ANSWERS):
        wav = synthesize(text, workdir / f"crowd-{index}.wav", wpm=130)
        notes.append(encode_voice_note(wav, workdir / f"crowd-{index}.ogg"))
    return notes


class Outcomes:
    """Watches feedback and rejections from now on; records when (by `clock`) each answer's
    first outcome arrives, and whether it was a rejection."""

    def __init__(
        self, kafka: KafkaConnection, namespace: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._types: dict[str, type[Feedback] | type[Rejected]] = {
            topic_for(Feedback.EVENT_TYPE, namespace): Feedback,
            topic_for(Rejected.EVENT_TYPE, namespace): Rejected,
        }
        self._keyring = Keyring(kafka, namespace)
        self._reader = reading_from_now(kafka, self._types)
        self._clock = clock
        self.arrived: dict[str, tuple[float, bool]] = {}  # answer id → (when, rejected)

    def poll(self, timeout_s: float) -> None:
        """Takes in at most one outcome, waiting up to `timeout_s` for it."""
        message = self._reader.poll(timeout_s)
        if message is None or message.error():
            return
        topic, key, value = message.topic(), message.key(), message.value()
        event = read_event(self._types[topic], key, value, self._keyring)
        if event is not None and event.answer_id not in self.arrived:
            self.arrived[event.answer_id] = (self._clock(), isinstance(event, Rejected))

    def until(
        self, answer_ids: Callable[[], set[str]], done: Callable[[], bool], limit: float
    ) -> None:
        deadline = time.monotonic() + limit
        while not (done() and answer_ids() <= set(self.arrived)):
            if time.monotonic() > deadline:
                missing = len(answer_ids() - set(self.arrived))
                raise TimeoutError(f"{missing} answers without feedback after {limit:.0f} s")
            self.poll(0.05)

    def close(self) -> None:
        self._reader.close()
        self._keyring.close()


@dataclass(frozen=True)
class Planned:
    """One answer to submit: when (seconds from the start), whose, and to which question."""

    at_s: float
    user_id: str
    question_id: str | None = None


def submit_planned(
    notes: list[Path], plan: Sequence[Planned], *, kafka: KafkaConnection, s3: S3Connection,
    namespace: str, accepted: Callable[[AnswerSubmitted], None],
    refused: Callable[[Planned, Exception], None] | None = None,
) -> None:  # fmt: skip
    """Submits note i % len(notes) as `plan[i]` says, through `practice`'s path (which rides
    out a broker restart). A submission `practice` gives up on goes to `refused` when given,
    and is raised otherwise."""
    writer = producer(kafka)
    writer.list_topics(timeout=10)
    started = time.monotonic()
    for index, planned in enumerate(plan):
        time.sleep(max(0.0, started + planned.at_s - time.monotonic()))
        try:
            answer = submit(
                notes[index % len(notes)], writer=writer, s3=s3, namespace=namespace,
                user_id=planned.user_id, question_id=planned.question_id,
                progress=lambda _: None,
            )  # fmt: skip
        except (DeliveryFailed, StorageFailed) as exc:
            if refused is None:
                raise
            refused(planned, exc)
        else:
            accepted(answer)


def _run(
    notes: list[Path], plan: list[Planned], *, kafka: KafkaConnection, s3: S3Connection,
    namespace: str, limit_s: float,
) -> tuple[dict[str, float], dict[str, tuple[float, bool]], float]:  # fmt: skip
    outcomes = Outcomes(kafka, namespace)
    accepted: dict[str, float] = {}
    done = threading.Event()

    def submitting() -> None:
        try:
            submit_planned(
                notes, plan, kafka=kafka, s3=s3, namespace=namespace,
                accepted=lambda answer: accepted.__setitem__(answer.answer_id, time.monotonic()),
            )  # fmt: skip
        finally:
            done.set()

    submitter = threading.Thread(target=submitting)
    started = time.monotonic()
    submitter.start()
    try:
        outcomes.until(lambda: set(accepted), done.is_set, limit_s)
    finally:
        submitter.join()
        outcomes.close()
    return accepted, outcomes.arrived, time.monotonic() - started


def crowd(
    notes: list[Path], *, answers: int, learners: int, over_s: float, kafka: KafkaConnection,
    s3: S3Connection, namespace: str,
) -> CrowdResult:  # fmt: skip
    learner_ids = [f"crowd-{uuid.uuid4().hex[:6]}-{i}" for i in range(learners)]
    plan = [Planned(i * over_s / answers, learner_ids[i % learners]) for i in range(answers)]
    accepted, arrived, total = _run(
        notes, plan, kafka=kafka, s3=s3, namespace=namespace, limit_s=over_s + 600
    )
    latencies = tuple(arrived[a][0] - accepted[a] for a in accepted)
    rejected = sum(1 for a in accepted if arrived[a][1])
    return CrowdResult(answers, learners, over_s, latencies, rejected, total)


def transcription_burst(
    notes: list[Path], *, workers: int, answers: int, kafka: KafkaConnection,
    s3: S3Connection, namespace: str, workdir: Path,
) -> ScaleResult:  # fmt: skip
    """The transcription stage alone: converted answers all at once (as conversion leaves
    them), timed from the first sent to the last transcript."""
    store = ObjectStore(s3)
    converted = []
    for index in range(answers):
        note = notes[index % len(notes)]
        wav = decode_voice_note(note, workdir / f"{note.stem}.wav")
        user, answer = f"burst-{index % 8}", f"burst-{uuid.uuid4().hex}"
        key = wav_key(user, answer)
        store.put_file(key, wav, "audio/wav")
        converted.append(
            AudioConverted(
                event_id=f"converted-{answer}",
                occurred_at=datetime.now(UTC),
                user_id=user,
                answer_id=answer,
                wav_bucket=s3.bucket,
                wav_key=key,
                duration_s=duration_s(read_samples(wav)),
                sample_rate=16000,
                pauses=(),
                speech_duration_s=duration_s(read_samples(wav)),
            )
        )
    keyring = Keyring(kafka, namespace)
    reader = reading_from_now(kafka, [topic_for(Transcript.EVENT_TYPE, namespace)])
    wanted = {event.answer_id for event in converted}
    writer = producer(kafka)
    started = time.monotonic()
    try:
        for event in converted:
            writer.produce(topic_for(AudioConverted.EVENT_TYPE, namespace), key=event.key(),
                           value=serialize(event))  # fmt: skip
        writer.flush(30)
        deadline = started + 900
        while wanted:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(wanted)} answers not transcribed after 900 s")
            message = reader.poll(0.05)
            if message is not None and not message.error():
                heard = read_event(Transcript, message.key(), message.value(), keyring)
                wanted.discard(heard.answer_id if heard else "")
    finally:
        reader.close()
        keyring.close()
    return ScaleResult(workers, answers, time.monotonic() - started)


@contextmanager
def loop_flows(start: Start, transcription_workers: int) -> Iterator[None]:
    """The flows of the learner loop and those reading its events, transcription at the
    given number of workers."""
    with ExitStack() as running:
        for flow in LOOP:
            extra = {"SPEECH_COACH_WORKERS": str(transcription_workers)}
            running.enter_context(start(flow, extra if flow == "transcription" else {}))
        yield
