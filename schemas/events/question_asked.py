"""QuestionAsked: the bot sent a learner a question; time-to-answer starts here."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from schemas.events.base import ChatId, Event, Identifier, UtcDatetime


class QuestionAsked(Event):
    """A question sent to a learner."""

    EVENT_TYPE: ClassVar[str] = "question_asked"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    question_id: Identifier = Field(description="Question bank id of the question.")
    category: str = Field(min_length=1, max_length=64, description="Question bank category.")
    chat_id: ChatId = Field(description="Telegram chat the question was sent to.")
    asked_at: UtcDatetime = Field(
        description="The date Telegram gave the sent question message (UTC, whole seconds): "
        "when the question reached the learner; time to answer is measured from it."
    )
    repetition: bool = Field(
        description="True when the learner asked to repeat a question answered before."
    )
