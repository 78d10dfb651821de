"""Voice answers: checked, fetched from Telegram, stored, and announced as AnswerSubmitted;
or refused, announced as Rejected (stage "intake") and the learner told why (bot/intake.py)."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Callable
from datetime import datetime
from math import floor

import aiohttp
from aiogram import Bot, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
)
from aiogram.types import Message, Update

from bot.i18n import DEFAULT_LANGUAGE, Catalogs, Texts
from bot.intake import Detail, IntakeCode, intake_rejection, refusal_text
from bot.learners import Learner
from bot.quotas import OverLimit, Quota, wait_text, window_text
from bot.settings import BotSettings
from bot.sink import EventSink
from bot.voice_limits import VoiceRefused, check_voice
from clients.objectstore import ObjectStore, answer_key
from schemas.events import AnswerSubmitted

log = logging.getLogger(__name__)

DEFAULT_MIME = "audio/ogg"
MIME_PATTERN = re.compile(r"[a-z]+/[a-z0-9.+-]+")


# Telegram refusing the file (getFile), failing to serve it, or the download timing out.
TELEGRAM_FAILURES = (
    TelegramBadRequest,
    TelegramNotFound,
    TelegramNetworkError,
    TelegramServerError,
    aiohttp.ClientError,
    TimeoutError,
)


class DownloadFailed(Exception):
    """Telegram did not hand the voice note over."""


def mime_type(declared: str | None) -> str:
    """The client's MIME type when it is well-formed, else Telegram's voice default."""
    lowered = (declared or "").lower()
    return lowered if MIME_PATTERN.fullmatch(lowered) else DEFAULT_MIME


async def download(
    bot: Bot,
    file_id: str,
    *,
    timeout_s: int,
    refused_at: Callable[[int | None], VoiceRefused | None],
) -> bytes | VoiceRefused:
    """The note's bytes, or why its actual size refuses it; raises DownloadFailed."""
    try:
        file = await bot.get_file(file_id)
        refused = refused_at(file.file_size)
        if refused is not None:
            return refused
        if file.file_path is None:
            raise DownloadFailed("getFile gave no file_path")
        buffer = io.BytesIO()
        await bot.download_file(file.file_path, buffer, timeout=timeout_s)
    except TELEGRAM_FAILURES as exc:
        raise DownloadFailed(f"{type(exc).__name__}: {exc}") from exc
    audio = buffer.getvalue()
    refused = refused_at(len(audio))
    return audio if refused is None else refused


def limit_detail(refused: VoiceRefused) -> Detail:
    if refused.code == "too_large":
        return lambda t: t("intake.too_large", limit_mb=floor(refused.limit))
    return lambda t: t("intake.too_long", limit_s=floor(refused.limit))


def quota_detail(over: OverLimit) -> Detail:
    return lambda t: t(
        "intake.rate_limited",
        limit=over.limit.count,
        window=window_text(over.limit.window, t),
        wait=wait_text(over.retry_after_s, t),
    )


async def voice(
    message: Message,
    *,
    event_update: Update,
    bot: Bot,
    learner: Learner,
    t: Texts,
    catalogs: Catalogs,
    event_id: str,
    now: datetime,
    settings: BotSettings,
    sink: EventSink,
    store: ObjectStore,
    voice_quota: Quota,
) -> None:
    note = message.voice
    if note is None:  # the filter admits voice messages only
        return

    async def refuse(code: IntakeCode, detail: Detail | None = None) -> None:
        # Emitted before the reply: a failed reply makes Telegram deliver the update again,
        # and the repeated event (same event_id) is dropped downstream.
        await sink.emit(
            intake_rejection(
                code,
                answer_id=event_id,
                user_id=learner.user_id,
                chat_id=message.chat.id,
                at=now,
                message=refusal_text(code, catalogs[DEFAULT_LANGUAGE], detail),
            )
        )
        await message.answer(refusal_text(code, t, detail))

    if not learner.consent:
        # Without consent nothing is downloaded or stored.
        await refuse("no_consent")
        return

    def refused_at(size_bytes: int | None) -> VoiceRefused | None:
        return check_voice(
            size_bytes,
            note.duration,
            max_bytes=settings.max_voice_bytes,
            max_duration_s=settings.max_answer_s,
        )

    # Checked on what Telegram declares first: an oversized note is never downloaded.
    refused = refused_at(note.file_size)
    if refused is not None:
        await refuse(refused.code, limit_detail(refused))
        return
    # Counted only for notes that would be processed: the allowance bounds downloads,
    # storage and grading, not refusals.
    over = voice_quota.take(learner.user_id, event_id)
    if over is not None:
        await refuse("rate_limited", quota_detail(over))
        return

    try:
        fetched = await download(
            bot, note.file_id, timeout_s=settings.download_timeout_s, refused_at=refused_at
        )
    except DownloadFailed as exc:
        # Telegram re-delivering the update later would leave the learner waiting without a
        # word; sending the note again is quicker, so they are asked to.
        log.warning("voice note %s of %s not downloaded: %s", event_id, learner.user_id, exc)
        await refuse("download_failed")
        return
    if isinstance(fetched, VoiceRefused):
        await refuse(fetched.code, limit_detail(fetched))
        return
    audio = fetched

    # The answer id is the event id: a re-delivered update overwrites the same object.
    key = answer_key(learner.user_id, event_id)
    content_type = mime_type(note.mime_type)
    await asyncio.to_thread(store.put_bytes, key, audio, content_type)
    await sink.emit(
        AnswerSubmitted(
            event_id=event_id,
            occurred_at=message.date,
            user_id=learner.user_id,
            answer_id=event_id,
            question_id=learner.last_question_id,
            chat_id=message.chat.id,
            language=learner.language,
            audio_bucket=store.bucket,
            audio_key=key,
            mime_type=content_type,
            declared_duration_s=note.duration,
            size_bytes=len(audio),
            answered_at=message.date,
            update_id=event_update.update_id,
            source="telegram",
        )
    )
    await message.answer(t("answer.received"))


def build() -> Router:
    router = Router(name="answers")
    router.message.register(voice, F.voice)
    return router
