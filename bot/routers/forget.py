"""/forget: the learner's erasure, after they confirm it (docs/privacy.md).

The bot only asks: an `erasure_requested` user event, which every flow acts on; the erasure
flow reports when every store is clean, and the reply consumer tells the learner.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Texts
from bot.learners import Learner
from bot.own_writes import OwnWrites
from bot.routers.callbacks import answer_in_place, chat_of
from bot.sink import EventSink
from schemas.events import UserEvent


class ForgetChoice(CallbackData, prefix="forget"):
    erase: bool


def forget_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("forget.erase"), callback_data=ForgetChoice(erase=True).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    text=t("forget.keep"), callback_data=ForgetChoice(erase=False).pack()
                )
            ],
        ]
    )


async def forget(message: Message, t: Texts) -> None:
    await message.answer(t("forget.confirm"), reply_markup=forget_keyboard(t))


async def forget_chosen(
    query: CallbackQuery,
    *,
    callback_data: ForgetChoice,
    bot: Bot,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
) -> None:
    if not callback_data.erase:
        await answer_in_place(query, bot, t("forget.cancelled"))
        return
    await sink.emit(
        UserEvent(
            event_id=event_id,
            occurred_at=now,
            user_id=learner.user_id,
            kind="erasure_requested",
            chat_id=chat_of(query),
            # The report comes after the learner's record is gone: it carries the language.
            language=learner.language,
        )
    )
    # No more answers are taken until they consent again, even before the read models know.
    own_writes.consent_set(learner.user_id, False, now)
    await answer_in_place(query, bot, t("forget.requested"))


def build() -> Router:
    router = Router(name="forget")
    router.message.register(forget, Command("forget"))
    router.callback_query.register(forget_chosen, ForgetChoice.filter())
    return router
