"""/question (with a category picker) and /repeat: a question sent, QuestionAsked emitted."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from aiogram import BaseMiddleware, Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from bot.catalog import QuestionCatalog, QuestionLike
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


class UnackedQuestions:
    """Questions sent whose QuestionAsked the broker has not acknowledged yet, by event id.

    Bounded: in polling mode a failed update is never delivered again, so its entry only
    leaves when newer ones push it out.
    """

    def __init__(self, capacity: int = 1000) -> None:
        self._capacity = capacity
        self._events: OrderedDict[str, QuestionAsked] = OrderedDict()

    def get(self, event_id: str) -> QuestionAsked | None:
        return self._events.get(event_id)

    def add(self, event: QuestionAsked) -> None:
        self._events[event.event_id] = event
        while len(self._events) > self._capacity:
            self._events.popitem(last=False)

    def acked(self, event_id: str) -> None:
        self._events.pop(event_id, None)


@dataclass(frozen=True)
class Asker:
    """Everything asking a question needs, gathered once per update (see `_AskerContext`)."""

    bot: Bot
    learner: Learner
    t: Texts
    event_id: str
    now: datetime
    sink: EventSink
    own_writes: OwnWrites
    read_models: ReadModels
    catalog: QuestionCatalog
    unacked: UnackedQuestions

    async def send(self, chat_id: int, question: QuestionLike, repetition: bool) -> None:
        # asked_at is the date Telegram gives the sent message (time to answer is measured on
        # Telegram's clock), so the text goes out before its event. If the broker does not
        # ack, the update fails and Telegram delivers it again; the redelivery emits the kept
        # event instead of sending another question, so the learner sees one question and
        # asked_at is its date. A redelivery this process did not keep (a restart, another
        # replica) sends the question again; should the first event have reached the broker
        # after all, downstream keeps that one (same event_id): the first copy's date.
        event = self.unacked.get(self.event_id)
        if event is None:
            event = await self._send_text(chat_id, question, repetition)
        self.unacked.add(event)
        await self.sink.emit(event)
        self.unacked.acked(event.event_id)
        self.own_writes.question_asked(event.user_id, event.question_id, event.asked_at)

    async def _send_text(
        self, chat_id: int, question: QuestionLike, repetition: bool
    ) -> QuestionAsked:
        sent = await self.bot.send_message(chat_id, question_text(question, self.t, repetition))
        return QuestionAsked(
            event_id=self.event_id,
            occurred_at=sent.date,
            user_id=self.learner.user_id,
            question_id=question.question_id,
            category=question.category,
            chat_id=chat_id,
            asked_at=sent.date,
            repetition=repetition,
        )

    async def ask(self, chat_id: int, choice: Choice) -> None:
        pick = pick_question(
            self.catalog.active(None if choice == "any" else choice),
            await self.read_models.due_at(self.learner.user_id),
            user_id=self.learner.user_id,
            now=self.now,
            last_asked=self.learner.last_question_id,
        )
        if pick is None:
            await self.bot.send_message(chat_id, self.t("question.all_answered"))
            return
        await self.send(chat_id, pick.question, pick.repetition)


class _AskerContext(BaseMiddleware):
    """Adds `asker` to this router's handlers, from the dispatcher's services and the
    update context (which the dispatcher's own middleware put in `data` before)."""

    def __init__(self, unacked: UnackedQuestions) -> None:
        self._unacked = unacked

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["asker"] = Asker(
            bot=data["bot"],
            learner=data["learner"],
            t=data["t"],
            event_id=data["event_id"],
            now=data["now"],
            sink=data["sink"],
            own_writes=data["own_writes"],
            read_models=data["read_models"],
            catalog=data["catalog"],
            unacked=self._unacked,
        )
        return await handler(event, data)


async def question(message: Message, *, command: CommandObject, asker: Asker) -> None:
    t = asker.t
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
    await asker.ask(message.chat.id, choice)


async def category_chosen(
    query: CallbackQuery, *, callback_data: CategoryChoice, asker: Asker
) -> None:
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await asker.ask(chat_id, callback_data.category)


async def repeat(message: Message, *, asker: Asker) -> None:
    last_id = asker.learner.last_question_id
    if last_id is None:
        await message.answer(asker.t("repeat.nothing"))
        return
    last = asker.catalog.get(last_id)
    if last is None or not last.active:
        await message.answer(asker.t("repeat.gone"))
        return
    await asker.send(message.chat.id, last, True)


def build() -> Router:
    router = Router(name="questions")
    context = _AskerContext(UnackedQuestions())
    router.message.middleware(context)
    router.callback_query.middleware(context)
    router.message.register(question, Command("question"))
    router.message.register(repeat, Command("repeat"))
    router.callback_query.register(category_chosen, CategoryChoice.filter())
    return router
