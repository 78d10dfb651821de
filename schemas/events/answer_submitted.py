"""AnswerSubmitted: a voice answer stored in object storage, awaiting conversion."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from schemas.events.base import (
    INT64_MAX,
    ChatId,
    Count,
    Event,
    Identifier,
    Language,
    Seconds,
    UtcDatetime,
)


class AnswerSubmitted(Event):
    """A recorded answer. Telegram answers carry update_id and chat_id; CLI answers no update_id."""

    EVENT_TYPE: ClassVar[str] = "answer_submitted"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Id of the answer; every later stage is keyed by it.")
    question_id: Identifier | None = Field(
        default=None, description="Question answered; None for free practice."
    )
    chat_id: ChatId | None = Field(
        default=None, description="Telegram chat to reply in; None for CLI submissions."
    )
    language: Language = Field(
        default="en", description="The learner's interface language: replies are written in it."
    )
    audio_bucket: str = Field(
        min_length=3,
        max_length=63,
        pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$",
        description="Object storage bucket holding the uploaded audio.",
    )
    audio_key: str = Field(
        min_length=1, max_length=1024, description="Object key of the uploaded audio."
    )
    mime_type: str = Field(
        max_length=127,
        pattern=r"^[a-z]+/[a-z0-9.+-]+$",
        description="MIME type the client declared, e.g. 'audio/ogg'.",
    )
    declared_duration_s: Seconds | None = Field(
        default=None,
        description="Duration the client declared; conversion checks it against the measured one.",
    )
    size_bytes: Count = Field(description="Size of the uploaded audio in bytes.")
    answered_at: UtcDatetime = Field(
        description="When the learner sent the answer (UTC): the voice message's Telegram date. "
        "Time to answer ends at the start of speech: this minus the decoded duration plus "
        "the leading silence."
    )
    update_id: int | None = Field(
        default=None,
        ge=0,
        le=INT64_MAX,
        description="Telegram update that carried the answer; None for CLI submissions.",
    )
    source: Literal["telegram", "cli"] = Field(description="Where the answer came from.")

    @model_validator(mode="after")
    def _source_matches_ids(self) -> Self:
        if self.source == "telegram" and (self.update_id is None or self.chat_id is None):
            raise ValueError("a telegram answer needs update_id and chat_id")
        if self.source == "cli" and self.update_id is not None:
            raise ValueError("a cli answer has no update_id")
        return self
