"""What every message and callback handler is given about its update, besides the services.

Inner middleware of the dispatcher's `message` and `callback_query` observers: it runs only
for updates a handler matched, so unmatched updates cost no read-model query.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.i18n import Catalogs, language_from_telegram
from bot.learners import Learners


def telegram_event_id(update_id: int) -> str:
    """Event and answer id derived from the update: a re-delivered update yields the same id."""
    return f"tg-{update_id}"


class UpdateContext(BaseMiddleware):
    """Adds `learner` (Learner), `t` (their Texts), `event_id` (str) and `now` (UTC)."""

    def __init__(self, learners: Learners, catalogs: Catalogs) -> None:
        self._learners = learners
        self._catalogs = catalogs

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        update: Update | None = data.get("event_update")
        if user is None or update is None:
            return await handler(event, data)
        learner = await self._learners.get(str(user.id), language_from_telegram(user.language_code))
        data["learner"] = learner
        data["t"] = self._catalogs[learner.language]
        data["event_id"] = telegram_event_id(update.update_id)
        data["now"] = datetime.now(UTC)
        return await handler(event, data)
