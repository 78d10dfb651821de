"""A sent answer never reports failure because the broker restarted: `practice` and the bot
wait for it (about 17 s measured here), and the answer keeps one id however often it is
sent. The broker here is a second one of its own, so the session's stack is not disturbed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sink import EventSink
from cli.practice import submit
from clients.kafka import producer
from clients.settings import KafkaConnection, S3Connection
from flows.transcription.synth import encode_voice_note, synthesize
from schemas.events import AnswerSubmitted, UserEvent
from stack import launcher
from stack.settings import Ports, StackSettings
from stack.supervisor import Supervisor
from tests.bot.harness import read_topic
from tests.schemas.samples import SAMPLES

pytestmark = [pytest.mark.stack, pytest.mark.slow]

DOWN_S = 8.0  # the broker is away this long before it starts again


@pytest.fixture
def own_broker(stack_settings: StackSettings, tmp_path: Path) -> Iterator[StackSettings]:
    ports = Ports(**{name: port + 700 for name, port in stack_settings.ports.model_dump().items()})
    settings = StackSettings(home=tmp_path / "stack", ports=ports)
    launcher.up(settings, lambda _: None, ["kafka"])
    try:
        yield settings
    finally:
        launcher.down(settings, lambda _: None)


def test_practice_and_the_bot_ride_out_a_broker_restart(
    own_broker: StackSettings, stack: StackSettings, tmp_path: Path
) -> None:
    kafka = KafkaConnection(bootstrap_servers=own_broker.bootstrap_servers)
    s3 = S3Connection(
        endpoint=stack.s3_endpoint, access_key=stack.s3_access_key,
        secret_key=stack.s3_secret_key, bucket=stack.s3_bucket,
    )  # fmt: skip
    voice = encode_voice_note(synthesize("Hello there.", tmp_path / "a.wav"), tmp_path / "a.ogg")
    writer = producer(kafka)
    sink = EventSink(kafka, "", timeout_s=30)
    # Both clients are connected before the broker goes away, as long-lived ones are.
    submit(voice, writer=writer, s3=s3, namespace="", user_id="before", question_id=None,
           progress=lambda _: None)  # fmt: skip

    Supervisor(own_broker).stop("kafka")
    stopped = time.monotonic()

    def restart() -> None:
        time.sleep(DOWN_S)
        launcher.up(own_broker, lambda _: None, ["kafka"])

    restarter = threading.Thread(target=restart)
    restarter.start()
    try:
        notes: list[str] = []
        answer = submit(
            voice, writer=writer, s3=s3, namespace="", user_id="during", question_id=None,
            progress=notes.append,
        )  # fmt: skip
        waited = time.monotonic() - stopped
        asyncio.run(sink.emit(SAMPLES["user_event"]))
    finally:
        restarter.join()
        sink.close()

    assert waited > DOWN_S  # it really waited for the broker
    answers = [a for a in read_topic(kafka, "", AnswerSubmitted) if a.user_id == "during"]
    assert {a.answer_id for a in answers} == {answer.answer_id}  # one id, however often sent
    assert notes == []  # no attempt had to be given up on
    assert read_topic(kafka, "", UserEvent) == [SAMPLES["user_event"]]
