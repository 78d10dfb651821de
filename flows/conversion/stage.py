"""One answer through conversion: fetch, check, decode, measure, store, clean up, report."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from clients.objectstore import ObjectStore, StorageFailed, wav_key
from flows.common.records import rejection
from flows.conversion.audio import container_for_mime, convert
from flows.conversion.errors import AudioRejected, RejectionCode
from flows.conversion.limits import ConversionLimits
from schemas.events import AnswerSubmitted, AudioConverted, Rejected


def convert_answer(
    submitted: AnswerSubmitted, store: ObjectStore, limits: ConversionLimits
) -> list[AudioConverted | Rejected]:
    """AudioConverted, or Rejected with the reason; raises only when storage fails.

    The original recording is deleted once it has been converted or rejected (DESIGN §6).
    """
    target = wav_key(submitted.user_id, submitted.answer_id)
    with tempfile.TemporaryDirectory(prefix="conversion-") as tmp:
        original = Path(tmp) / "original"
        container: str | None = None
        declared = submitted.declared_duration_s
        try:
            store.get_file(submitted.audio_key, original, bucket=submitted.audio_bucket)
        except StorageFailed:
            # A redelivered answer whose original is gone was converted before: use its WAV.
            if not store.exists(target):
                missing = "The recording was not found."
                code = RejectionCode.AUDIO_MISSING.value
                return [rejection(submitted, "conversion", code, missing)]
            store.get_file(target, original)
            container, declared = "wav", None
        try:
            container = container or container_for_mime(submitted.mime_type)
            audio = convert(original, Path(tmp) / "answer.wav", declared, container, limits)
        except AudioRejected as exc:
            store.delete(submitted.audio_key, bucket=submitted.audio_bucket)
            return [rejection(submitted, "conversion", exc.code, exc.message)]
        store.put_file(target, audio.wav_path, "audio/wav")
    store.delete(submitted.audio_key, bucket=submitted.audio_bucket)
    converted = AudioConverted(
        event_id=f"converted-{submitted.answer_id}",
        occurred_at=datetime.now(UTC),
        user_id=submitted.user_id,
        answer_id=submitted.answer_id,
        wav_bucket=store.bucket,
        wav_key=target,
        duration_s=round(audio.duration_s, 3),
        sample_rate=audio.sample_rate,
        pauses=audio.speech.pauses,
        speech_duration_s=round(audio.speech.speech_duration_s, 3),
        leading_silence_s=round(audio.speech.leading_silence_s, 3),
    )
    return [converted]
