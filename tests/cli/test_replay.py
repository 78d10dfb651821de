"""`speech-coach replay` reproduces the live flows' outputs exactly."""

from __future__ import annotations

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
    Engines,
    Event,
    Feedback,
    Metrics,
    Progress,
    RubricScores,
    Transcript,
    WordStats,
)
from stack.settings import REPO_ROOT, StackSettings
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
