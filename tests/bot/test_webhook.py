"""The bot in webhook mode on the real stack: Telegram's updates in, events and replies out.

Each test runs the real aiogram bot (webhook server, reply consumer) against the fake Bot
API, the stack's Kafka (topics under a namespace of its own), Postgres (read models in a
database of this module) and S3.
"""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

import itertools
import os
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import BotSettings
from clients.kafka import producer, send
from schemas.events import AnswerSubmitted, Feedback, QuestionAsked, Rejected, UserEvent
from schemas.topics import topic_for
from stack.services.s3 import client as s3_client
from stack.settings import StackSettings
from tests.bot import telegram_updates as updates
from tests.bot.harness import execute, free_port, post_update, read_topic, run, serving
from tests.bot.questions import MemoryCatalog, Question
from tests.bot.samples import feedback, rejected
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.stack

CATALOG = MemoryCatalog(
    [
        Question("interview-001", "interview", "Describe a project you are proud of."),
        Question("interview-002", "interview", "What motivates you at work?", 60, 20),
        Question("workplace-001", "workplace", "How do you handle a missed deadline?"),
    ]
)


def _learner() -> int:
    return 10**8 + secrets.randbelow(9 * 10**8)


def _update_ids() -> itertools.count[int]:
    return itertools.count(1 + secrets.randbelow(10**9))


def _consent(dsn: str, user_id: int, language: str = "en") -> None:
    execute(
        dsn,
        "INSERT INTO rm_learners (user_id, chat_id, language, consent, updated_at) "
        "VALUES (%s, %s, %s, true, now() - interval '1 hour')",
        (str(user_id), user_id, language),
    )


def _object(stack: StackSettings, key: str) -> bytes:
    response = s3_client(stack).get_object(stack.s3_bucket, key)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


def _stored(stack: StackSettings, user: int) -> list[str]:
    objects = s3_client(stack).list_objects(stack.s3_bucket, f"answers/{user}/", recursive=True)
    return [str(o.object_name) for o in objects]


def test_a_voice_answer_is_stored_announced_and_its_feedback_sent_once_in_english(
    stack: StackSettings, settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user)
    execute(
        readmodels_dsn,
        "INSERT INTO rm_last_questions (user_id, question_id, asked_at) VALUES (%s, %s, now())",
        (str(user), "interview-002"),
    )
    audio = os.urandom(3000)
    telegram.add_voice("voice-a", audio)
    sent_at = int(datetime(2025, 3, 1, 12, 0, 5, tzinfo=UTC).timestamp())
    update_id = next(_update_ids())

    async def scenario() -> list[str]:
        async with serving(settings, CATALOG):
            status = await post_update(
                settings, updates.voice(update_id, user, "voice-a", duration=17, date=sent_at)
            )
            assert status == 200
            [received] = await telegram.wait_for("sendMessage", chat_id=user)
            assert "Received, processing" in received.params["text"]

            answer_id = f"tg-{update_id}"
            send(
                producer(settings.kafka),
                topic_for(Feedback.EVENT_TYPE, settings.topic_namespace),
                feedback(answer_id, str(user), user),
            )
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            return telegram.sent_texts(user)

    texts = run(scenario())

    [answer] = read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted)
    answer_id = f"tg-{update_id}"
    key = f"answers/{user}/{answer_id}.ogg"
    assert answer.event_id == answer.answer_id == answer_id
    assert answer.user_id == str(user)
    assert answer.chat_id == user
    assert answer.update_id == update_id
    assert answer.question_id == "interview-002"  # from rm_last_questions
    assert answer.declared_duration_s == 17
    assert answer.size_bytes == len(audio)
    assert answer.answered_at == datetime(2025, 3, 1, 12, 0, 5, tzinfo=UTC)
    assert answer.language == "en"
    assert answer.source == "telegram"
    assert (answer.audio_bucket, answer.audio_key) == (stack.s3_bucket, key)
    assert answer.mime_type == "audio/ogg"
    assert _object(stack, key) == audio

    assert len(texts) == 2
    reply = texts[1]
    assert "I think that &lt;teamwork&gt; &amp; planning matter most" in reply
    assert "Words per minute: 136" in reply
    assert "Overall: <b>2.9</b>" in reply
    assert "Pause less: 2 long pauses." in reply
    [download] = telegram.calls("file")
    assert download.params["path"] == "voice/voice-a.oga"


def test_a_russian_learner_gets_russian_replies(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user, language="ru")
    telegram.add_voice("voice-ru", b"OggS" + os.urandom(500))
    update_id = next(_update_ids())

    async def scenario() -> list[str]:
        async with serving(settings, CATALOG):
            status = await post_update(settings, updates.voice(update_id, user, "voice-ru"))
            assert status == 200
            await telegram.wait_for("sendMessage", chat_id=user)
            send(
                producer(settings.kafka),
                topic_for(Feedback.EVENT_TYPE, settings.topic_namespace),
                feedback(f"tg-{update_id}", str(user), user, language="ru"),
            )
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            return telegram.sent_texts(user)

    received, reply = run(scenario())
    assert received.startswith("Получено")
    assert "Расшифровка" in reply
    assert "Слов в минуту: 136" in reply
    assert "Итог: <b>2,9</b>" in reply
    [answer] = read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted)
    assert answer.language == "ru"
    assert answer.question_id is None  # no question asked: free practice


def test_a_wrong_or_missing_secret_is_refused_with_401_and_nothing_happens(
    stack: StackSettings, settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user)
    telegram.add_voice("voice-x", b"OggS")

    async def scenario() -> list[int]:
        async with serving(settings, CATALOG):
            update = updates.voice(next(_update_ids()), user, "voice-x")
            return [
                await post_update(settings, update, secret="not-the-secret"),
                await post_update(settings, update, secret=None),
            ]

    assert run(scenario()) == [401, 401]
    assert read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted) == []
    assert telegram.calls("getFile") == []
    assert telegram.sent_texts(user) == []
    assert _stored(stack, user) == []


def test_the_same_update_posted_twice_gives_one_event_and_one_reply(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user)
    telegram.add_voice("voice-twice", os.urandom(800))
    update = updates.voice(next(_update_ids()), user, "voice-twice")

    async def scenario() -> list[int]:
        async with serving(settings, CATALOG):
            statuses = [await post_update(settings, update), await post_update(settings, update)]
            await telegram.wait_for("sendMessage", chat_id=user)
            return statuses

    assert run(scenario()) == [200, 200]
    assert len(read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted)) == 1
    assert len(telegram.sent_texts(user)) == 1
    assert len(telegram.calls("getFile")) == 1


def test_when_the_broker_does_not_ack_the_webhook_answers_5xx_and_telegram_may_retry(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user)
    telegram.add_voice("voice-down", os.urandom(800))
    nowhere = settings.kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{free_port()}"})
    down = settings.model_copy(update={"kafka": nowhere, "delivery_timeout_s": 2.0})
    update = updates.voice(next(_update_ids()), user, "voice-down")

    async def scenario() -> list[int]:
        async with serving(down, CATALOG, wait_for_replies=False):
            # The re-delivered update is handled again, not mistaken for a duplicate.
            return [await post_update(down, update), await post_update(down, update)]

    statuses = run(scenario())
    assert all(status >= 500 for status in statuses), statuses
    assert telegram.sent_texts(user) == []  # no "received": nothing was acknowledged
    assert len(telegram.calls("getFile")) == 2
    assert read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted) == []


def _intake_rejections(settings: BotSettings) -> list[tuple[str, str, str, int | None]]:
    """(event_id, answer_id, code, chat_id) of the rejections on the topic, stage intake only."""
    events = read_topic(settings.kafka, settings.topic_namespace, Rejected)
    assert {e.stage for e in events} <= {"intake"}
    return [(e.event_id, e.answer_id, e.code, e.chat_id) for e in events]


def test_without_consent_nothing_is_downloaded_or_stored_and_the_learner_is_told_once(
    stack: StackSettings, settings: BotSettings, telegram: FakeTelegram
) -> None:
    user = _learner()  # no read-model row: never consented
    telegram.add_voice("voice-nc", os.urandom(800))
    update_id = next(_update_ids())
    # On the learner's partition after the refusal: once it is sent, the refusal was consumed.
    sentinel = rejected("tg-sentinel", str(user), user, "corrupt_audio")

    async def scenario() -> int:
        async with serving(settings, CATALOG):
            status = await post_update(settings, updates.voice(update_id, user, "voice-nc"))
            await telegram.wait_for("sendMessage", chat_id=user)
            send(
                producer(settings.kafka),
                topic_for(Rejected.EVENT_TYPE, settings.topic_namespace),
                sentinel,
            )
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            return status

    assert run(scenario()) == 200
    refusal, after = telegram.sent_texts(user)  # the reply consumer did not tell it again
    assert "not agreed that I store your recordings" in refusal
    assert "/consent" in refusal
    assert "damaged" in after
    assert telegram.calls("getFile") == []
    assert telegram.calls("file") == []
    assert _stored(stack, user) == []
    assert read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted) == []
    events = read_topic(settings.kafka, settings.topic_namespace, Rejected)
    [event] = [e for e in events if e.stage == "intake"]
    assert (event.event_id, event.answer_id, event.code, event.chat_id, event.user_id) == (
        f"rejected-tg-{update_id}",
        f"tg-{update_id}",
        "no_consent",
        user,
        str(user),
    )
    assert "not agreed that I store your recordings" in event.message


def test_too_large_or_too_long_voice_is_refused_before_it_is_fetched(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user)
    telegram.add_voice("voice-big", os.urandom(100))
    ids = _update_ids()
    large_id, long_id = next(ids), next(ids)
    large = updates.voice(large_id, user, "voice-big", file_size=20 * 2**20 + 1)
    long = updates.voice(long_id, user, "voice-big", duration=301)

    async def scenario() -> list[int]:
        async with serving(settings, CATALOG):
            statuses = [await post_update(settings, large), await post_update(settings, long)]
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            return statuses

    assert run(scenario()) == [200, 200]
    too_large, too_long = telegram.sent_texts(user)
    assert too_large.startswith("The recording is too large")
    assert too_large.endswith("The limit is 20 MB.")
    assert too_long.startswith("The recording is longer than an answer may be")
    assert too_long.endswith("The limit is 300 seconds.")
    assert telegram.calls("getFile") == []
    assert read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted) == []
    assert sorted(_intake_rejections(settings)) == sorted(
        [
            (f"rejected-tg-{large_id}", f"tg-{large_id}", "too_large", user),
            (f"rejected-tg-{long_id}", f"tg-{long_id}", "too_long", user),
        ]
    )


def test_a_voice_note_telegram_will_not_hand_over_is_refused_and_the_learner_asked_to_resend(
    stack: StackSettings, settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    _consent(readmodels_dsn, user, language="ru")
    update_id = next(_update_ids())  # "voice-gone" was never added: getFile answers 400

    async def scenario() -> int:
        async with serving(settings, CATALOG):
            status = await post_update(settings, updates.voice(update_id, user, "voice-gone"))
            await telegram.wait_for("sendMessage", chat_id=user)
            return status

    assert run(scenario()) == 200  # answered: Telegram need not deliver it again
    [text] = telegram.sent_texts(user)
    assert (
        text
        == "Telegram не дал скачать ваше голосовое сообщение. Пожалуйста, отправьте его ещё раз."
    )
    [get_file] = telegram.calls("getFile")
    assert get_file.status == 400
    assert _stored(stack, user) == []
    assert read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted) == []
    assert _intake_rejections(settings) == [
        (f"rejected-tg-{update_id}", f"tg-{update_id}", "download_failed", user)
    ]


def test_voice_notes_beyond_the_learners_allowance_are_refused_with_when_to_send_again(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user, other = _learner(), _learner()
    for learner in (user, other):
        _consent(readmodels_dsn, learner)
    telegram.add_voice("voice-quota", os.urandom(700))
    two_a_minute = settings.model_copy(update={"voice_per_minute": 2})
    ids = _update_ids()
    notes = [updates.voice(next(ids), user, "voice-quota") for _ in range(3)]
    others = updates.voice(next(ids), other, "voice-quota")

    async def scenario() -> list[int]:
        async with serving(two_a_minute, CATALOG):
            statuses = [await post_update(two_a_minute, note) for note in notes]
            # The allowance is the learner's own: another learner is not held back.
            statuses.append(await post_update(two_a_minute, others))
            await telegram.wait_for("sendMessage", 3, chat_id=user)
            await telegram.wait_for("sendMessage", 1, chat_id=other)
            return statuses

    assert run(scenario()) == [200] * 4
    first, second, refused = telegram.sent_texts(user)
    assert [first[:8], second[:8]] == ["Received"] * 2
    assert refused.startswith("You have sent more voice messages in a short time")
    # Just under a minute after the first note: rounded up, that may read "1 min".
    wait = re.search(
        r"Voice messages per minute: at most 2\. You can send this one again in (.+)\.$", refused
    )
    assert wait is not None, refused
    assert wait[1] in {*(f"{n} s" for n in range(1, 60)), "1 min"}, wait[1]
    assert telegram.sent_texts(other)[0].startswith("Received")
    assert len(read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted)) == 3
    third = notes[2]["update_id"]
    assert _intake_rejections(settings) == [
        (f"rejected-tg-{third}", f"tg-{third}", "rate_limited", user)
    ]


def test_onboarding_then_a_question_then_an_answer_reads_the_bots_own_writes(
    settings: BotSettings, telegram: FakeTelegram
) -> None:
    """No read-model row ever appears here: language, consent and the last question asked
    come from what this bot process emitted, as they would in the second before the sink."""
    user = _learner()
    telegram.add_voice("voice-own", os.urandom(600))
    ids = _update_ids()

    async def scenario() -> None:
        async with serving(settings, CATALOG):
            await post_update(settings, updates.command(next(ids), user, "/start"))
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            await post_update(settings, updates.callback(next(ids), user, "lang:ru:1"))
            await telegram.wait_for("sendMessage", 3, chat_id=user)  # the consent notice
            await post_update(settings, updates.callback(next(ids), user, "consent:1"))
            await post_update(settings, updates.command(next(ids), user, "/question workplace"))
            await telegram.wait_for("sendMessage", 4, chat_id=user)
            assert await post_update(settings, updates.voice(next(ids), user, "voice-own")) == 200
            await telegram.wait_for("sendMessage", 5, chat_id=user)

    run(scenario())
    welcome, choose, notice, question, received = telegram.sent_texts(user)
    assert welcome.startswith("Hi, Ann!")
    assert "English" not in choose  # the buttons carry the names, not the text
    assert "Ваши голосовые записи" in notice  # Russian already: the language was just set
    assert "How do you handle a missed deadline?" in question
    assert "Время на ответ: 45 с; на подготовку: 15 с." in question
    assert received.startswith("Получено")
    edits = [c.params["text"] for c in telegram.calls("editMessageText")]
    assert edits == [
        "Язык интерфейса: русский.",
        "Спасибо. Отправьте /question, чтобы получить вопрос.",
    ]

    kinds = [
        (e.kind, e.language)
        for e in read_topic(settings.kafka, settings.topic_namespace, UserEvent)
    ]
    assert sorted(kinds, key=str) == sorted(
        [("registered", "en"), ("language_set", "ru"), ("consent_given", None)], key=str
    )
    [asked] = read_topic(settings.kafka, settings.topic_namespace, QuestionAsked)
    assert (asked.question_id, asked.category, asked.repetition) == (
        "workplace-001",
        "workplace",
        False,
    )
    [answer] = read_topic(settings.kafka, settings.topic_namespace, AnswerSubmitted)
    assert answer.question_id == "workplace-001"
    assert answer.language == "ru"
    assert answer.answered_at >= asked.asked_at.replace(microsecond=0)


def test_questions_repetitions_repeat_and_credits_come_from_the_read_models(
    settings: BotSettings, telegram: FakeTelegram, readmodels_dsn: str
) -> None:
    user = _learner()
    now = datetime.now(UTC)
    # interview-001 is due again since yesterday; the others only in two days.
    for question_id, due_at in [
        ("interview-001", now - timedelta(days=1)),
        ("interview-002", now + timedelta(days=2)),
        ("workplace-001", now + timedelta(days=2)),
    ]:
        execute(
            readmodels_dsn,
            "INSERT INTO rm_answered (user_id, question_id, times_answered, last_answered_at,"
            " last_overall, due_at) VALUES (%s, %s, 1, %s, 1.5, %s)",
            (str(user), question_id, now - timedelta(days=3), due_at),
        )
    execute(
        readmodels_dsn,
        "INSERT INTO rm_balances (user_id, balance, updated_at) VALUES (%s, 7, now())",
        (str(user),),
    )
    ids = _update_ids()

    async def scenario() -> None:
        async with serving(settings, CATALOG):
            await post_update(settings, updates.command(next(ids), user, "/question"))
            await post_update(settings, updates.callback(next(ids), user, "category:interview"))
            await telegram.wait_for("sendMessage", 2, chat_id=user)
            await post_update(settings, updates.command(next(ids), user, "/repeat"))
            await post_update(settings, updates.command(next(ids), user, "/question interview"))
            await post_update(settings, updates.command(next(ids), user, "/question workplace"))
            await post_update(settings, updates.command(next(ids), user, "/credits"))
            await telegram.wait_for("sendMessage", 6, chat_id=user)

    run(scenario())
    picker, due, repeated, still_due, nothing_left, credits = telegram.sent_texts(user)
    assert picker == "Choose a category:"
    markup = telegram.calls("sendMessage")[0].params["reply_markup"]
    assert all(f"category:{c}" in markup for c in ("interview", "workplace", "any"))
    assert "Time to repeat a question you answered before." in due
    assert "Describe a project you are proud of." in due
    assert "Describe a project you are proud of." in repeated
    # Still due until answered: asked again, the only one that qualifies.
    assert "Describe a project you are proud of." in still_due
    assert "You have answered every question in this category" in nothing_left
    assert "Your balance: <b>7</b> credits." in credits
    asked = read_topic(settings.kafka, settings.topic_namespace, QuestionAsked)
    assert [(a.question_id, a.repetition) for a in asked] == [("interview-001", True)] * 3
