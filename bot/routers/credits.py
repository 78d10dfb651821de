"""/credits: the learner's balance of credits for GPT-graded answers."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.i18n import Texts
from bot.learners import Learner
from bot.readmodels import ReadModels


async def credits(message: Message, learner: Learner, t: Texts, read_models: ReadModels) -> None:
    await message.answer(t("credits.balance", balance=await read_models.balance(learner.user_id)))


def build() -> Router:
    router = Router(name="credits")
    router.message.register(credits, Command("credits"))
    return router
