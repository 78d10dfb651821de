"""AudioConverted: the answer decoded to WAV, with measured duration and pauses."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from schemas.events.base import Event, Identifier, Part, Seconds


class Pause(Part):
    """A silent stretch of the recording."""

    start_s: Seconds = Field(description="Start, in seconds from the beginning of the audio.")
    end_s: Seconds = Field(description="End, in seconds from the beginning of the audio.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_s < self.start_s:
            raise ValueError("end_s must not precede start_s")
        return self


class AudioConverted(Event):
    """A converted answer; the raw upload may be deleted once this is written."""

    EVENT_TYPE: ClassVar[str] = "audio_converted"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Answer the audio belongs to.")
    wav_bucket: str = Field(
        min_length=3,
        max_length=63,
        pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$",
        description="Object storage bucket holding the WAV.",
    )
    wav_key: str = Field(min_length=1, max_length=1024, description="Object key of the WAV.")
    duration_s: Seconds = Field(description="Duration measured from the decoded audio.")
    sample_rate: int = Field(ge=8000, le=192000, description="WAV sample rate in Hz.")
    pauses: tuple[Pause, ...] = Field(description="Detected pauses, in order.")
    speech_duration_s: Seconds = Field(description="Time spent speaking: duration minus pauses.")
    leading_silence_s: Seconds | None = Field(
        default=None,
        description="Silence before the first speech: how long the learner took to start.",
    )
