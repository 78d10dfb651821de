"""`speech-coach bot [--webhook]`: the Telegram bot, by long polling or as a webhook server.

Polling confirms every update to Telegram whatever its handler did: an update whose event
the broker refused is lost to the bot, and the learner is asked to send it again. In webhook
mode the update is acknowledged only after the broker acknowledged its event (a failure
answers 500 and Telegram re-delivers), so production runs `--webhook`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from bot.app import BotApp
from bot.settings import BotSettings
from questionbank.catalog import QuestionCatalog
from questionbank.connector import cdc_topic

CATALOG_LOAD_TIMEOUT_S = 60.0


def register(parser: argparse.ArgumentParser) -> None:
    bot = parser
    bot.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook (aiohttp) instead of long polling",
    )
    bot.set_defaults(run=_run)


async def _serve(app: BotApp) -> None:
    # SIGTERM (supervisord, docker stop) ends the bot as cleanly as Ctrl-C does.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await app.serve()


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = BotSettings()
    with QuestionCatalog(settings.kafka, cdc_topic(settings.topic_namespace).name) as catalog:
        catalog.wait_until_loaded(CATALOG_LOAD_TIMEOUT_S)
        app = BotApp(settings, catalog, webhook=args.webhook)
        with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
            asyncio.run(_serve(app))
    return 0
