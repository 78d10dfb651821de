"""The bot by long polling: the same handlers, fed from getUpdates.

Polling confirms an update's offset whatever its handler did, so a failed update is not
re-delivered: the learner is asked to send it again instead.
"""

from __future__ import annotations

import secrets

import pytest

from bot.settings import BotSettings
from schemas.events import QuestionAsked
from tests.bot import telegram_updates as updates
from tests.bot.harness import free_port, read_topic, run, serving
from tests.bot.questions import MemoryCatalog, Question
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.stack

CATALOG = MemoryCatalog([Question("workplace-001", "workplace", "How do you say no to a boss?")])


def test_a_polled_question_command_asks_the_question_and_emits_question_asked(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = 10**8 + secrets.randbelow(10**8)
    update_id = 1 + secrets.randbelow(10**9)

    async def scenario() -> None:
        async with serving(settings, CATALOG, webhook=False):
            telegram.push_update(updates.command(update_id, user, "/question workplace"))
            await telegram.wait_for("sendMessage", chat_id=user)

    run(scenario())
    [text] = telegram.sent_texts(user)
    assert "How do you say no to a boss?" in text
    [asked] = read_topic(settings.kafka, settings.topic_namespace, QuestionAsked)
    assert (asked.event_id, asked.question_id, asked.chat_id) == (
        f"tg-{update_id}",
        "workplace-001",
        user,
    )
    assert telegram.calls("deleteWebhook"), "polling must remove a webhook first"


def test_when_the_broker_does_not_ack_a_polled_update_the_learner_is_asked_to_resend(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = 10**8 + secrets.randbelow(10**8)
    nowhere = settings.kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{free_port()}"})
    down = settings.model_copy(update={"kafka": nowhere, "delivery_timeout_s": 2.0})

    async def scenario() -> None:
        async with serving(down, CATALOG, webhook=False, wait_for_replies=False):
            telegram.push_update(updates.command(1, user, "/question workplace"))
            await telegram.wait_for("sendMessage", 2, chat_id=user)

    run(scenario())
    # The question goes out before its event (asked_at is the sent message's date), so the
    # learner has it, and is told it was not saved.
    question, notice = telegram.sent_texts(user)
    assert "How do you say no to a boss?" in question
    assert "your message was not saved. Please send it again" in notice
    assert read_topic(settings.kafka, settings.topic_namespace, QuestionAsked) == []
