"""Sends replies through the rate limiter, waiting out flood control and transient errors.

Replies to one chat go out in the order they were queued; different chats proceed
concurrently, so one busy chat (held to a message a second) does not hold back the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.ratelimit import RateLimiter

log = logging.getLogger(__name__)

# Refusals about this one chat or message: retrying cannot help, and blocking every later
# reply on them would be worse than dropping this one.
UNDELIVERABLE = (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramMigrateToChat,
)


class ReplySender:
    def __init__(
        self,
        bot: Bot,
        limiter: RateLimiter,
        *,
        max_backoff_s: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._limiter = limiter
        self._max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._last_in_chat: dict[int, asyncio.Future[None]] = {}

    def queue(self, chat_id: int, text: str) -> asyncio.Task[bool]:
        """Sends after every reply queued before for the chat; the task's result as `send`."""
        # The place in line is taken here, synchronously, not when the task first runs.
        previous = self._last_in_chat.get(chat_id)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last_in_chat[chat_id] = mine

        async def in_turn() -> bool:
            try:
                if previous is not None:
                    await asyncio.wait({previous})
                return await self.send(chat_id, text)
            finally:
                mine.set_result(None)
                if self._last_in_chat.get(chat_id) is mine:
                    del self._last_in_chat[chat_id]

        return asyncio.create_task(in_turn(), name=f"reply-to-{chat_id}")

    async def send(self, chat_id: int, text: str) -> bool:
        """True once Telegram accepted the message; False if it refused it for good.

        Flood control (429) is waited out for the `retry_after` Telegram names; network and
        server errors are retried with capped exponential backoff, for as long as it takes:
        the caller commits its offset only after this returns. Any other error (an invalid
        token, say) propagates: it concerns every reply, not this one.
        """
        backoff = 1.0
        while True:
            await self._limiter.acquire(chat_id)
            try:
                await self._bot.send_message(chat_id, text)
            except TelegramRetryAfter as exc:
                log.warning("flood control on chat %d: retrying in %d s", chat_id, exc.retry_after)
                await self._sleep(exc.retry_after)
            except (TelegramNetworkError, TelegramServerError) as exc:
                log.warning(
                    "sending to chat %d failed (%s): retrying in %.0f s", chat_id, exc, backoff
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
            except UNDELIVERABLE as exc:
                log.warning("Telegram refused a reply to chat %d: %s", chat_id, exc)
                return False
            else:
                return True
