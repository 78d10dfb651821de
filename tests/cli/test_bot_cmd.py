"""`speech-coach bot --webhook` as operators run it: settings from the environment, the real
question bank catalog read from its CDC topic, a clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp
import pytest
from confluent_kafka import Producer

from clients.settings import KafkaConnection
from questionbank.connector import cdc_topic
from schemas.events import QuestionAsked
from stack.settings import REPO_ROOT, StackSettings
from tests.bot import telegram_updates as updates
from tests.bot.harness import WEBHOOK_SECRET, free_port, read_topic
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.pipeline import create_topics, readmodels_database

pytestmark = pytest.mark.stack


def _envelope(payload: dict[str, object]) -> bytes:
    return json.dumps({"schema": {"type": "struct"}, "payload": payload}).encode()


def _publish_question(stack: StackSettings, topic: str) -> None:
    row = {
        "question_id": "workplace-cli",
        "category": "workplace",
        "text": "What would you change about your job?",
        "answer_time_s": 50,
        "preparation_s": 10,
        "active": True,
    }
    producer = Producer({"bootstrap.servers": stack.bootstrap_servers})
    producer.produce(
        topic,
        key=_envelope({"question_id": row["question_id"]}),
        value=_envelope({"op": "c", "after": row}),
    )
    assert producer.flush(10) == 0


@dataclass(frozen=True)
class RunningBot:
    process: subprocess.Popen[str]
    telegram: FakeTelegram
    port: int
    namespace: str


@pytest.fixture
def bot_process(stack: StackSettings, unique: str) -> Iterator[RunningBot]:
    namespace = f"test-botcli-{unique}."
    create_topics(stack, namespace)
    _publish_question(stack, cdc_topic(namespace).name)
    port = free_port()
    with FakeTelegram() as telegram, readmodels_database(stack) as dsn:
        env = {
            **os.environ,
            **stack.app_environment(),
            "SPEECH_COACH_POSTGRES__DSN": dsn,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SPEECH_COACH_TELEGRAM_API_BASE": telegram.base_url,
            "SPEECH_COACH_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "SPEECH_COACH_WEBHOOK_PORT": str(port),
            "SPEECH_COACH_TOPIC_NAMESPACE": namespace,
            "SPEECH_COACH_REPLY_GROUP_ID": f"test-botcli-{unique}",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "bot", "--webhook"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield RunningBot(process, telegram, port, namespace)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=30)


async def _ask(port: int, user: int, telegram: FakeTelegram) -> int:
    deadline = time.monotonic() + 90
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        while True:  # the process starts, loads the catalog, then listens
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as health:
                    if health.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.3)
        update = updates.command(7, user, "/question workplace")
        async with session.post(
            f"http://127.0.0.1:{port}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        ) as response:
            status = response.status
    await telegram.wait_for("sendMessage", chat_id=user)
    return status


def test_the_bot_command_serves_the_webhook_with_the_real_question_bank_and_stops_on_sigterm(
    stack: StackSettings, bot_process: RunningBot
) -> None:
    running = bot_process
    user = 10**8 + secrets.randbelow(10**8)
    status = asyncio.run(asyncio.wait_for(_ask(running.port, user, running.telegram), 120))
    assert status == 200
    [text] = running.telegram.sent_texts(user)
    assert "What would you change about your job?" in text
    assert "50 seconds to answer; 10 seconds to prepare" in text
    kafka = KafkaConnection(bootstrap_servers=stack.bootstrap_servers)
    [asked] = read_topic(kafka, running.namespace, QuestionAsked)
    assert asked.question_id == "workplace-cli"

    running.process.send_signal(signal.SIGTERM)
    output, _ = running.process.communicate(timeout=30)
    assert running.process.returncode == 0, output
    assert "Traceback" not in output, output
