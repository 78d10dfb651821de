"""Consent through the real bot and the fake Bot API: the notice says what is stored and for
how long, and the choice (delete recordings after grading, keep them, or no) is an event."""

from __future__ import annotations

import itertools
import json
import secrets

import pytest

from bot.settings import BotSettings
from schemas.events import UserEvent
from tests.bot import telegram_updates as updates
from tests.bot.harness import post_update, read_topic, run, serving
from tests.bot.questions import MemoryCatalog
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.stack


def test_each_choice_is_confirmed_and_recorded(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = 10**8 + secrets.randbelow(9 * 10**8)
    ids = itertools.count(1 + secrets.randbelow(10**9))

    async def scenario() -> None:
        async with serving(settings, MemoryCatalog([])):
            await post_update(settings, updates.command(next(ids), user, "/consent"))
            await telegram.wait_for("sendMessage", 1, chat_id=user)
            for data in ("consent-keep", "consent:1", "consent:0"):
                await post_update(settings, updates.callback(next(ids), user, data))

    run(scenario())
    [notice] = telegram.sent_texts(user)
    assert "deleted once it is converted" in notice
    assert "keep your recordings after grading" in notice
    [keyboard] = [
        json.loads(c.params["reply_markup"])["inline_keyboard"]
        for c in telegram.calls("sendMessage")
        if c.params["chat_id"] == str(user)
    ]
    assert [row[0]["callback_data"] for row in keyboard] == [
        "consent:1",
        "consent-keep",
        "consent:0",
    ]
    edits = [c.params["text"] for c in telegram.calls("editMessageText")]
    assert edits[0].startswith("Thank you: I will keep your recordings")
    assert edits[1].startswith("Thank you. Send /question")
    assert "deleted the ones I held" in edits[2]
    events = read_topic(settings.kafka, settings.topic_namespace, UserEvent)
    assert [(e.kind, e.keep_recordings) for e in events] == [
        ("consent_given", True),
        ("consent_given", False),
        ("consent_withdrawn", None),
    ]
