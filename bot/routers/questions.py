"""/question (with a category picker) and /repeat: a question sent, QuestionAsked emitted."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.catalog import Category, QuestionCatalog, QuestionLike
from bot.i18n import Texts
from bot.learners import Learner
from bot.own_writes import OwnWrites
from bot.readmodels import ReadModels
from bot.selection import pick_question
from bot.sink import EventSink
from schemas.events import QuestionAsked

Choice = Literal["interview", "independent", "job_interview", "workplace", "any"]
CHOICES: tuple[Choice, ...] = get_args(Choice)


class CategoryChoice(CallbackData, prefix="category"):
    category: Choice


def category_keyboard(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t(f"category.{choice}"),
                    callback_data=CategoryChoice(category=choice).pack(),
                )
            ]
            for choice in CHOICES
        ]
    )


def seconds(value: float) -> str:
    return f"{value:g}"


def question_text(question: QuestionLike, t: Texts, repetition: bool) -> str:
    text = t(
        "question.asked",
        category=t(f"category.{question.category}"),
        text=question.text,
        answer_s=seconds(question.answer_time_s),
        preparation_s=seconds(question.preparation_s),
    )
    return f"{t('question.repetition')}\n{text}" if repetition else text


async def _send_question(
    bot: Bot,
    chat_id: int,
    question: QuestionLike,
    repetition: bool,
    *,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
) -> None:
    # Emitted before the text is sent: a failed send makes Telegram deliver the update again,
    # and the repeated event (same event_id) is dropped downstream, a repeated text is not.
    await sink.emit(
        QuestionAsked(
            event_id=event_id,
            occurred_at=now,
            user_id=learner.user_id,
            question_id=question.question_id,
            category=question.category,
            chat_id=chat_id,
            asked_at=now,
            repetition=repetition,
        )
    )
    own_writes.question_asked(learner.user_id, question.question_id, now)
    await bot.send_message(chat_id, question_text(question, t, repetition))


async def _ask(
    bot: Bot,
    chat_id: int,
    category: Category | None,
    *,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
    read_models: ReadModels,
    catalog: QuestionCatalog,
) -> None:
    pick = pick_question(
        catalog.active(category),
        await read_models.due_at(learner.user_id),
        user_id=learner.user_id,
        now=now,
        last_asked=learner.last_question_id,
    )
    if pick is None:
        await bot.send_message(chat_id, t("question.all_answered"))
        return
    await _send_question(
        bot,
        chat_id,
        pick.question,
        pick.repetition,
        learner=learner,
        t=t,
        event_id=event_id,
        now=now,
        sink=sink,
        own_writes=own_writes,
    )


def _category(choice: Choice) -> Category | None:
    return None if choice == "any" else choice


async def question(
    message: Message,
    *,
    command: CommandObject,
    bot: Bot,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
    read_models: ReadModels,
    catalog: QuestionCatalog,
) -> None:
    wanted = (command.args or "").strip().lower()
    if not wanted:
        await message.answer(t("question.choose_category"), reply_markup=category_keyboard(t))
        return
    choice = next((c for c in CHOICES if c == wanted), None)
    if choice is None:
        await message.answer(
            t("question.unknown_category", category=wanted), reply_markup=category_keyboard(t)
        )
        return
    await _ask(
        bot,
        message.chat.id,
        _category(choice),
        learner=learner,
        t=t,
        event_id=event_id,
        now=now,
        sink=sink,
        own_writes=own_writes,
        read_models=read_models,
        catalog=catalog,
    )


async def category_chosen(
    query: CallbackQuery,
    *,
    callback_data: CategoryChoice,
    bot: Bot,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
    read_models: ReadModels,
    catalog: QuestionCatalog,
) -> None:
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await _ask(
        bot,
        chat_id,
        _category(callback_data.category),
        learner=learner,
        t=t,
        event_id=event_id,
        now=now,
        sink=sink,
        own_writes=own_writes,
        read_models=read_models,
        catalog=catalog,
    )


async def repeat(
    message: Message,
    *,
    bot: Bot,
    learner: Learner,
    t: Texts,
    event_id: str,
    now: datetime,
    sink: EventSink,
    own_writes: OwnWrites,
    catalog: QuestionCatalog,
) -> None:
    if learner.last_question_id is None:
        await message.answer(t("repeat.nothing"))
        return
    last = catalog.get(learner.last_question_id)
    if last is None or not last.active:
        await message.answer(t("repeat.gone"))
        return
    await _send_question(
        bot,
        message.chat.id,
        last,
        True,
        learner=learner,
        t=t,
        event_id=event_id,
        now=now,
        sink=sink,
        own_writes=own_writes,
    )


def build() -> Router:
    router = Router(name="questions")
    router.message.register(question, Command("question"))
    router.message.register(repeat, Command("repeat"))
    router.callback_query.register(category_chosen, CategoryChoice.filter())
    return router
