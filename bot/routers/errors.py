"""Polling mode only: a learner whose update failed is asked to send it again.

In polling mode aiogram confirms every update's offset whatever the handler did, so Telegram
will not re-deliver it; the learner is the only one who can. In webhook mode this router is
left out: the failure becomes a non-2xx answer and Telegram re-delivers the update itself.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.i18n import Catalogs, language_from_telegram
from bot.readmodels import ReadModelError
from clients.kafka import DeliveryFailed
from clients.objectstore import StorageFailed

log = logging.getLogger(__name__)


async def try_again(event: ErrorEvent, bot: Bot, catalogs: Catalogs) -> None:
    update_id = event.update.update_id
    log.warning("update %d failed; asking the learner to resend: %s", update_id, event.exception)
    context = UserContextMiddleware.resolve_event_context(event.update)
    if context.chat is None:
        return
    language = language_from_telegram(None if context.user is None else context.user.language_code)
    await bot.send_message(context.chat.id, catalogs[language]("errors.try_again"))


def build() -> Router:
    router = Router(name="errors")
    router.errors.register(
        try_again,
        ExceptionTypeFilter(DeliveryFailed, StorageFailed, ReadModelError, TelegramAPIError),
    )
    return router
