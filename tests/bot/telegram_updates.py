"""Telegram updates as the Bot API posts them (JSON), for the bot's tests."""

from __future__ import annotations

import time
from typing import Any


def _user(user_id: int, language_code: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Ann",
        "username": f"ann{user_id}",
        "language_code": language_code,
    }


def _message(user_id: int, language_code: str, **content: Any) -> dict[str, Any]:
    return {
        "message_id": content.pop("message_id", 1),
        "date": content.pop("date", int(time.time())),
        "chat": {"id": user_id, "type": "private"},  # a private chat's id is the user's
        "from": _user(user_id, language_code),
        **content,
    }


def command(update_id: int, user_id: int, text: str, language_code: str = "en") -> dict[str, Any]:
    entity = {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
    return {
        "update_id": update_id,
        "message": _message(user_id, language_code, text=text, entities=[entity]),
    }


def voice(
    update_id: int,
    user_id: int,
    file_id: str,
    *,
    duration: int = 12,
    file_size: int | None = None,
    date: int | None = None,
    language_code: str = "en",
) -> dict[str, Any]:
    note: dict[str, Any] = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "duration": duration,
        "mime_type": "audio/ogg",
    }
    if file_size is not None:
        note["file_size"] = file_size
    extra = {} if date is None else {"date": date}
    return {
        "update_id": update_id,
        "message": _message(user_id, language_code, voice=note, **extra),
    }


def callback(update_id: int, user_id: int, data: str, language_code: str = "en") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb-{update_id}",
            "from": _user(user_id, language_code),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": 99,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Coach"},
                "text": "buttons",
            },
        },
    }
