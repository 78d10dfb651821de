"""/forget through the real bot and the fake Bot API: nothing happens without confirmation;
confirmed, it is an erasure request carrying the chat and language, the bot takes no more
answers until consent is given again, and the erasure flow's report reaches the learner."""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

import itertools
import json
import secrets
from datetime import UTC, datetime

import pytest

from bot.settings import BotSettings
from clients.kafka import producer, send
from schemas.events import AnswerSubmitted, ErasureCompleted, StoreChecked, UserEvent
from schemas.topics import topic_for
from tests.bot import telegram_updates as updates
from tests.bot.harness import post_update, read_topic, run, serving
from tests.bot.questions import MemoryCatalog
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.stack


def _report(request: UserEvent, complete: bool) -> ErasureCompleted:
    stores = (
        StoreChecked(store="flows", clean=True, seconds=1.0),
        StoreChecked(store="analytics", clean=complete, seconds=2.0,
                     remaining=None if complete else "answers: 1 rows"),
    )  # fmt: skip
    return ErasureCompleted(
        event_id=f"erased-{request.event_id}-{complete}", occurred_at=datetime.now(UTC),
        user_id=request.user_id, request_event_id=f"{request.event_id}-{complete}",
        requested_at=request.occurred_at, chat_id=request.chat_id, language=request.language,
        complete=complete, stores=stores,
    )  # fmt: skip


def test_forget_asks_first_then_requests_erasure_and_tells_the_learner_when_done(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = 10**8 + secrets.randbelow(9 * 10**8)
    ids = itertools.count(1 + secrets.randbelow(10**9))
    telegram.add_voice("voice-after", b"OggS-not-really")

    async def scenario() -> None:
        async with serving(settings, MemoryCatalog([])):
            for update in (
                updates.callback(next(ids), user, "lang:ru:0"),
                updates.callback(next(ids), user, "consent:1"),
                updates.command(next(ids), user, "/forget"),
                updates.callback(next(ids), user, "forget:0"),  # changed their mind
                updates.command(next(ids), user, "/forget"),
                updates.callback(next(ids), user, "forget:1"),
                updates.voice(next(ids), user, "voice-after", duration=5),
            ):
                await post_update(settings, update)
            [request] = [
                e
                for e in read_topic(settings.kafka, settings.topic_namespace, UserEvent)
                if e.kind == "erasure_requested"
            ]
            # What the erasure flow reports, incomplete and complete, reaches the learner.
            writer = producer(settings.kafka)
            for complete in (False, True):
                topic = topic_for(ErasureCompleted.EVENT_TYPE, settings.topic_namespace)
                send(writer, topic, _report(request, complete))
            await telegram.wait_for("sendMessage", 5, chat_id=user)

    run(scenario())
    events = read_topic(settings.kafka, settings.topic_namespace, UserEvent)
    assert [e.kind for e in events] == ["language_set", "consent_given", "erasure_requested"]
    request = events[-1]
    assert (request.chat_id, request.language, request.username) == (user, "ru", None)
    # After the request the voice note is refused as without consent, not submitted.
    assert read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted) == []

    confirms = [
        json.loads(c.params["reply_markup"])["inline_keyboard"]
        for c in telegram.calls("sendMessage")
        if c.params["chat_id"] == str(user) and "reply_markup" in c.params
        and "forget" in c.params["reply_markup"]
    ]  # fmt: skip
    assert [[row[0]["callback_data"] for row in keyboard] for keyboard in confirms] == [
        ["forget:1", "forget:0"]
    ] * 2
    edits = [c.params["text"] for c in telegram.calls("editMessageText")]
    assert "Ничего не стёрто" in edits[-2]
    assert "Стираю ваши данные" in edits[-1]
    texts = telegram.sent_texts(user)
    assert len(texts) == 5
    assert "Стереть всё" in texts[0]
    assert "ожидается: analytics" in texts[-2]
    assert texts[-1].startswith("Готово: всё, что я о вас хранил, стёрто")
