"""What every speech recogniser offers the transcription flow (docs/learner-loop.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from schemas.events.transcript import Word


@dataclass(frozen=True)
class RecognizedSpeech:
    """What was heard in one WAV file; maps one to one onto a `Transcript` event."""

    text: str
    words: tuple[Word, ...]
    language: str  # ISO 639 code of the spoken language, e.g. "en"
    duration_s: float  # of the audio transcribed


class EngineUnavailable(Exception):
    """The engine cannot answer (missing or altered model, API error, timeout, bad audio)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SpeechRecognizer(Protocol):
    @property
    def name(self) -> str:
        """Engine and model, e.g. "faster-whisper:tiny.en"; recorded in `Transcript.engine`."""
        ...

    def transcribe(self, wav: Path) -> RecognizedSpeech:
        """Recognise a 16 kHz mono 16-bit WAV; raises `EngineUnavailable`."""
        ...
