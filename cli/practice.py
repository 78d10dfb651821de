"""Submits a recording the way the bot does (upload + AnswerSubmitted) and waits for the
outcome on the feedback and rejection topics, reporting each stage as it passes."""

from __future__ import annotations

import mimetypes
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

from clients.kafka import consumer, producer, send
from clients.objectstore import ObjectStore, answer_key
from clients.settings import KafkaConnection, S3Connection
from schemas.events import AnswerSubmitted, AudioConverted, Event, Feedback, Rejected, Transcript
from schemas.serde import InvalidEvent, deserialize
from schemas.topics import topic_for

# The stages a submission passes, in order, and how to read each one's topic.
WATCHED: tuple[type[Event], ...] = (AudioConverted, Transcript, Feedback, Rejected)


@dataclass(frozen=True)
class Outcome:
    answer_id: str
    event: Feedback | Rejected
    latency_ms: float


def _mime(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    return {".oga": "audio/ogg", ".opus": "audio/ogg"}.get(path.suffix, guessed or "audio/ogg")


def _watch_from_now(kafka: KafkaConnection, namespace: str) -> Consumer:
    """A consumer positioned at the current end of every watched topic, before submitting."""
    reader = consumer(kafka, f"practice-{uuid.uuid4().hex}")
    partitions: list[TopicPartition] = []
    for event_cls in WATCHED:
        topic = topic_for(event_cls.EVENT_TYPE, namespace)
        for index in reader.list_topics(topic, timeout=10).topics[topic].partitions:
            # The end offset now, not "the end" when assigned: nothing produced after
            # submitting may be skipped.
            _, high = reader.get_watermark_offsets(TopicPartition(topic, index), timeout=10)
            partitions.append(TopicPartition(topic, index, high))
    reader.assign(partitions)
    return reader


def submit_and_wait(
    audio: Path,
    *,
    kafka: KafkaConnection,
    s3: S3Connection,
    namespace: str,
    user_id: str,
    question_id: str | None,
    timeout_s: float,
    progress: Callable[[str], None],
) -> Outcome:
    answer_id = f"cli-{uuid.uuid4().hex}"
    by_topic = {topic_for(c.EVENT_TYPE, namespace): c for c in WATCHED}
    reader = _watch_from_now(kafka, namespace)
    try:
        started = time.monotonic()
        key = answer_key(user_id, answer_id, audio.suffix.lstrip(".") or "bin")
        mime = _mime(audio)
        ObjectStore(s3).put_file(key, audio, mime)
        now = datetime.now(UTC)
        send(
            producer(kafka),
            topic_for(AnswerSubmitted.EVENT_TYPE, namespace),
            AnswerSubmitted(
                event_id=answer_id, occurred_at=now, user_id=user_id, answer_id=answer_id,
                question_id=question_id, audio_bucket=s3.bucket, audio_key=key, mime_type=mime,
                size_bytes=audio.stat().st_size, answered_at=now, source="cli",
            ),
        )  # fmt: skip
        progress(f"submitted {answer_id} ({audio.stat().st_size} bytes)")
        while (elapsed := time.monotonic() - started) < timeout_s:
            message = reader.poll(0.2)
            if message is None or message.error():
                continue
            event_cls = by_topic[message.topic()]
            try:
                event = deserialize(event_cls, message.value())
            except InvalidEvent:
                continue  # not ours to judge; the flows dead-letter it
            if getattr(event, "answer_id", None) != answer_id:
                continue
            match event:
                case AudioConverted():
                    progress(
                        f"converted: {event.duration_s:.1f} s of audio, {len(event.pauses)} pauses"
                    )
                case Transcript():
                    progress(f"transcribed by {event.engine}: {len(event.words)} words")
                case Feedback() | Rejected():
                    return Outcome(answer_id, event, (time.monotonic() - started) * 1000)
            progress(f"  ({elapsed:.1f} s)")
        raise TimeoutError(f"no feedback for {answer_id} within {timeout_s:.0f} s")
    finally:
        reader.close()
