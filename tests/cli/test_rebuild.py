"""`speech-coach rebuild readmodels` on the real stack: history written with the old split
partitioning (the bot and Bytewax on librdkafka's CRC32, Quix on murmur2) leaves a learner's
chart without its window line; the rebuild, run while the flow is stopped, gives every row
its value, and the flow resumes from the rebuilt state with the events after it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from confluent_kafka import Producer

from clients.connect import apply_connector, delete_connector
from clients.kafka import producer
from flows.readmodels.connector import sink_config, sink_name
from schemas.events import (
    Engines,
    Event,
    Feedback,
    Metrics,
    Progress,
    QuestionAsked,
    RubricScores,
    UserEvent,
    WindowScores,
)
from schemas.serde import serialize
from stack.settings import REPO_ROOT, StackSettings
from tests.pipeline import Pipeline, readmodels_database

pytestmark = [pytest.mark.stack, pytest.mark.slow]

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
QUESTION = "workplace-004"
# ana: CRC32 puts her on partition 0 of 3, murmur2 on 1; boris is on 1 with both.
SPLIT, WHOLE = "ana", "boris"


def _scores(overall: float) -> RubricScores:
    return RubricScores(
        delivery=overall, language_use=overall, topic_development=overall, overall=overall
    )


def _answer(user: str, n: int, overall: float) -> tuple[Feedback, Progress]:
    at = T0 + timedelta(hours=n)
    answer = f"{user}-answer-{n}"
    feedback = Feedback(
        event_id=f"feedback-{answer}", occurred_at=at, user_id=user, answer_id=answer,
        question_id=QUESTION, transcript="text",
        metrics=Metrics(duration_s=40, words=90, words_per_minute=135, pause_count=3,
                        mean_pause_s=0.5, long_pause_count=0, filler_count=1, type_token_ratio=0.6),
        scores=_scores(overall), recommendations=("Keep going.",),
        engines=Engines(stt="t", feedback="local"),
    )  # fmt: skip
    progress = Progress(
        event_id=f"progress-{answer}", occurred_at=at + timedelta(seconds=1), user_id=user,
        answer_id=answer, window_size=5, answers_in_window=n, last_n=_scores(overall - 0.5),
        last_7_days=WindowScores(**_scores(overall).model_dump(), count=n), trend=0,
        strongest="delivery", weakest="language_use",
    )  # fmt: skip
    return feedback, progress


def _account(user: str, kind: str, at: datetime, **extra: Any) -> UserEvent:
    return UserEvent(
        event_id=f"{user}-{kind}-{at.timestamp()}", occurred_at=at, user_id=user, chat_id=7,
        kind=kind, **extra,
    )  # fmt: skip


def _old_history(pipeline: Pipeline) -> dict[tuple[str, str], int]:
    """Each learner's events as the producers wrote them before: the bot's and Bytewax's
    with CRC32, the Quix flows' with murmur2. (learner, event type) → partition."""
    crc32 = Producer(
        {"bootstrap.servers": pipeline.stack.bootstrap_servers, "partitioner": "consistent_random"}
    )
    placed: dict[tuple[str, str], int] = {}

    def write(writer: Producer, event: Event) -> None:
        def delivered(error: object, message: Any) -> None:
            assert error is None, error
            placed[(event.user_id, event.EVENT_TYPE)] = message.partition()

        writer.produce(pipeline.topic(type(event)), key=event.key(), value=serialize(event),
                       on_delivery=delivered)  # fmt: skip

    murmur2 = producer(pipeline.kafka)
    for user in (SPLIT, WHOLE):
        write(crc32, _account(user, "registered", T0 - timedelta(days=1)))
        write(crc32, _account(user, "consent_given", T0 - timedelta(days=1, seconds=-1)))
        write(crc32, QuestionAsked(
            event_id=f"{user}-asked", occurred_at=T0, user_id=user, question_id=QUESTION,
            category="workplace", chat_id=7, asked_at=T0, repetition=False,
        ))  # fmt: skip
        feedback, progress = _answer(user, 1, 3.0)
        write(murmur2, feedback)  # the feedback flow (Quix)
        write(crc32, progress)  # the scoring flow (Bytewax)
    assert crc32.flush(30) == 0
    assert murmur2.flush(30) == 0
    return placed


def _rows(dsn: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        return connection.execute(query).fetchall()


def _wait(found: Callable[[], Any], expected: Any, timeout_s: float = 90) -> Any:
    deadline = time.monotonic() + timeout_s
    while (value := found()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return value


def _rebuild(pipeline: Pipeline) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "rebuild", "readmodels", "--json"],
        cwd=REPO_ROOT, env=pipeline.env(), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.fixture
def pipeline(stack: StackSettings, unique: str, tmp_path: Path) -> Pipeline:
    return Pipeline(stack, f"rb{unique}-", tmp_path / "state")


def test_a_rebuild_mends_history_split_across_partitions_and_the_flow_resumes_from_it(
    stack: StackSettings, pipeline: Pipeline
) -> None:
    placed = _old_history(pipeline)
    # The split the rebuild is for: ana's feedback and progress on different partitions.
    assert placed[(SPLIT, "feedback")] != placed[(SPLIT, "progress")]
    assert placed[(WHOLE, "feedback")] == placed[(WHOLE, "progress")]
    windows = "SELECT user_id, window_overall FROM rm_scores ORDER BY answer_id"
    with readmodels_database(stack) as dsn:
        name = sink_name(pipeline.namespace)
        apply_connector(stack.connect_url, name, sink_config(dsn, pipeline.namespace))
        try:
            with pipeline.flow("readmodels"):
                split = [(SPLIT, None), (WHOLE, 2.5)]
                assert _wait(lambda: _rows(dsn, windows), split) == split
                refused = _rebuild(pipeline)
                assert refused.returncode == 2
                assert "running" in refused.stderr

            rebuilt = _rebuild(pipeline)
            assert rebuilt.returncode == 0, rebuilt.stderr
            report = json.loads(rebuilt.stdout)
            assert (report["learners"], report["read"], report["invalid"]) == (2, 10, 0)
            assert report["changelogs"]
            assert report["state_dir"] is not None
            whole = [(SPLIT, 2.5), (WHOLE, 2.5)]
            assert _wait(lambda: _rows(dsn, windows), whole) == whole

            # The flow starts from the rebuilt state: ana keeps her consent and her count.
            with pipeline.flow("readmodels"):
                pipeline.send(_account(SPLIT, "language_set", T0 + timedelta(days=1),
                                       language="ru"))  # fmt: skip
                for event in _answer(SPLIT, 2, 2.0):
                    pipeline.send(event)
                learner = [(SPLIT, "ru", True)]
                query = "SELECT user_id, language, consent FROM rm_learners WHERE user_id = 'ana'"
                assert _wait(lambda: _rows(dsn, query), learner) == learner
                answered = [(SPLIT, 2)]
                query = "SELECT user_id, times_answered FROM rm_answered WHERE user_id = 'ana'"
                assert _wait(lambda: _rows(dsn, query), answered) == answered
                after = [(SPLIT, 2.5), (SPLIT, 1.5), (WHOLE, 2.5)]
                assert _wait(lambda: _rows(dsn, windows), after) == after
        finally:
            delete_connector(stack.connect_url, name)
