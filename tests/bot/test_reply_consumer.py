"""The reply consumer on the real broker: one message per answer, in the learner's language,
spaced per chat, flood control waited out, and no repeats across a restart."""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from confluent_kafka import TopicPartition

from bot.app import build_bot
from bot.i18n import Catalogs
from bot.learners import Learners
from bot.own_writes import OwnWrites
from bot.ratelimit import RateLimiter
from bot.readmodels import LearnerRow, ReadModelError, ReadModels
from bot.reply_consumer import ReplyConsumer
from bot.reply_sender import ReplySender
from bot.settings import BotSettings
from clients.kafka import consumer, producer, send
from schemas.events import Event, Feedback, Rejected
from schemas.topics import topic_for
from tests.bot.harness import execute, run
from tests.bot.samples import feedback, rejected
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.stack


def _learner() -> int:
    return 10**8 + secrets.randbelow(9 * 10**8)


class UnreachableAtFirst(ReadModels):
    """Read models whose first `failures` learner lookups fail, as while Postgres restarts."""

    def __init__(self, dsn: str, failures: int) -> None:
        super().__init__(dsn)
        self.failures = failures

    async def learner(self, user_id: str) -> LearnerRow | None:
        if self.failures > 0:
            self.failures -= 1
            raise ReadModelError("read models: connection refused")
        return await super().learner(user_id)


@asynccontextmanager
async def replying(
    settings: BotSettings, read_models: ReadModels | None = None
) -> AsyncIterator[ReplyConsumer]:
    bot = build_bot(settings)
    read_models = read_models or ReadModels(settings.postgres.dsn)
    replies = ReplyConsumer(
        kafka=settings.kafka,
        group_id=settings.reply_group_id,
        namespace=settings.topic_namespace,
        sender=ReplySender(bot, RateLimiter()),
        learners=Learners(read_models, OwnWrites()),
        catalogs=Catalogs.load(),
        read_retry_s=0.2,
    )
    task = asyncio.create_task(replies.run())
    try:
        await asyncio.wait_for(replies.ready.wait(), 60)
        yield replies
    finally:
        task.cancel()
        await asyncio.wait({task}, timeout=30)
        await read_models.close()
        await bot.session.close()


def _record(dsn: str, user_id: str, chat_id: int, language: str = "en") -> None:
    execute(
        dsn,
        "INSERT INTO rm_learners (user_id, chat_id, language, consent, updated_at) "
        "VALUES (%s, %s, %s, true, now())",
        (user_id, chat_id, language),
    )


def _produce(settings: BotSettings, *events: Event) -> None:
    p = producer(settings.kafka)
    for event in events:
        send(p, topic_for(event.EVENT_TYPE, settings.topic_namespace), event)


def _committed(settings: BotSettings, event_type: str) -> int:
    """Offsets the reply group committed on the type's topic, summed over partitions."""
    topic = topic_for(event_type, settings.topic_namespace)
    reader = consumer(settings.kafka, settings.reply_group_id)
    try:
        partitions = reader.list_topics(topic, timeout=10).topics[topic].partitions
        committed = reader.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        return sum(max(tp.offset, 0) for tp in committed)
    finally:
        reader.close()


async def _until_committed(settings: BotSettings, event_type: str, count: int) -> None:
    deadline = time.monotonic() + 20
    while await asyncio.to_thread(_committed, settings, event_type) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the reply group did not commit {count} {event_type} offsets")
        await asyncio.sleep(0.2)


def test_rejections_are_told_in_the_learners_language_with_a_generic_fallback(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    russian, unknown = _learner(), _learner()
    execute(
        readmodels_dsn,
        "INSERT INTO rm_learners (user_id, chat_id, language, consent, updated_at) "
        "VALUES (%s, %s, 'ru', true, now())",
        (str(russian), russian),
    )

    async def scenario() -> None:
        async with replying(settings):
            _produce(
                settings,
                rejected("tg-1", str(russian), russian, "corrupt_audio"),
                rejected("tg-2", str(russian), russian, "cosmic_rays"),
                rejected("tg-3", str(unknown), unknown, "duration_mismatch"),
            )
            await telegram.wait_for("sendMessage", 2, chat_id=russian)
            await telegram.wait_for("sendMessage", 1, chat_id=unknown)

    run(scenario())
    known, generic = telegram.sent_texts(russian)
    assert known.startswith("<b>Не удалось обработать ваш ответ</b>")
    assert "повреждён" in known
    assert "Ошибка на этапе conversion (cosmic_rays)" in generic
    [english] = telegram.sent_texts(unknown)  # no read-model row: English
    assert "does not match what Telegram reported" in english


def test_an_event_delivered_twice_is_replied_to_once(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = _learner()
    first = feedback("tg-10", str(user), user, transcript="first answer")
    # The sentinel shares the learner's partition: once it is sent, the copy was handled.
    sentinel = feedback("tg-11", str(user), user, transcript="sentinel answer")

    async def scenario() -> None:
        async with replying(settings):
            _produce(settings, first, first, sentinel)
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            await _until_committed(settings, Feedback.EVENT_TYPE, 3)

    run(scenario())
    texts = telegram.sent_texts(user)
    assert len(texts) == 2
    assert "first answer" in texts[0]
    assert "sentinel answer" in texts[1]


def test_after_a_restart_answers_replied_to_before_are_not_sent_again(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = _learner()
    old = feedback("tg-20", str(user), user, transcript="old answer")
    also_old = rejected("tg-21", str(user), user, "corrupt_audio")
    sentinel = feedback("tg-22", str(user), user, transcript="sentinel answer")

    async def scenario() -> set[str]:
        async with replying(settings):
            _produce(settings, old, also_old)
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            await _until_committed(settings, Feedback.EVENT_TYPE, 1)
            await _until_committed(settings, Rejected.EVENT_TYPE, 1)
        async with replying(settings) as restarted:
            rebuilt = set(restarted.replied)
            # A flow replaying its output re-emits both; only the new answer is sent.
            _produce(settings, old, also_old, sentinel)
            await telegram.wait_for("sendMessage", 3, chat_id=user)
            await _until_committed(settings, Feedback.EVENT_TYPE, 3)
        return rebuilt

    assert run(scenario()) == {"tg-20", "tg-21"}
    texts = telegram.sent_texts(user)
    assert len(texts) == 3
    assert "sentinel answer" in texts[2]


def test_cli_answers_and_undecodable_messages_are_skipped_without_blocking_the_rest(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = _learner()
    cli_answer = feedback("cli-1", str(user), None)
    sentinel = feedback("tg-31", str(user), user, transcript="sentinel answer")

    async def scenario() -> None:
        async with replying(settings):
            raw = producer(settings.kafka)
            topic = topic_for(Feedback.EVENT_TYPE, settings.topic_namespace)
            raw.produce(topic, key=str(user).encode(), value=b'{"not": "feedback"}')
            raw.flush(10)
            _produce(settings, cli_answer, sentinel)
            await telegram.wait_for("sendMessage", 1, chat_id=user)
            await _until_committed(settings, Feedback.EVENT_TYPE, 3)

    run(scenario())
    [text] = telegram.sent_texts(user)
    assert "sentinel answer" in text
    assert len(telegram.calls("sendMessage")) == 1


def test_flood_control_is_waited_out_for_the_time_telegram_names(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = _learner()
    telegram.fail_once("sendMessage", retry_after=2)

    async def scenario() -> None:
        async with replying(settings):
            _produce(settings, feedback("tg-40", str(user), user))
            await telegram.wait_for("sendMessage", 1, chat_id=user)

    run(scenario())
    refused, accepted = telegram.calls("sendMessage")
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 2.0
    assert len(telegram.sent_texts(user)) == 1


def test_replies_to_one_chat_are_a_second_apart_and_other_chats_are_not_held_back(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    busy, other = _learner(), _learner()
    ids = itertools.count(50)
    busy_events = [
        feedback(f"tg-{next(ids)}", str(busy), busy, transcript=f"answer {n}") for n in range(3)
    ]

    async def scenario() -> None:
        async with replying(settings):
            _produce(settings, *busy_events, feedback(f"tg-{next(ids)}", str(other), other))
            await telegram.wait_for("sendMessage", 3, chat_id=busy)
            await telegram.wait_for("sendMessage", 1, chat_id=other)

    run(scenario())
    busy_calls = [c for c in telegram.calls("sendMessage") if c.params["chat_id"] == str(busy)]
    assert [f"answer {n}" in c.params["text"] for n, c in enumerate(busy_calls)] == [True] * 3
    gaps = [b.at - a.at for a, b in itertools.pairwise(busy_calls)]
    # Spaced a second apart when sent; arrivals jitter by the HTTP round trip (the first
    # request also opens the connection), exact spacing is checked in test_ratelimit.
    assert all(gap >= 0.9 for gap in gaps), gaps
    [other_call] = [c for c in telegram.calls("sendMessage") if c.params["chat_id"] == str(other)]
    # Sent while the busy chat waits its turn, not a second after its last reply.
    assert other_call.at < busy_calls[-1].at, (other_call.at, [c.at for c in busy_calls])


def test_a_rejection_without_a_chat_goes_to_the_chat_in_the_learners_record_once(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user, chat = _learner(), _learner()  # the record's chat, not the user id, is used
    _record(readmodels_dsn, str(user), chat, "ru")
    # Transcription does not know the chat; redelivered, it is still told once.
    failed = rejected("tg-60", str(user), None, "transcription_failed", "transcription")
    sentinel = rejected("tg-61", str(user), chat, "corrupt_audio")

    async def scenario() -> None:
        async with replying(settings):
            _produce(settings, failed, failed, sentinel)
            await telegram.wait_for("sendMessage", 2, chat_id=chat)
            await _until_committed(settings, Rejected.EVENT_TYPE, 3)

    run(scenario())
    told, after = telegram.sent_texts(chat)
    assert told.startswith("<b>Не удалось обработать ваш ответ</b>")
    assert "не удалось расшифровать запись" in told
    assert "повреждён" in after
    assert telegram.sent_texts(user) == []


def test_intake_rejections_and_learners_without_a_telegram_chat_get_no_message(
    settings: BotSettings, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    """The bot told the learner of an intake refusal itself; a CLI learner has no record."""
    user = _learner()
    cli = f"cli-{user}"
    refused_at_intake = rejected("tg-70", str(user), user, "too_long", "intake")
    cli_answer = rejected("cli-71", cli, None, "transcription_failed", "transcription")
    # Sentinels share the learners' partitions: once they are sent, the others were handled.
    sentinels = [
        rejected("tg-72", str(user), user, "corrupt_audio"),
        rejected("tg-73", cli, user, "corrupt_audio"),
    ]

    async def scenario() -> None:
        async with replying(settings):
            _produce(settings, refused_at_intake, cli_answer, *sentinels)
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            await _until_committed(settings, Rejected.EVENT_TYPE, 4)

    with caplog.at_level(logging.INFO, logger="bot.reply_consumer"):
        run(scenario())
    assert len(telegram.calls("sendMessage")) == 2
    assert all("the file seems damaged" in text for text in telegram.sent_texts(user))
    assert f"{cli} has no Telegram chat; rejection of cli-71 not sent" in caplog.text


def test_while_the_read_models_are_unreachable_only_the_rejection_without_a_chat_waits(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    waiting, other = _learner(), _learner()
    _record(readmodels_dsn, str(waiting), waiting)
    read_models = UnreachableAtFirst(settings.postgres.dsn, failures=3)

    async def scenario() -> None:
        async with replying(settings, read_models):
            _produce(
                settings,
                rejected("tg-80", str(waiting), None, "no_speech", "transcription"),
                feedback("tg-81", str(other), other),
            )
            await telegram.wait_for("sendMessage", 1, chat_id=waiting)
            await telegram.wait_for("sendMessage", 1, chat_id=other)

    run(scenario())
    assert read_models.failures == 0
    [told] = telegram.sent_texts(waiting)
    assert "could not hear any speech" in told
    sent = {c.params["chat_id"]: c.at for c in telegram.calls("sendMessage")}
    assert sent[str(other)] < sent[str(waiting)]
