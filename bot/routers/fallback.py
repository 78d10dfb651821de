"""Anything no other router handled: a hint instead of silence. Included last."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.i18n import Texts


async def hint(message: Message, t: Texts) -> None:
    await message.answer(t("fallback.hint"))


def build() -> Router:
    router = Router(name="fallback")
    router.message.register(hint)
    return router
