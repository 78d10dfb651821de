"""A learner as the bot sees them: read models overlaid with the bot's own recent writes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.own_writes import OwnWrites, Stamped, newer
from bot.readmodels import ReadModels
from schemas.events.base import Language


@dataclass(frozen=True)
class Learner:
    user_id: str
    language: Language
    consent: bool
    last_question_id: str | None
    # The chat the bot talks to them in, from their record (rm_learners): None for a learner
    # who never used the bot (CLI practice) or whose record was erased.
    chat_id: int | None


class Learners:
    def __init__(self, read_models: ReadModels, own_writes: OwnWrites) -> None:
        self.read_models = read_models
        self.own_writes = own_writes

    async def get(self, user_id: str, default_language: Language) -> Learner:
        """The learner's state; a learner nobody has seen gets `default_language`, no consent."""
        row, last = await asyncio.gather(
            self.read_models.learner(user_id), self.read_models.last_question(user_id)
        )
        own = self.own_writes.get(user_id)
        row_language = None if row is None else Stamped(row.language, row.updated_at)
        row_consent = None if row is None else Stamped(row.consent, row.updated_at)
        row_last = None if last is None else Stamped(last.question_id, last.asked_at)
        return Learner(
            user_id=user_id,
            language=newer(own.language, row_language) or default_language,
            consent=newer(own.consent, row_consent) or False,
            last_question_id=newer(own.last_question, row_last),
            chat_id=None if row is None else row.chat_id,
        )
