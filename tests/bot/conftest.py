"""Fixtures of the bot's stack tests: namespaced topics, a read-model database, the fake API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.settings import BotSettings
from clients.settings import KafkaConnection, PostgresConnection
from stack.services.s3 import connection as s3_connection
from stack.settings import StackSettings
from tests.bot.harness import WEBHOOK_SECRET, free_port
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.pipeline import create_topics, readmodels_database


@pytest.fixture
def namespace(stack: StackSettings, unique: str) -> str:
    """A topic prefix of this test's own, with every declared topic created under it."""
    prefix = f"test-bot-{unique}."
    create_topics(stack, prefix)
    return prefix


@pytest.fixture(scope="module")
def readmodels_dsn(stack: StackSettings) -> Iterator[str]:
    with readmodels_database(stack) as dsn:
        yield dsn


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def settings(
    stack: StackSettings, namespace: str, readmodels_dsn: str, telegram: FakeTelegram, unique: str
) -> BotSettings:
    return BotSettings(
        kafka=KafkaConnection(bootstrap_servers=stack.bootstrap_servers),
        s3=s3_connection(stack),
        postgres=PostgresConnection(dsn=readmodels_dsn),
        telegram_bot_token=TOKEN,
        telegram_api_base=telegram.base_url,
        webhook_secret=WEBHOOK_SECRET,
        webhook_port=free_port(),
        topic_namespace=namespace,
        reply_group_id=f"test-bot-replies-{unique}",
    )
