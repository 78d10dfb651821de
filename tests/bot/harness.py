"""Running the real bot against the real stack and the fake Bot API, with bounded waits."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, LiteralString, TypeVar

import aiohttp
import psycopg

from bot.app import BotApp
from bot.catalog import QuestionCatalog
from bot.settings import BotSettings
from clients.kafka import read_to_end
from clients.settings import KafkaConnection
from schemas.events import Event
from schemas.serde import deserialize
from schemas.topics import topic_for

E = TypeVar("E", bound=Event)

WEBHOOK_SECRET = "test-webhook-secret_1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(coroutine: Any, timeout_s: float = 120.0) -> Any:
    """Runs a test scenario on a fresh event loop, bounded."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout_s))


@asynccontextmanager
async def serving(
    settings: BotSettings,
    catalog: QuestionCatalog,
    *,
    webhook: bool = True,
    wait_for_replies: bool = True,
) -> AsyncIterator[BotApp]:
    """The bot serving (webhook or polling), by default once its reply consumer is ready."""
    app = BotApp(settings, catalog, webhook=webhook)
    task = asyncio.create_task(app.serve())
    try:
        if wait_for_replies:
            await asyncio.wait_for(app.replies.ready.wait(), 60)
        if webhook:
            await _wait_healthy(settings)
        yield app
    finally:
        task.cancel()
        await asyncio.wait({task}, timeout=30)


async def _wait_healthy(settings: BotSettings, timeout_s: float = 10.0) -> None:
    url = f"http://127.0.0.1:{settings.webhook_port}/healthz"
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.1)


async def post_update(
    settings: BotSettings, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET
) -> int:
    """Posts an update as Telegram does; returns the HTTP status."""
    url = f"http://127.0.0.1:{settings.webhook_port}{settings.webhook_path}"
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    timeout = aiohttp.ClientTimeout(total=60)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        await response.read()
        return response.status


def read_topic(
    kafka: KafkaConnection, namespace: str, event_cls: type[E], timeout_s: float = 20.0
) -> list[E]:
    """Every event on the type's topic now: read up to the high watermarks, so it is exact."""
    topic = topic_for(event_cls.EVENT_TYPE, namespace)
    return [deserialize(event_cls, m.value()) for m in read_to_end(kafka, topic, timeout_s)]


def execute(dsn: str, statement: LiteralString, params: Sequence[Any] = ()) -> None:
    """Writes a read-model row as the JDBC sink would."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(statement, params)
