"""When a question was asked: the date Telegram gave the sent question message, not the bot
host's clock, so time to answer is measured on Telegram's clock at both ends.

The fake Bot API dates its messages by a clock of its own, days behind the host's and one
second later at each message, so a host timestamp or a second copy of the question shows.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.settings import BotSettings
from clients.kafka import DeliveryFailed
from schemas.events import AnswerSubmitted, AudioConverted, Event, QuestionAsked, Transcript
from tests.bot import telegram_updates as updates
from tests.bot.harness import execute, post_update, read_topic, run, serving
from tests.bot.questions import MemoryCatalog, Question
from tests.fakes.telegram_api import FakeTelegram
from tests.flows.feedback.joining import joined

pytestmark = pytest.mark.stack

CATALOG = MemoryCatalog([Question("workplace-001", "workplace", "How do you say no to a boss?")])
TELEGRAM_START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    seconds = itertools.count(int(TELEGRAM_START.timestamp()))
    with FakeTelegram(clock=lambda: next(seconds)) as fake:
        yield fake


def _learner(dsn: str) -> int:
    user = 10**8 + secrets.randbelow(9 * 10**8)
    execute(
        dsn,
        "INSERT INTO rm_learners (user_id, chat_id, language, consent, updated_at) "
        "VALUES (%s, %s, 'en', true, now() - interval '1 hour')",
        (str(user), user),
    )
    return user


def _converted_and_transcribed(answer: AnswerSubmitted) -> list[Event]:
    at = answer.answered_at
    return [
        AudioConverted(
            event_id=f"converted-{answer.answer_id}", occurred_at=at, user_id=answer.user_id,
            answer_id=answer.answer_id, wav_bucket="voice", wav_key="wav/a.wav",
            duration_s=12.48, sample_rate=16000, pauses=(), speech_duration_s=10.5,
            leading_silence_s=1.5,
        ),
        Transcript(
            event_id=f"transcript-{answer.answer_id}", occurred_at=at, user_id=answer.user_id,
            answer_id=answer.answer_id, text="I say no politely", language="en",
            engine="test", words=(), duration_s=12.48,
        ),
    ]  # fmt: skip


def test_asked_at_is_the_sent_questions_telegram_date_and_time_to_answer_uses_it(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner(readmodels_dsn)
    telegram.add_voice("voice-t", b"OggS" + secrets.token_bytes(600))
    ids = itertools.count(1 + secrets.randbelow(10**9))
    question_update = next(ids)
    # The learner's voice note, as Telegram dates it: 40 s after the question's message.
    voice_date = int((TELEGRAM_START + timedelta(seconds=40)).timestamp())

    async def scenario() -> None:
        async with serving(settings, CATALOG, wait_for_replies=False):
            command = updates.command(question_update, user, "/question workplace")
            assert await post_update(settings, command) == 200
            voice = updates.voice(next(ids), user, "voice-t", duration=12, date=voice_date)
            assert await post_update(settings, voice) == 200

    run(scenario())
    question, received = telegram.sent_texts(user)
    assert "How do you say no to a boss?" in question
    assert received.startswith("Received")

    [asked] = read_topic(settings.kafka, settings.topic_namespace, QuestionAsked)
    assert asked.event_id == f"tg-{question_update}"
    assert asked.asked_at == asked.occurred_at == TELEGRAM_START  # the first message's date
    assert datetime.now(UTC) - asked.asked_at > timedelta(days=1)  # not the host's clock
    [answer] = read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted)
    assert answer.question_id == "workplace-001"

    # Speech began 40 - 12.48 + 1.5 s after the question's date, on Telegram's clock.
    ready = joined([asked, answer, *_converted_and_transcribed(answer)])
    assert ready.time_to_answer_s == pytest.approx(29.02)


def test_a_question_update_redelivered_after_the_broker_failed_sends_one_question(
    settings: BotSettings,
    telegram: FakeTelegram,
    readmodels_dsn: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = _learner(readmodels_dsn)
    update = updates.command(1 + secrets.randbelow(10**9), user, "/question workplace")

    async def scenario() -> list[int]:
        async with serving(settings, CATALOG, wait_for_replies=False) as app:
            sink = app.services.sink
            emit = sink.emit
            failures = [DeliveryFailed("the broker did not ack in time")]

            async def emit_failing_once(event: Any) -> None:
                if failures:
                    raise failures.pop()
                await emit(event)

            monkeypatch.setattr(sink, "emit", emit_failing_once)
            return [await post_update(settings, update), await post_update(settings, update)]

    first, redelivered = run(scenario())
    assert first >= 500  # Telegram will deliver the update again
    assert redelivered == 200
    [question] = telegram.sent_texts(user)  # not sent a second time
    assert "How do you say no to a boss?" in question
    [asked] = read_topic(settings.kafka, settings.topic_namespace, QuestionAsked)
    assert asked.asked_at == TELEGRAM_START  # the date of the one message the learner has
