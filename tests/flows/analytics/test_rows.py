"""Events → rows: the columns the DDL declares, times split into seconds and milliseconds,
versions that tie for duplicates and grow for regenerated events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from flows.analytics.rows import (
    ERASURE,
    Row,
    UnsupportedEvent,
    event_rows,
    milliseconds,
    question_row,
    rows_unless_erased,
    seconds,
    version,
)
from flows.analytics.tables import table_names
from schemas.events import Event, Feedback, Metrics
from tests.clickhouse import dataset
from tests.clickhouse.engines import Chdb
from tests.schemas.samples import AT, SAMPLES

TABLED = ("feedback", "progress", "word_stats", "question_asked", "rejected", "answer_submitted")


@pytest.fixture(scope="module")
def columns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[str]]]:
    """Each table's columns, as ClickHouse reads them from the DDL files."""
    engine = Chdb(tmp_path_factory.mktemp("chdb"), "columns")
    engine.apply_schema()
    yield {
        table: [str(row[0]) for row in engine.query(f"DESCRIBE TABLE {table}")]
        for table in table_names()
    }
    engine.close()


def test_every_row_has_exactly_its_tables_columns_in_order(
    columns: dict[str, list[str]],
) -> None:
    rows = dataset.rows()
    assert {row.table for row in rows} == set(columns)
    for row in rows:
        assert list(row.values) == columns[row.table], row.table


@pytest.mark.parametrize("event_type", TABLED)
def test_a_duplicate_event_gives_identical_rows(event_type: str) -> None:
    event = SAMPLES[event_type]
    copy = type(event).model_validate_json(event.model_dump_json())
    assert event_rows(copy) == event_rows(event)
    assert event_rows(event)


def test_events_no_table_holds_are_refused() -> None:
    with pytest.raises(UnsupportedEvent, match="credit_event"):
        event_rows(SAMPLES["credit_event"])


def test_an_erasure_request_is_the_one_user_event_with_rows() -> None:
    assert event_rows(SAMPLES["user_event"]) == []  # a language_set: nothing to analyse
    erasure = SAMPLES["user_event"].model_copy(update={"kind": "erasure_requested"})
    assert event_rows(erasure) == [Row(ERASURE, {"user_id": erasure.user_id})]


def test_an_erased_learners_events_still_on_their_way_add_no_rows_until_they_come_back() -> None:
    user = SAMPLES["user_event"]
    asked = SAMPLES["question_asked"]
    erased, rows = rows_unless_erased(False, user.model_copy(update={"kind": "erasure_requested"}))
    assert (erased, rows) == (True, [Row(ERASURE, {"user_id": user.user_id})])
    assert rows_unless_erased(True, asked) == (True, [])
    assert rows_unless_erased(True, user) == (True, [])  # a language_set: still erased
    back, _ = rows_unless_erased(True, user.model_copy(update={"kind": "registered"}))
    assert not back
    assert rows_unless_erased(False, asked) == (False, event_rows(asked))


def test_times_are_whole_seconds_with_milliseconds_beside_them() -> None:
    at = datetime(2025, 3, 14, 12, 26, 53, 589793, tzinfo=UTC)
    assert seconds(at) == datetime(2025, 3, 14, 12, 26, 53, tzinfo=UTC)
    assert milliseconds(at) == 589
    [row] = event_rows(SAMPLES["answer_submitted"])
    assert row.values["answered_at"] == seconds(AT)
    assert row.values["answered_at_ms"] == AT.microsecond // 1000


def test_version_is_occurred_at_in_microseconds() -> None:
    event = SAMPLES["rejected"]
    at = event.occurred_at
    assert version(event) == int(at.timestamp()) * 1_000_000 + at.microsecond
    later: Event = event.model_copy(
        update={"occurred_at": event.occurred_at + timedelta(microseconds=1)}
    )
    assert version(later) == version(event) + 1


def test_feedback_without_answer_time_is_placed_at_its_own_time() -> None:
    feedback = SAMPLES["feedback"]
    assert isinstance(feedback, Feedback)
    assert feedback.answered_at is None
    [row] = event_rows(feedback)
    assert row.values["answered_at"] == seconds(feedback.occurred_at)
    answered = feedback.model_copy(update={"answered_at": AT - timedelta(minutes=3)})
    [row] = event_rows(answered)
    assert row.values["answered_at"] == seconds(AT - timedelta(minutes=3))
    assert row.values["graded_at"] == seconds(AT)


def test_feedback_row_carries_every_metric_and_score() -> None:
    feedback = SAMPLES["feedback"]
    assert isinstance(feedback, Feedback)
    [row] = event_rows(feedback)
    for name in Metrics.model_fields:
        assert row.values[name] == getattr(feedback.metrics, name), name
    for name in ("delivery", "language_use", "topic_development", "overall"):
        assert row.values[name] == getattr(feedback.scores, name), name
    assert (row.values["stt_engine"], row.values["feedback_engine"]) == (
        "faster-whisper:tiny.en",
        "local",
    )


def test_word_stats_give_one_row_per_lemma() -> None:
    rows = event_rows(SAMPLES["word_stats"])
    assert [(r.values["lemma"], r.values["count"]) for r in rows] == [
        ("my", 1),
        ("hometown", 1),
        ("be", 1),
        ("small", 1),
    ]


def test_free_practice_has_an_empty_question_id() -> None:
    submitted = SAMPLES["answer_submitted"].model_copy(update={"question_id": None})
    [row] = event_rows(submitted)
    assert row.values["question_id"] == ""


def test_a_question_row_is_versioned_by_its_change_time() -> None:
    question = dataset.QUESTIONS[3]
    row = question_row(question, 1_772_000_000_123)
    assert row.values["version"] == 1_772_000_000_123
    assert (row.values["category"], row.values["active"]) == ("independent", 0)
