"""Read models on the real stack: events → read-models flow → rm_* topics → Debezium JDBC
sink → Postgres rows the bot reads; duplicates leave one row per key, erasure deletes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from clients.connect import apply_connector, delete_connector
from flows.readmodels.connector import sink_config, sink_name
from schemas.events import (
    CreditEvent,
    Engines,
    Feedback,
    LemmaCount,
    Metrics,
    Progress,
    QuestionAsked,
    RubricScores,
    UserEvent,
    WindowScores,
    WordStats,
)
from stack.settings import StackSettings
from tests.pipeline import Pipeline, readmodels_database

pytestmark = pytest.mark.stack

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
SCORES = RubricScores(delivery=2.5, language_use=2.5, topic_development=2.5, overall=2.5)
QUERIES = (
    "SELECT user_id, chat_id, language, consent FROM rm_learners",
    "SELECT user_id, question_id, times_answered, last_overall, due_at - last_answered_at"
    " FROM rm_answered",
    "SELECT user_id, balance FROM rm_balances",
    "SELECT user_id, question_id FROM rm_last_questions",
    "SELECT user_id, answer_id, last_n_overall, strongest FROM rm_progress",
    "SELECT answer_id, overall, window_overall FROM rm_scores",
    "SELECT user_id, unique_total, newest FROM rm_vocabulary",
)


@pytest.fixture
def database(stack: StackSettings) -> Iterator[str]:
    with readmodels_database(stack) as dsn:
        yield dsn


def _wait(query: Callable[[], Any], expected: Any, timeout_s: float = 60) -> Any:
    deadline = time.monotonic() + timeout_s
    while (found := query()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def _feedback(user: str, question: str, overall: float, at: datetime, event_id: str) -> Feedback:
    return Feedback(
        event_id=event_id, occurred_at=at, user_id=user, answer_id=event_id, question_id=question,
        transcript="text",
        metrics=Metrics(duration_s=40, words=90, words_per_minute=135, pause_count=3,
                        mean_pause_s=0.5, long_pause_count=0, filler_count=1, type_token_ratio=0.6),
        scores=RubricScores(delivery=overall, language_use=overall, topic_development=overall,
                            overall=overall),
        recommendations=("Keep going.",), engines=Engines(stt="t", feedback="local"),
    )  # fmt: skip


def test_events_become_rows_duplicates_stay_single_and_erasure_deletes(
    stack: StackSettings, unique: str, tmp_path: Path, database: str
) -> None:
    pipeline = Pipeline(stack, f"rm{unique}-", tmp_path / "state")
    name = sink_name(pipeline.namespace)
    apply_connector(stack.connect_url, name, sink_config(database, pipeline.namespace))

    def user(kind: str, at: datetime, **extra: Any) -> UserEvent:
        return UserEvent(event_id=f"{kind}-{at.timestamp()}", occurred_at=at, user_id="u1",
                         chat_id=11, kind=kind, **extra)  # fmt: skip

    events = [
        user("registered", T0),
        user("language_set", T0 + timedelta(seconds=1), language="ru"),
        user("consent_given", T0 + timedelta(seconds=2)),
        QuestionAsked(event_id="ask-1", occurred_at=T0, user_id="u1", question_id="workplace-004",
                      category="workplace", chat_id=11, asked_at=T0, repetition=False),
        _feedback("u1", "workplace-004", 2.5, T0 + timedelta(minutes=1), "f1"),
        CreditEvent(event_id="c1", occurred_at=T0, user_id="u1", kind="top_up", amount=5,
                    reason="test"),
        CreditEvent(event_id="c2", occurred_at=T0, user_id="u1", kind="charge", amount=1,
                    reason="test", answer_id="f1"),
        Progress(event_id="progress-f1", occurred_at=T0, user_id="u1", answer_id="f1",
                 window_size=5, answers_in_window=1, last_n=SCORES,
                 last_7_days=WindowScores(**SCORES.model_dump(), count=1), trend=0,
                 strongest="delivery", weakest="language_use"),
        WordStats(event_id="words-f1", occurred_at=T0, user_id="u1", answer_id="f1",
                  lemma_counts=(LemmaCount(lemma="meeting", count=2),),
                  new_lemmas=("meeting",), unique_total=1,
                  top_lemmas=(LemmaCount(lemma="meeting", count=2),)),
    ]  # fmt: skip
    try:
        with pipeline.flow("readmodels"), psycopg.connect(database, autocommit=True) as conn:
            for event in events + events:  # every event twice
                pipeline.send(event)

            def rows() -> tuple[Any, ...]:
                return tuple(conn.execute(query).fetchall() for query in QUERIES)

            expected = (
                [("u1", 11, "ru", True)],
                [("u1", "workplace-004", 1, 2.5, timedelta(days=3))],
                [("u1", 4)],
                [("u1", "workplace-004")],
                [("u1", "f1", 2.5, "delivery")],
                [("f1", 2.5, 2.5)],
                [("u1", 1, "meeting")],
            )
            assert _wait(rows, expected) == expected

            pipeline.send(user("erasure_requested", T0 + timedelta(days=1)))
            nothing: tuple[list[Any], ...] = tuple([] for _ in QUERIES)
            assert _wait(rows, nothing) == nothing
    finally:
        delete_connector(stack.connect_url, name)
