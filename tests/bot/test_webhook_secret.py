"""Webhook mode refuses to start without a secret: it would take updates from anyone."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Dispatcher

from bot.app import build_bot
from bot.settings import BotSettings
from bot.webhook import WebhookSecretMissing, webhook_app
from tests.fakes.telegram_api import TOKEN


def test_no_secret_no_webhook() -> None:
    async def build() -> None:
        settings = BotSettings(telegram_bot_token=TOKEN)
        bot = build_bot(settings)
        try:
            webhook_app(bot, Dispatcher(), settings)
        finally:
            await bot.session.close()

    with pytest.raises(WebhookSecretMissing, match="SPEECH_COACH_WEBHOOK_SECRET"):
        asyncio.run(build())
