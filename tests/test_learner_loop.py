"""The learner loop end to end on the real stack: a Telegram voice note (posted by the fake
Bot API to the real aiogram bot) becomes feedback through the real flows, and comes back as
a Telegram message; an operator's SQL edit of the question bank reaches the bot via Debezium."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from bot.settings import BotSettings
from cli.validate import variants
from clients.connect import apply_connector, delete_connector
from clients.settings import KafkaConnection, PostgresConnection
from flows.conversion.audio import convert
from flows.conversion.limits import ConversionLimits
from flows.transcription.synth import encode_voice_note, speech_span, synthesize
from questionbank.catalog import QuestionCatalog
from questionbank.connector import CDC_TOPIC, source_config, source_name
from questionbank.load import load_questions
from questionbank.seed import read_seed
from stack.services.s3 import connection as s3_connection
from stack.settings import StackSettings
from tests.bot import telegram_updates as updates
from tests.bot.harness import WEBHOOK_SECRET, free_port, post_update, run, serving
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.pipeline import Pipeline, create_topics, readmodels_database

pytestmark = [pytest.mark.stack, pytest.mark.slow]

ANSWER = (
    "I prefer to live in a big city because there are more jobs and better schools. "
    "For example, my sister found a great job in the capital within two months. "
    "Cities also have museums, concerts and good public transport."
)
LEARNER = 777001


@pytest.fixture
def loop(
    stack: StackSettings, unique: str, tmp_path: Path
) -> Iterator[tuple[Pipeline, BotSettings, QuestionCatalog, str]]:
    namespace = f"loop{unique}-"
    create_topics(stack, namespace)
    pipeline = Pipeline(stack, namespace, tmp_path / "state")
    with ExitStack() as resources:
        dsn = resources.enter_context(readmodels_database(stack))
        with psycopg.connect(dsn, autocommit=True) as conn:
            load_questions(conn, read_seed())
        connector = source_name(namespace)
        apply_connector(stack.connect_url, connector, source_config(dsn, namespace))
        resources.callback(delete_connector, stack.connect_url, connector)
        resources.callback(_drop_slot, stack, namespace)
        kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
        catalog = resources.enter_context(QuestionCatalog(kafka, namespace + CDC_TOPIC))
        catalog.wait_until_loaded(60)
        _wait(lambda: len(catalog.active()) >= 88, 60)
        for flow in ("conversion", "transcription", "feedback"):
            resources.enter_context(pipeline.flow(flow))
        settings = BotSettings(
            kafka=kafka,
            s3=s3_connection(stack),
            postgres=PostgresConnection(dsn=dsn),
            telegram_bot_token=TOKEN,
            webhook_secret=WEBHOOK_SECRET,
            webhook_port=free_port(),
            topic_namespace=namespace,
            reply_group_id=f"loop-replies-{unique}",
        )
        yield pipeline, settings, catalog, dsn


def _drop_slot(stack: StackSettings, namespace: str) -> None:
    slot = "".join(c if c.isalnum() else "_" for c in namespace.lower()) + "questionbank"
    with psycopg.connect(stack.postgres_dsn, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            " WHERE slot_name = %s AND NOT active",
            (slot,),
        )


def _wait(condition: object, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.2)


def test_voice_note_to_feedback_message_and_a_question_bank_edit(
    loop: tuple[Pipeline, BotSettings, QuestionCatalog, str], tmp_path: Path
) -> None:
    _, settings, catalog, dsn = loop
    wav = synthesize(ANSWER, tmp_path / "a.wav")
    seconds = round(speech_span(wav)[1])  # what the Telegram client would declare
    voice = encode_voice_note(wav, tmp_path / "a.ogg")
    # Telegram dates the question message `telegram_now` and the voice note 20 s later: speech
    # began 20 s minus the decoded recording plus its leading silence after the question.
    telegram_now = int(time.time())
    decoded = convert(voice, tmp_path / "decoded.wav", seconds, "ogg", ConversionLimits())
    time_to_answer = 20 - decoded.duration_s + decoded.speech.leading_silence_s
    with FakeTelegram(clock=lambda: telegram_now) as telegram:
        settings = settings.model_copy(update={"telegram_api_base": telegram.base_url})
        telegram.add_voice("voice-loop", voice.read_bytes())

        async def scenario() -> tuple[float, str]:
            ids = iter(range(1000, 2000))
            async with serving(settings, catalog):
                await post_update(settings, updates.command(next(ids), LEARNER, "/start"))
                await post_update(settings, updates.callback(next(ids), LEARNER, "lang:en:1"))
                await post_update(settings, updates.callback(next(ids), LEARNER, "consent:1"))
                await post_update(
                    settings, updates.command(next(ids), LEARNER, "/question independent")
                )
                asked = len(telegram.sent_texts(LEARNER))
                started = time.monotonic()
                voice_note = updates.voice(
                    next(ids), LEARNER, "voice-loop", duration=seconds, date=telegram_now + 20
                )
                status = await post_update(settings, voice_note)
                assert status == 200
                # "received", then the feedback from the flows
                await telegram.wait_for("sendMessage", asked + 2, timeout_s=180, chat_id=LEARNER)
                took = time.monotonic() - started

                # An operator rewrites every independent question; the bot asks the new text.
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(
                        "UPDATE questions SET text = 'Edited by an operator: ' || text"
                        " WHERE category = 'independent'"
                    )
                await asyncio.to_thread(
                    _wait,
                    lambda: all(
                        q.text.startswith("Edited by an operator")
                        for q in catalog.active("independent")
                    ),
                    30,
                )
                await post_update(
                    settings, updates.command(next(ids), LEARNER, "/question independent")
                )
                await telegram.wait_for("sendMessage", asked + 3, chat_id=LEARNER)
                return took, telegram.sent_texts(LEARNER)[-1]

        took, edited_question = run(scenario(), timeout_s=300)
        texts = telegram.sent_texts(LEARNER)

    feedback = texts[-2]
    assert "big city" in feedback.lower()
    assert "wpm" in feedback.lower() or "words per minute" in feedback.lower()
    assert "faster-whisper:tiny.en" in feedback
    shown = re.search(r"Time to answer: ([0-9.]+) s", feedback)
    assert shown is not None, feedback
    assert float(shown[1]) == pytest.approx(time_to_answer, abs=0.051)
    assert "Edited by an operator" in edited_question
    print(f"voice update to feedback message: {took:.1f} s")


# The validation suite's grammar variant: six errors, of which the recogniser keeps "a team
# bring", "peoples" and "he go" (its verbatim prompt: flows/transcription/engines/local.py).
GRAMMAR_ANSWER = next(v.text for v in variants() if v.name == "grammar")
GRAMMAR_LEARNER = 777002


def test_a_grammar_error_is_quoted_back_with_its_correction(
    loop: tuple[Pipeline, BotSettings, QuestionCatalog, str], tmp_path: Path
) -> None:
    _, settings, catalog, _ = loop
    wav = synthesize(GRAMMAR_ANSWER, tmp_path / "g.wav")
    seconds = round(speech_span(wav)[1])
    voice = encode_voice_note(wav, tmp_path / "g.ogg")
    with FakeTelegram() as telegram:
        settings = settings.model_copy(update={"telegram_api_base": telegram.base_url})
        telegram.add_voice("voice-grammar", voice.read_bytes())

        async def scenario() -> None:
            ids = iter(range(3000, 4000))
            learner = GRAMMAR_LEARNER
            async with serving(settings, catalog):
                await post_update(settings, updates.command(next(ids), learner, "/start"))
                await post_update(settings, updates.callback(next(ids), learner, "lang:en:1"))
                await post_update(settings, updates.callback(next(ids), learner, "consent:1"))
                sent = len(telegram.sent_texts(learner))
                voice_note = updates.voice(next(ids), learner, "voice-grammar", duration=seconds)
                assert await post_update(settings, voice_note) == 200
                await telegram.wait_for("sendMessage", sent + 2, timeout_s=180, chat_id=learner)

        run(scenario(), timeout_s=300)
        feedback = html.unescape(telegram.sent_texts(GRAMMAR_LEARNER)[-1])

    # The learner's own words and the correction, from the grammar service's rules.
    assert re.search(r"grammar errors?, [0-9.]+ per 100 words", feedback), feedback
    assert 'you said "a team bring", say "a team brings"' in feedback, feedback
