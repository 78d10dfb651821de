"""Each Telegram update is handled successfully at most once per process.

Telegram re-delivers an update when the webhook did not answer 2xx, and in polling mode
after a restart before the offset was confirmed. Ids are kept as a bounded set of the ids
seen, not a high-water mark: updates of different chats are handled concurrently and finish
out of order. An update is remembered only once its handler succeeded, so a retry after a
failure (the broker did not ack) is handled again. A copy arriving while the first is still
being handled waits for it. Downstream stages are idempotent by answer_id besides.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

log = logging.getLogger(__name__)


class SeenUpdates(BaseMiddleware):
    """Outer middleware of the dispatcher's `update` observer."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._in_flight: dict[int, asyncio.Future[None]] = {}

    def __contains__(self, update_id: int) -> bool:
        return update_id in self._seen

    def _remember(self, update_id: int) -> None:
        self._seen[update_id] = None
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        update_id = event.update_id
        while (pending := self._in_flight.get(update_id)) is not None:
            await asyncio.wait({pending})
        if update_id in self._seen:
            log.info("update %d was handled before; skipped", update_id)
            return None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._in_flight[update_id] = done
        try:
            result = await handler(event, data)
            self._remember(update_id)
            return result
        finally:
            del self._in_flight[update_id]
            done.set_result(None)
