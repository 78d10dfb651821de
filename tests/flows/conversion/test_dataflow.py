"""The conversion flow on the real stack: voice notes in, WAVs and measured pauses out, bad
audio rejected with a reason, and the pipeline still going."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients.objectstore import ObjectStore, answer_key
from flows.transcription.synth import encode_voice_note, synthesize
from schemas.events import AnswerSubmitted, AudioConverted, Rejected
from stack.settings import StackSettings
from tests.pipeline import Pipeline

pytestmark = pytest.mark.stack

TEXT = (
    "When I have free time I like to walk in the park near my house. "
    "It helps me think clearly and I often meet my neighbours there."
)


def _submit(pipeline: Pipeline, path: Path, mime: str, declared_s: float | None) -> AnswerSubmitted:
    store = ObjectStore(pipeline.s3)
    answer_id = f"cli-{uuid.uuid4().hex[:12]}"
    user = "conversion-test"
    key = answer_key(user, answer_id)
    store.put_file(key, path, mime)
    now = datetime.now(UTC)
    event = AnswerSubmitted(
        event_id=answer_id, occurred_at=now, user_id=user, answer_id=answer_id,
        audio_bucket=pipeline.s3.bucket, audio_key=key, mime_type=mime,
        declared_duration_s=declared_s, size_bytes=path.stat().st_size, answered_at=now,
        source="cli",
    )  # fmt: skip
    pipeline.send(event)
    return event


def _outcomes(
    pipeline: Pipeline, answers: list[AnswerSubmitted]
) -> dict[str, AudioConverted | Rejected]:
    wanted = {a.answer_id for a in answers}
    found: dict[str, AudioConverted | Rejected] = {}
    converted = pipeline.collect(
        AudioConverted, until=lambda events: len(events) >= 1, timeout_s=60
    )
    rejected = pipeline.collect(Rejected, until=lambda events: len(events) >= 2, timeout_s=60)
    events: list[AudioConverted | Rejected] = [*converted, *rejected]
    for event in events:
        if event.answer_id in wanted:
            found[event.answer_id] = event
    return found


def test_good_and_bad_answers(stack: StackSettings, unique: str, tmp_path: Path) -> None:
    pipeline = Pipeline(stack, f"t{unique}-", tmp_path / "state")
    wav = synthesize(TEXT, tmp_path / "speech.wav", wpm=150)
    ogg = encode_voice_note(wav, tmp_path / "speech.ogg")
    garbage = tmp_path / "garbage.ogg"
    garbage.write_bytes(os.urandom(20_000))

    with pipeline.flow("conversion"):
        bad = _submit(pipeline, garbage, "audio/ogg", 5)
        lying = _submit(pipeline, ogg, "audio/ogg", 60)  # declared far from the real ~8 s
        good = _submit(pipeline, ogg, "audio/ogg", 8)
        pipeline.send(good)  # a redelivered event: one conversion only
        outcomes = _outcomes(pipeline, [bad, lying, good])

    rejected_bad, rejected_lying = outcomes[bad.answer_id], outcomes[lying.answer_id]
    assert isinstance(rejected_bad, Rejected)
    assert rejected_bad.code == "corrupt_audio"
    assert isinstance(rejected_lying, Rejected)
    assert rejected_lying.code == "audio_truncated"  # less audio arrived than declared

    converted = outcomes[good.answer_id]
    assert isinstance(converted, AudioConverted)
    assert 6 < converted.duration_s < 11
    assert converted.sample_rate == 16000
    store = ObjectStore(pipeline.s3)
    assert store.exists(converted.wav_key)
    for answer in (bad, lying, good):
        assert not store.exists(answer.audio_key), "the original must be deleted"

    everything = pipeline.collect(AudioConverted, until=lambda _: False, timeout_s=3)
    assert [e.answer_id for e in everything].count(good.answer_id) == 1
