"""UserEvent: a learner's lifecycle in the bot (registration, language, consent, erasure)."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from schemas.events.base import ChatId, Event, Language


class UserEvent(Event):
    """A change to a learner's account. A language_set event carries the language."""

    EVENT_TYPE: ClassVar[str] = "user_event"
    SCHEMA_VERSION: ClassVar[int] = 2

    schema_version: Literal[2] = Field(default=2, description="Schema version of this event.")
    kind: Literal[
        "registered", "language_set", "consent_given", "consent_withdrawn", "erasure_requested"
    ] = Field(description="What happened to the account.")
    chat_id: ChatId = Field(description="Telegram chat the bot talks to the learner in.")
    language: Language | None = Field(
        default=None, description="Interface language, when the event sets or reports it."
    )
    username: str | None = Field(
        default=None, min_length=1, max_length=64, description="Telegram @username without '@'."
    )
    # v2
    keep_recordings: bool | None = Field(
        default=None,
        description="With consent_given: whether the learner lets us keep their recordings "
        "after grading. None (and every v1 event): no, they are deleted once transcribed.",
    )

    @model_validator(mode="after")
    def _language_set_has_language(self) -> Self:
        if self.kind == "language_set" and self.language is None:
            raise ValueError("a language_set event needs a language")
        return self
