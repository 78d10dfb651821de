"""One converted answer through transcription: fetch the WAV, recognise it, report."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from clients.objectstore import ObjectStore, StorageFailed
from flows.common.records import rejection
from flows.transcription.engines.base import EngineUnavailable, SpeechRecognizer
from schemas.events import AudioConverted, Rejected, Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recognizers:
    """The paid recogniser when one is configured, and the local one, which serves when
    there is no paid one, the learner has no credit for it, or it cannot answer."""

    paid: SpeechRecognizer | None
    local: SpeechRecognizer


@dataclass(frozen=True)
class Heard:
    """What transcription made of one answer, and whether the paid recogniser did it."""

    events: list[Transcript | Rejected]
    paid: bool


def transcribe_answer(
    converted: AudioConverted, store: ObjectStore, engines: Recognizers, *, may_pay: bool = False
) -> Heard:
    """Transcribes with the paid recogniser when `may_pay` (the learner has a credit for it)
    and one is configured, else locally; a paid request that fails falls back to local."""
    with tempfile.TemporaryDirectory(prefix="transcription-") as tmp:
        wav = Path(tmp) / "answer.wav"
        try:
            store.get_file(converted.wav_key, wav, bucket=converted.wav_bucket)
        except StorageFailed:
            if store.exists(converted.wav_key, bucket=converted.wav_bucket):
                raise  # the store failed, not the answer: retried when the flow resumes
            missing = "The recording was not found. Please record your answer again."
            return Heard([rejection(converted, "transcription", "audio_missing", missing)], False)
        engine = engines.paid if may_pay and engines.paid is not None else engines.local
        try:
            heard = engine.transcribe(wav)
        except EngineUnavailable as exc:
            if engine is engines.local:
                return Heard([_rejected(converted, exc.reason)], False)
            log.warning("%s failed for %s (%s); using %s", engine.name, converted.answer_id,
                        exc.reason, engines.local.name)  # fmt: skip
            engine = engines.local
            try:
                heard = engine.transcribe(wav)
            except EngineUnavailable as local_exc:
                return Heard([_rejected(converted, local_exc.reason)], False)
    paid = engine is engines.paid
    if not heard.text.strip() and not heard.words:
        silent = "No speech was heard in the recording. Please answer aloud, close to the mic."
        return Heard([rejection(converted, "transcription", "no_speech", silent)], paid)
    transcript = Transcript(
        event_id=f"transcript-{converted.answer_id}",
        occurred_at=datetime.now(UTC),
        user_id=converted.user_id,
        answer_id=converted.answer_id,
        text=heard.text,
        language=heard.language,
        engine=engine.name,
        words=heard.words,
        duration_s=heard.duration_s,
    )
    return Heard([transcript], paid)


def _rejected(converted: AudioConverted, reason: str) -> Rejected:
    message = f"The recording could not be transcribed ({reason[:200]})."
    return rejection(converted, "transcription", "transcription_failed", message)
