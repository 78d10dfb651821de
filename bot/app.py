"""The bot assembled: services, dispatcher with its routers, reply consumer; and how it runs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp import web

from bot.catalog import QuestionCatalog
from bot.context import UpdateContext
from bot.dedup import SeenUpdates
from bot.i18n import Catalogs
from bot.learners import Learners
from bot.own_writes import OwnWrites
from bot.quotas import Limit, Quota, Window
from bot.ratelimit import RateLimiter
from bot.readmodels import ReadModels
from bot.reply_consumer import ReplyConsumer
from bot.reply_sender import ReplySender
from bot.routers import answers, credits, errors, fallback, forget, questions, start, stats
from bot.settings import BotSettings
from bot.sink import EventSink
from bot.webhook import webhook_app
from clients.objectstore import ObjectStore

log = logging.getLogger(__name__)


def build_bot(settings: BotSettings) -> Bot:
    base = settings.telegram_api_base
    session = (
        AiohttpSession() if base is None else AiohttpSession(api=TelegramAPIServer.from_base(base))
    )
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


@dataclass(frozen=True)
class Services:
    """What handlers are given, by these names, through the dispatcher."""

    settings: BotSettings
    sink: EventSink
    read_models: ReadModels
    own_writes: OwnWrites
    learners: Learners
    catalog: QuestionCatalog
    store: ObjectStore
    catalogs: Catalogs
    voice_quota: Quota
    stats_quota: Quota


def build_dispatcher(services: Services, *, webhook: bool) -> Dispatcher:
    dispatcher = Dispatcher(
        settings=services.settings,
        sink=services.sink,
        read_models=services.read_models,
        own_writes=services.own_writes,
        catalog=services.catalog,
        store=services.store,
        catalogs=services.catalogs,
        voice_quota=services.voice_quota,
        stats_quota=services.stats_quota,
    )
    dispatcher.update.outer_middleware(SeenUpdates())
    context = UpdateContext(services.learners, services.catalogs)
    dispatcher.message.middleware(context)
    dispatcher.callback_query.middleware(context)
    dispatcher.include_routers(
        start.build(),
        questions.build(),
        answers.build(),
        credits.build(),
        stats.build(),
        forget.build(),
        fallback.build(),
    )
    if not webhook:
        dispatcher.include_router(errors.build())
    return dispatcher


class BotApp:
    def __init__(self, settings: BotSettings, catalog: QuestionCatalog, *, webhook: bool) -> None:
        self.settings = settings
        self.webhook = webhook
        read_models = ReadModels(settings.postgres.dsn)
        own_writes = OwnWrites()
        learners = Learners(read_models, own_writes)
        catalogs = Catalogs.load()
        self.services = Services(
            settings=settings,
            sink=EventSink(settings.kafka, settings.topic_namespace, settings.delivery_timeout_s),
            read_models=read_models,
            own_writes=own_writes,
            learners=learners,
            catalog=catalog,
            store=ObjectStore(settings.s3),
            catalogs=catalogs,
            voice_quota=Quota(
                [
                    Limit(settings.voice_per_minute, Window.MINUTE),
                    Limit(settings.voice_per_hour, Window.HOUR),
                ]
            ),
            stats_quota=Quota([Limit(settings.stats_per_minute, Window.MINUTE)]),
        )
        self.bot = build_bot(settings)
        self.dispatcher = build_dispatcher(self.services, webhook=webhook)
        self.replies = ReplyConsumer(
            kafka=settings.kafka,
            group_id=settings.reply_group_id,
            namespace=settings.topic_namespace,
            sender=ReplySender(self.bot, RateLimiter()),
            learners=learners,
            catalogs=catalogs,
            rebuild_timeout_s=settings.reply_rebuild_timeout_s,
        )
        self.dispatcher.startup.register(self._register_webhook)

    async def _register_webhook(self) -> None:
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        if self.webhook and url is not None and secret is not None:
            await self.bot.set_webhook(
                url,
                secret_token=secret.get_secret_value(),
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )

    async def serve(self) -> None:
        """Runs until cancelled, or until the reply consumer fails (then raises its error)."""
        replies = asyncio.create_task(self.replies.run(), name="reply-consumer")
        runner: web.AppRunner | None = None
        tasks = {replies}
        try:
            if self.webhook:
                runner = web.AppRunner(webhook_app(self.bot, self.dispatcher, self.settings))
                await runner.setup()
                site = web.TCPSite(runner, self.settings.webhook_host, self.settings.webhook_port)
                await site.start()
                log.info("webhook listening on %s", site.name)
            else:
                # getUpdates is refused while a webhook is set.
                await self.bot.delete_webhook()
                tasks.add(
                    asyncio.create_task(
                        self.dispatcher.start_polling(
                            self.bot, handle_signals=False, close_bot_session=False
                        ),
                        name="polling",
                    )
                )
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # re-raises a failure
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if runner is not None:
                await runner.cleanup()
            await self.close()

    async def close(self) -> None:
        await self.services.read_models.close()
        await asyncio.to_thread(self.services.sink.close)
        await self.bot.session.close()
