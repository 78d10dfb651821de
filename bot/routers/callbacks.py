"""What the routers answering an inline button share."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, Message


def chat_of(query: CallbackQuery) -> int:
    # In a private chat the chat id is the user id; the message may be too old to carry it.
    return query.message.chat.id if query.message is not None else query.from_user.id


async def answer_in_place(query: CallbackQuery, bot: Bot, text: str) -> None:
    """Replaces the message with the buttons by the answer, or sends it when too old."""
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
    else:
        await bot.send_message(chat_of(query), text)
