"""Registration, interface language and consent to store voice recordings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.i18n import LANGUAGES, Catalogs, Texts
from bot.learners import Learner
from bot.own_writes import OwnWrites
from bot.routers.callbacks import answer_in_place, chat_of
from bot.sink import EventSink
from schemas.events import UserEvent


class LanguageChoice(CallbackData, prefix="lang"):
    language: Literal["en", "ru"]
    onboarding: bool  # after /start the consent notice follows


class ConsentChoice(CallbackData, prefix="consent"):
    give: bool


class KeepRecordings(CallbackData, prefix="consent-keep"):
    """Consent given, and the recordings kept after grading (a prefix of its own, so the
    consent buttons already sent keep working)."""


def language_keyboard(t: Texts, onboarding: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(f"language.{language}"),
                    callback_data=LanguageChoice(language=language, onboarding=onboarding).pack(),
                )
                for language in LANGUAGES
            ]
        ]
    )


def consent_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("consent.give"), callback_data=ConsentChoice(give=True).pack()
                )
            ],
            [InlineKeyboardButton(text=t("consent.keep"), callback_data=KeepRecordings().pack())],
            [
                InlineKeyboardButton(
                    text=t("consent.withdraw"), callback_data=ConsentChoice(give=False).pack()
                )
            ],
        ]
    )


async def start(
    message: Message, *, learner: Learner, t: Texts, event_id: str, now: datetime, sink: EventSink
) -> None:
    user = message.from_user
    await sink.emit(
        UserEvent(
            event_id=event_id,
            occurred_at=now,
            user_id=learner.user_id,
            kind="registered",
            chat_id=message.chat.id,
            language=learner.language,
        )
    )
    await message.answer(t("start.welcome", name="" if user is None else user.first_name))
    await message.answer(t("start.choose_language"), reply_markup=language_keyboard(t, True))


async def help_(message: Message, t: Texts) -> None:
    await message.answer(t("start.help"))


async def language(message: Message, t: Texts) -> None:
    await message.answer(t("start.choose_language"), reply_markup=language_keyboard(t, False))


async def consent(message: Message, t: Texts) -> None:
    await message.answer(t("consent.notice"), reply_markup=consent_keyboard(t))


async def language_chosen(
    query: CallbackQuery,
    *,
    callback_data: LanguageChoice,
    bot: Bot,
    learner: Learner,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
    catalogs: Catalogs,
) -> None:
    chosen = callback_data.language
    chat_id = chat_of(query)
    await sink.emit(
        UserEvent(
            event_id=event_id,
            occurred_at=now,
            user_id=learner.user_id,
            kind="language_set",
            chat_id=chat_id,
            language=chosen,
        )
    )
    own_writes.language_set(learner.user_id, chosen, now)
    t = catalogs[chosen]
    await answer_in_place(query, bot, t("start.language_set"))
    if callback_data.onboarding and not learner.consent:
        await bot.send_message(chat_id, t("consent.notice"), reply_markup=consent_keyboard(t))


async def consent_chosen(
    query: CallbackQuery,
    *,
    callback_data: ConsentChoice | KeepRecordings,
    bot: Bot,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
) -> None:
    chat_id = chat_of(query)
    keep = isinstance(callback_data, KeepRecordings)
    give = keep or (isinstance(callback_data, ConsentChoice) and callback_data.give)
    await sink.emit(
        UserEvent(
            event_id=event_id,
            occurred_at=now,
            user_id=learner.user_id,
            kind="consent_given" if give else "consent_withdrawn",
            chat_id=chat_id,
            keep_recordings=keep if give else None,
        )
    )
    own_writes.consent_set(learner.user_id, give, now)
    answer = "consent.withdrawn"
    if give:
        answer = "consent.kept" if keep else "consent.given"
    await answer_in_place(query, bot, t(answer))


def build() -> Router:
    router = Router(name="start")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(language, Command("language"))
    router.message.register(consent, Command("consent"))
    router.callback_query.register(language_chosen, LanguageChoice.filter())
    router.callback_query.register(consent_chosen, ConsentChoice.filter())
    router.callback_query.register(consent_chosen, KeepRecordings.filter())
    return router
