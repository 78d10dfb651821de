"""Voice answers: checked, fetched from Telegram, stored, and announced as AnswerSubmitted."""

from __future__ import annotations

import asyncio
import io
import re
from math import floor

from aiogram import Bot, F, Router
from aiogram.types import Message, Update

from bot.i18n import Texts
from bot.learners import Learner
from bot.settings import BotSettings
from bot.sink import EventSink
from bot.voice_limits import VoiceRefused, check_voice
from clients.objectstore import ObjectStore, answer_key
from schemas.events import AnswerSubmitted

DEFAULT_MIME = "audio/ogg"
MIME_PATTERN = re.compile(r"[a-z]+/[a-z0-9.+-]+")


def mime_type(declared: str | None) -> str:
    """The client's MIME type when it is well-formed, else Telegram's voice default."""
    lowered = (declared or "").lower()
    return lowered if MIME_PATTERN.fullmatch(lowered) else DEFAULT_MIME


def refusal_text(refused: VoiceRefused, t: Texts) -> str:
    if refused.code == "too_large":
        return t("answer.too_large", limit_mb=floor(refused.limit))
    return t("answer.too_long", limit_s=floor(refused.limit))


async def voice(
    message: Message,
    *,
    event_update: Update,
    bot: Bot,
    learner: Learner,
    t: Texts,
    event_id: str,
    settings: BotSettings,
    sink: EventSink,
    store: ObjectStore,
) -> None:
    note = message.voice
    if note is None:  # the filter admits voice messages only
        return
    if not learner.consent:
        # Without consent nothing is downloaded or stored.
        await message.answer(t("answer.no_consent"))
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
        await message.answer(refusal_text(refused, t))
        return

    file = await bot.get_file(note.file_id)
    refused = refused_at(file.file_size)
    if refused is not None:
        await message.answer(refusal_text(refused, t))
        return
    if file.file_path is None:
        await message.answer(t("answer.unavailable"))
        return
    buffer = io.BytesIO()
    await bot.download_file(file.file_path, buffer, timeout=settings.download_timeout_s)
    audio = buffer.getvalue()
    refused = refused_at(len(audio))
    if refused is not None:
        await message.answer(refusal_text(refused, t))
        return

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
