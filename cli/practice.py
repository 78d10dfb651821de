"""Submits a recording the way the bot does (upload + AnswerSubmitted) and waits for the
outcome on the feedback and rejection topics, reporting each stage as it passes.

The submission waits for the broker long enough to ride out a restart of it (17 s measured
here), and tries again with the same answer id if it must: the flows handle an answer id
once, so one recording is graded once however often it was sent.
"""

from __future__ import annotations

import mimetypes
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from confluent_kafka import Producer

from clients.kafka import DeliveryFailed, producer, reading_from_now, send
from clients.keyring import Keyring, read_event
from clients.objectstore import ObjectStore, answer_key
from clients.settings import KafkaConnection, S3Connection
from schemas.events import AnswerSubmitted, AudioConverted, Event, Feedback, Rejected, Transcript
from schemas.serde import InvalidEvent
from schemas.topics import topic_for

# The stages a submission passes, in order, and how to read each one's topic.
WATCHED: tuple[type[Event], ...] = (AudioConverted, Transcript, Feedback, Rejected)


# A restarted broker served again after about 17 s here; give each attempt more.
DELIVERY_TIMEOUT_S = 30.0
ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    answer_id: str
    event: Feedback | Rejected
    latency_ms: float  # from the broker accepting the answer to its outcome
    submit_ms: float  # uploading the recording and sending the answer


def _mime(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    return {".oga": "audio/ogg", ".opus": "audio/ogg"}.get(path.suffix, guessed or "audio/ogg")


def submit(
    audio: Path,
    *,
    writer: Producer,
    s3: S3Connection,
    namespace: str,
    user_id: str,
    question_id: str | None,
    progress: Callable[[str], None],
) -> AnswerSubmitted:
    """Uploads the recording and sends its AnswerSubmitted; returns it once the broker has it."""
    answer_id = f"cli-{uuid.uuid4().hex}"
    key = answer_key(user_id, answer_id, audio.suffix.lstrip(".") or "bin")
    mime = _mime(audio)
    ObjectStore(s3).put_file(key, audio, mime)
    now = datetime.now(UTC)
    answer = AnswerSubmitted(
        event_id=answer_id, occurred_at=now, user_id=user_id, answer_id=answer_id,
        question_id=question_id, audio_bucket=s3.bucket, audio_key=key, mime_type=mime,
        size_bytes=audio.stat().st_size, answered_at=now, source="cli",
    )  # fmt: skip
    topic = topic_for(AnswerSubmitted.EVENT_TYPE, namespace)
    attempt = 1
    while True:
        try:
            send(writer, topic, answer, timeout_s=DELIVERY_TIMEOUT_S)
        except DeliveryFailed as failure:
            if attempt == ATTEMPTS:
                raise
            attempt += 1
            progress(f"the broker did not confirm {answer_id} ({failure}); sending it again")
        else:
            return answer


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
    writer: Producer | None = None,
    keyring: Keyring | None = None,
) -> Outcome:
    """Submits `audio` and waits for its outcome; `keyring` opens the sealed events (one is
    read for the call when none is given)."""
    by_topic = {topic_for(c.EVENT_TYPE, namespace): c for c in WATCHED}
    own_keyring = keyring is None
    keys = keyring or Keyring(kafka, namespace)
    reader = reading_from_now(kafka, by_topic)
    try:
        started = time.monotonic()
        answer = submit(
            audio, writer=writer or producer(kafka), s3=s3, namespace=namespace,
            user_id=user_id, question_id=question_id, progress=progress,
        )  # fmt: skip
        accepted = time.monotonic()
        answer_id = answer.answer_id
        progress(f"submitted {answer_id} ({answer.size_bytes} bytes)")
        while (elapsed := time.monotonic() - accepted) < timeout_s:
            message = reader.poll(0.2)
            if message is None or message.error():
                continue
            if message.key() != user_id.encode():
                continue  # another learner's
            try:
                event = read_event(by_topic[message.topic()], message.key(), message.value(), keys)
            except InvalidEvent:
                continue  # not ours to judge; the flows dead-letter it
            if event is None or getattr(event, "answer_id", None) != answer_id:
                continue
            match event:
                case AudioConverted():
                    progress(
                        f"converted: {event.duration_s:.1f} s of audio, {len(event.pauses)} pauses"
                    )
                case Transcript():
                    progress(f"transcribed by {event.engine}: {len(event.words)} words")
                case Feedback() | Rejected():
                    done = time.monotonic()
                    return Outcome(
                        answer_id, event, (done - accepted) * 1000, (accepted - started) * 1000
                    )
            progress(f"  ({elapsed:.1f} s)")
        raise TimeoutError(f"no feedback for {answer_id} within {timeout_s:.0f} s")
    finally:
        reader.close()
        if own_keyring:
            keys.close()
