"""`speech-coach replay` reproduces the live flows' outputs exactly."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from confluent_kafka import TopicPartition

from clients.kafka import consumer
from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    CreditEvent,
    Engines,
    Event,
    Feedback,
    Metrics,
    Progress,
    RubricScores,
    Transcript,
    Word,
    WordStats,
)
from stack.settings import REPO_ROOT, StackSettings
from tests.fakes.openai_api import CHAT_COMPLETIONS, FakeOpenAI, chat_reply
from tests.flows.feedback.test_openai_engine import VALID
from tests.pipeline import Pipeline

pytestmark = [pytest.mark.stack, pytest.mark.slow]

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
LEARNERS = ("r1", "r2", "r3")
SENTENCES = (
    "Cities offer jobs, museums and concerts to young people.",
    "My grandmother grew tomatoes and cucumbers in her garden.",
    "Engineers designed the bridge after the flood destroyed the old one.",
    "We discussed the budget with our manager on Monday morning.",
)


def _history() -> list[Event]:
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    events: list[Event] = []
    for index in range(24):
        user = LEARNERS[index % 3]
        at = T0 + timedelta(hours=index * 9)
        answer = f"a{index}"

        def score() -> float:
            return round(rng.uniform(0.5, 4), 1)

        events.append(
            Feedback(
                event_id=f"feedback-{answer}", occurred_at=at, user_id=user, answer_id=answer,
                transcript="t", answered_at=at,
                metrics=Metrics(duration_s=40, words=90, words_per_minute=135, pause_count=2,
                                mean_pause_s=0.4, long_pause_count=0, filler_count=0,
                                type_token_ratio=0.6,
                                time_to_answer_s=rng.choice([None, 20.0, 35.5])),
                scores=RubricScores(delivery=score(), language_use=score(),
                                    topic_development=score(), overall=score()),
                recommendations=("r",), engines=Engines(stt="s", feedback="local"),
            )
        )  # fmt: skip
        events.append(
            Transcript(
                event_id=f"transcript-{answer}", occurred_at=at, user_id=user, answer_id=answer,
                text=" ".join(rng.sample(SENTENCES, 2)), language="en", engine="test",
                words=(), duration_s=30,
            )
        )  # fmt: skip
    return events


def _values(pipeline: Pipeline, topic: str, count: int, timeout_s: float = 90) -> list[bytes]:
    reader = consumer(pipeline.kafka, f"replay-check-{topic}")
    try:
        partitions = reader.list_topics(topic, timeout=10).topics[topic].partitions
        reader.assign([TopicPartition(topic, p, 0) for p in partitions])
        found: list[bytes] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count and time.monotonic() < deadline:
            message = reader.poll(0.25)
            if message is not None and not message.error():
                found.append(message.value())
        return found
    finally:
        reader.close()


@pytest.fixture(scope="module")
def live(stack: StackSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    state = tmp_path_factory.mktemp("replay")
    pipeline = Pipeline(stack, f"rp{uuid.uuid4().hex[:10]}-", state)
    history = _history()
    with ExitStack() as flows:
        for name in ("scoring", "words"):
            flows.enter_context(pipeline.flow(name))
        for event in history:
            pipeline.send(event)
        pipeline.send(history[0])  # a duplicate: neither live nor replayed output changes
        yield pipeline


@pytest.mark.parametrize(("flow", "output"), [("scoring", Progress), ("words", WordStats)])
def test_replay_reproduces_live_outputs(
    live: Pipeline, flow: str, output: type[Event], tmp_path: Path
) -> None:
    expected = len(LEARNERS) * 8
    live_values = _values(live, live.topic(output), expected)
    assert len(live_values) == expected

    target = f"{live.namespace}replayed-{flow}"
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "replay", "--flow", flow, "--from", "beginning",
         "--to-topic", target, "--json"],
        cwd=REPO_ROOT, env=live.env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f'"written": {expected}' in result.stdout
    replayed = _values(live, target, expected)
    assert sorted(replayed) == sorted(live_values)


def _replay(pipeline: Pipeline, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "replay", *args, "--json"],
        cwd=REPO_ROOT, env=pipeline.env(**env), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "target",
    [
        "{ns}progress",
        "progress",
        "__consumer_offsets",
        "changelog__speech-coach-words--transcripts--default",
    ],
)
def test_replay_refuses_a_topic_the_live_system_uses(live: Pipeline, target: str) -> None:
    name = target.format(ns=live.namespace)
    result = _replay(live, "--flow", "scoring", "--from", "beginning", "--to-topic", name)
    assert result.returncode == 2
    assert f"replay refused: {name} is a topic the live system uses" in result.stderr


def test_replay_calls_a_paid_engine_only_when_told_and_reports_the_spend(
    stack: StackSettings, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"rpaid{uuid.uuid4().hex[:8]}-", tmp_path / "state")
    user, answer = "payer", "tg-1"
    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    text = "I prefer the city because there are more jobs, museums and good schools there."
    words = tuple(
        Word(word=w, start_s=0.5 + 0.4 * i, end_s=0.8 + 0.4 * i) for i, w in enumerate(text.split())
    )
    for event in (
        CreditEvent(event_id="top-up-1", occurred_at=at, user_id=user, kind="top_up", amount=5,
                    reason="test"),
        AnswerSubmitted(event_id=answer, occurred_at=at, user_id=user, answer_id=answer,
                        audio_bucket="voice", audio_key=f"answers/{user}/{answer}.ogg",
                        mime_type="audio/ogg", size_bytes=100, answered_at=at, source="cli"),
        AudioConverted(event_id=f"converted-{answer}", occurred_at=at, user_id=user,
                       answer_id=answer, wav_bucket="voice", wav_key=f"wav/{user}/{answer}.wav",
                       duration_s=10, sample_rate=16000, pauses=(), speech_duration_s=9.5),
        Transcript(event_id=f"transcript-{answer}", occurred_at=at, user_id=user,
                   answer_id=answer, text=text, language="en", engine="test", words=words,
                   duration_s=10),
    ):  # fmt: skip
        pipeline.send(event)
    with FakeOpenAI() as fake:
        fake.script(CHAT_COMPLETIONS, chat_reply(json.dumps(VALID)))
        openai = {"SPEECH_COACH_OPENAI__API_KEY": "sk-test", "SPEECH_COACH_OPENAI__BASE_URL":
                  fake.base_url}  # fmt: skip
        args = ("--flow", "feedback", "--from", "beginning", "--to-topic", "research-fb")
        free = _replay(pipeline, *args, **openai)
        assert free.returncode == 0, free.stderr
        assert fake.requests(CHAT_COMPLETIONS) == []  # configured, but not told to pay
        assert json.loads(free.stdout)["spent"] == {}

        paid = _replay(pipeline, *args, "--paid", **openai)
        assert paid.returncode == 0, paid.stderr
        assert len(fake.requests(CHAT_COMPLETIONS)) == 1
        assert json.loads(paid.stdout)["spent"] == {"graded by openai:gpt-4o-mini": 1}
    # Nothing was charged to the learner: the ledger holds the top-up alone.
    [ledger] = [pipeline.collect(CreditEvent, until=lambda found: len(found) >= 1, timeout_s=5)]
    assert [e.event_id for e in ledger] == ["top-up-1"]
