"""Transcript: what the learner said, with word timings."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from schemas.events.base import Event, Identifier, Part, Seconds


class Word(Part):
    """One recognised word and when it was spoken."""

    word: str = Field(min_length=1, max_length=100, description="The word as recognised.")
    start_s: Seconds = Field(description="Start, in seconds from the beginning of the audio.")
    end_s: Seconds = Field(description="End, in seconds from the beginning of the audio.")
    probability: float | None = Field(
        default=None, ge=0, le=1, description="Recogniser confidence, when it reports one."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_s < self.start_s:
            raise ValueError("end_s must not precede start_s")
        return self


class Transcript(Event):
    """A transcription of one answer."""

    EVENT_TYPE: ClassVar[str] = "transcript"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Answer transcribed.")
    text: str = Field(
        max_length=100_000, description="Full transcript; empty when nothing was heard."
    )
    # A detected spoken language can be any, not only an interface language.
    language: str = Field(
        pattern=r"^[a-z]{2,3}$", description="Spoken language detected, ISO 639 code, e.g. 'en'."
    )
    engine: str = Field(
        min_length=1,
        max_length=64,
        description="Recogniser that produced it, e.g. 'faster-whisper:tiny.en'.",
    )
    words: tuple[Word, ...] = Field(description="Recognised words in order, with timings.")
    duration_s: Seconds = Field(description="Duration of the audio transcribed.")
