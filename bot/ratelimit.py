"""Spacing of outgoing messages within Telegram's limits: about one message a second per chat,
and no more than about thirty a second overall (we keep to 25).

Each caller reserves the next free slot before it sleeps, so concurrent senders never share a
slot and the order of reservations is the order of sending.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    def __init__(
        self,
        per_chat_interval_s: float = 1.0,
        overall_per_s: float = 25.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_chats: int = 10_000,
    ) -> None:
        self._chat_interval = per_chat_interval_s
        self._overall_interval = 1.0 / overall_per_s
        self._clock = clock
        self._sleep = sleep
        self._max_chats = max_chats
        self._next_overall = float("-inf")
        self._next_in_chat: dict[int, float] = {}

    async def acquire(self, chat_id: int) -> None:
        """Returns when a message to `chat_id` may be sent."""
        now = self._clock()
        slot = max(now, self._next_overall, self._next_in_chat.get(chat_id, now))
        self._next_overall = slot + self._overall_interval
        self._next_in_chat[chat_id] = slot + self._chat_interval
        if len(self._next_in_chat) > self._max_chats:
            # A chat whose next slot has passed constrains nothing: forget it.
            self._next_in_chat = {c: t for c, t in self._next_in_chat.items() if t > now}
        if slot > now:
            await self._sleep(slot - now)
