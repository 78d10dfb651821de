"""One converted answer through transcription, with the real object store and recogniser:
what it heard, or a typed refusal for the learner (no speech, audio gone, engine failure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients.objectstore import ObjectStore, wav_key
from flows.transcription.engines.local import LocalWhisper
from flows.transcription.stage import Recognizers, transcribe_answer
from flows.transcription.synth import synthesize
from schemas.events import AudioConverted, Rejected, Transcript
from stack.services.s3 import connection
from stack.settings import StackSettings
from tests.flows.conversion.synth import silence, write_wav

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def engines() -> Recognizers:
    local = LocalWhisper()
    return Recognizers(None, local)


def _converted(store: ObjectStore, wav: Path | None) -> AudioConverted:
    user, answer = "stage-test", f"cli-{uuid.uuid4().hex}"
    key = wav_key(user, answer)
    if wav is not None:
        store.put_file(key, wav, "audio/wav")
    return AudioConverted(
        event_id=f"converted-{answer}", occurred_at=datetime.now(UTC), user_id=user,
        answer_id=answer, wav_bucket=store.bucket, wav_key=key, duration_s=3.0,
        sample_rate=16000, pauses=(), speech_duration_s=3.0,
    )  # fmt: skip


def test_speech_is_transcribed(stack: StackSettings, engines: Recognizers, tmp_path: Path) -> None:
    store = ObjectStore(connection(stack))
    wav = synthesize("I like to walk in the park.", tmp_path / "speech.wav")
    [heard] = transcribe_answer(_converted(store, wav), store, engines).events
    assert isinstance(heard, Transcript)
    assert "park" in heard.text.lower()


def test_silence_is_refused_as_no_speech(
    stack: StackSettings, engines: Recognizers, tmp_path: Path
) -> None:
    store = ObjectStore(connection(stack))
    wav = write_wav(tmp_path / "silence.wav", silence(3.0))
    converted = _converted(store, wav)
    [refused] = transcribe_answer(converted, store, engines).events
    assert isinstance(refused, Rejected)
    assert (refused.stage, refused.code) == ("transcription", "no_speech")
    assert (refused.answer_id, refused.user_id) == (converted.answer_id, converted.user_id)


def test_audio_gone_from_storage_is_refused_not_a_crash(
    stack: StackSettings, engines: Recognizers
) -> None:
    store = ObjectStore(connection(stack))
    [refused] = transcribe_answer(_converted(store, None), store, engines).events
    assert isinstance(refused, Rejected)
    assert (refused.stage, refused.code) == ("transcription", "audio_missing")


def test_audio_the_engine_cannot_read_is_an_engine_failure(
    stack: StackSettings, engines: Recognizers, tmp_path: Path
) -> None:
    store = ObjectStore(connection(stack))
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVE not really a wave file")
    [refused] = transcribe_answer(_converted(store, broken), store, engines).events
    assert isinstance(refused, Rejected)
    assert (refused.stage, refused.code) == ("transcription", "transcription_failed")
