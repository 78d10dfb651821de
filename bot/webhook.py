"""The webhook server: Telegram posts updates here; the answer waits for the handler.

aiogram's `SimpleRequestHandler` answers 200 before the handler runs unless told
`handle_in_background=False`. With it, the HTTP answer is sent after the handler: after the
broker acknowledged the event. A handler that raises (broker down, storage down) makes the
answer a 500, and Telegram delivers the update again. A wrong or missing
`X-Telegram-Bot-Api-Secret-Token` gets 401 from aiogram before any handler runs.
"""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.settings import BotSettings


class WebhookSecretMissing(ValueError):
    """Webhook mode without a secret would accept updates from anyone."""


async def _healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


def webhook_app(bot: Bot, dispatcher: Dispatcher, settings: BotSettings) -> web.Application:
    if settings.webhook_secret is None:
        raise WebhookSecretMissing("webhook mode needs SPEECH_COACH_WEBHOOK_SECRET")
    app = web.Application()
    SimpleRequestHandler(
        dispatcher,
        bot,
        handle_in_background=False,
        secret_token=settings.webhook_secret.get_secret_value(),
    ).register(app, path=settings.webhook_path)
    app.router.add_get("/healthz", _healthz)
    setup_application(app, dispatcher, bot=bot)
    return app
