"""Events project onto the bot's read-model rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from flows.readmodels.connect_json import encode_struct
from flows.readmodels.dataflow import change_record, row_record
from flows.readmodels.project import (
    DropSeed,
    LearnerView,
    RowChange,
    ShredKey,
    due_after,
    forgotten,
    project,
)
from flows.readmodels.step import LOGIC
from schemas.events import (
    CreditEvent,
    Event,
    Feedback,
    LemmaCount,
    Progress,
    QuestionAsked,
    RubricScores,
    UserEvent,
    WindowScores,
    WordStats,
)
from tests.schemas.samples import SAMPLES

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _user(kind: str, at: datetime, language: str | None = None) -> UserEvent:
    return UserEvent(
        event_id=f"u-{kind}-{at.timestamp()}", occurred_at=at, user_id="7", chat_id=70,
        kind=kind, language=language,
    )  # fmt: skip


def _fold(
    events: list[Event], view: LearnerView | None = None
) -> tuple[LearnerView, list[RowChange]]:
    """The view after `events`, and the row changes they made."""
    view = view or LearnerView()
    changes: list[RowChange] = []
    for event in events:
        view, emitted = project(view, event)
        changes.extend(c for c in emitted if isinstance(c, RowChange))
    return view, changes


def test_learner_row_follows_language_and_consent() -> None:
    _, changes = _fold(
        [
            _user("registered", T0),
            _user("language_set", T0 + timedelta(seconds=1), "ru"),
            _user("consent_given", T0 + timedelta(seconds=2)),
        ]
    )
    assert [c.table for c in changes] == ["rm_learners"] * 3
    last = changes[-1].row
    assert last is not None
    assert (last["language"], last["consent"], last["chat_id"]) == ("ru", True, 70)
    assert changes[0].row is not None
    assert (changes[0].row["language"], changes[0].row["consent"]) == ("en", False)


def test_answered_rows_count_answers_and_schedule_repetition() -> None:
    feedback = cast(Feedback, SAMPLES["feedback"])
    assert feedback.question_id is not None
    later = feedback.model_copy(
        update={"event_id": "f2", "occurred_at": feedback.occurred_at + timedelta(days=1)}
    )
    _, changes = _fold([feedback, feedback, later])
    rows = [c.row for c in changes if c.table == "rm_answered"]
    assert [r["times_answered"] for r in rows if r] == [1, 2]  # the redelivery adds nothing
    second = rows[-1]
    assert second is not None
    overall = feedback.scores.overall
    assert second["due_at"] == later.occurred_at + due_after(overall)


@pytest.mark.parametrize(("overall", "days"), [(None, 1), (1.5, 1), (2.0, 3), (2.9, 3), (3.0, 7)])
def test_weaker_answers_come_back_sooner(overall: float | None, days: int) -> None:
    assert due_after(overall) == timedelta(days=days)


def test_balance_folds_each_ledger_entry_once() -> None:
    def credit(kind: str, amount: int, event_id: str) -> CreditEvent:
        return CreditEvent(
            event_id=event_id, occurred_at=T0, user_id="7", kind=kind,
            amount=amount, reason="test",
        )  # fmt: skip

    _, changes = _fold(
        [credit("top_up", 5, "a"), credit("charge", 1, "b"), credit("charge", 1, "b")]
    )
    assert [c.row["balance"] for c in changes if c.row] == [5, 4]


def test_erasure_deletes_every_row_of_the_learner() -> None:
    asked = QuestionAsked(
        event_id="q1", occurred_at=T0, user_id="7", question_id="job_interview-003",
        category="job_interview", chat_id=70, asked_at=T0, repetition=False,
    )  # fmt: skip
    feedback = cast(Feedback, SAMPLES["feedback"]).model_copy(update={"user_id": "7"})
    view, _ = _fold([_user("registered", T0), asked, feedback])
    view, emitted = project(view, _user("erasure_requested", T0 + timedelta(days=1)))
    assert view == LearnerView(erased=True)
    # The rows go first, then a rebuild's seed; the key is shredded last, once nothing needs
    # the view any more.
    assert emitted[-2:] == [DropSeed("7"), ShredKey("7")]
    changes = [c for c in emitted if isinstance(c, RowChange)]
    assert len(changes) == len(emitted) - 2
    assert {(c.table, c.row) for c in changes if c.table not in ("rm_answered", "rm_scores")} == {
        ("rm_learners", None),
        ("rm_balances", None),
        ("rm_last_questions", None),
    }
    assert [(c.key["answer_id"], c.row) for c in changes if c.table == "rm_scores"] == [
        (feedback.answer_id, None)
    ]
    assert [c.key["question_id"] for c in changes if c.table == "rm_answered"] == [
        feedback.question_id
    ]


def test_an_erased_learners_events_still_on_their_way_are_dropped_until_they_come_back() -> None:
    asked = QuestionAsked(
        event_id="q2", occurred_at=T0, user_id="7", question_id="job_interview-003",
        category="job_interview", chat_id=70, asked_at=T0, repetition=False,
    )  # fmt: skip
    feedback = cast(Feedback, SAMPLES["feedback"]).model_copy(update={"user_id": "7"})
    # A view sealed with a shredded key reads as an erased learner's.
    assert LOGIC.forget() == forgotten() == LearnerView(erased=True)
    view, changes = _fold([asked, feedback, _user("language_set", T0, "ru")], forgotten())
    assert (view, changes) == (forgotten(), [])
    view, changes = _fold([_user("registered", T0), asked], view)
    assert not view.erased
    assert [c.table for c in changes] == [
        "rm_learners",
        "rm_last_questions",
    ]


def test_shredding_a_key_and_dropping_a_seed_are_tombstones_on_their_topics() -> None:
    record = change_record("ns-", ShredKey("7"))
    assert (record.topic, record.key, record.value) == ("ns-learner-keys", b"7", None)
    record = change_record("ns-", DropSeed("7"))
    assert (record.topic, record.key, record.value) == ("ns-readmodels-seed", b"7", None)


def test_rows_are_connect_json_with_schema_and_tombstones_are_null() -> None:
    change = RowChange(
        "rm_last_questions",
        {"user_id": "7"},
        {"user_id": "7", "question_id": "q", "asked_at": T0},
    )
    record = row_record("ns-", change)
    assert record.topic == "ns-rm_last_questions"
    assert record.value is not None
    value = json.loads(record.value)
    assert value["payload"] == {
        "user_id": "7",
        "question_id": "q",
        "asked_at": int(T0.timestamp() * 1000),
    }
    assert value["schema"]["fields"][2]["name"] == "org.apache.kafka.connect.data.Timestamp"
    assert json.loads(record.key or b"")["payload"] == {"user_id": "7"}

    deleted = row_record("", RowChange("rm_learners", {"user_id": "7"}, None))
    assert deleted.value is None


def test_a_row_missing_a_required_column_is_refused() -> None:
    with pytest.raises(ValueError, match=r"missing \['asked_at'\]"):
        encode_struct("t", {"asked_at": ("timestamp", False)}, {})


def _progress(answer_id: str, overall: float, at: datetime) -> Progress:
    scores = {"delivery": 2.0, "language_use": 3.0, "topic_development": 2.5, "overall": overall}
    return Progress(
        event_id=f"progress-{answer_id}", occurred_at=at, user_id="7", answer_id=answer_id,
        window_size=5, answers_in_window=1, last_n=RubricScores(**scores),
        last_7_days=WindowScores(**scores, count=1), trend=0.0, strongest="language_use",
        weakest="delivery",
    )  # fmt: skip


def test_chart_points_join_feedback_and_window_in_any_order() -> None:
    base = cast(Feedback, SAMPLES["feedback"]).model_copy(update={"user_id": "7"})
    first = base.model_copy(update={"answer_id": "a1", "answered_at": T0})
    second = base.model_copy(update={"answer_id": "a2", "answered_at": T0 + timedelta(hours=1)})
    # a1: feedback then progress; a2: progress first (another topic may be ahead).
    _, changes = _fold([first, _progress("a1", 2.2, T0), _progress("a2", 2.6, T0), second])
    points = [(c.key["answer_id"], c.row) for c in changes if c.table == "rm_scores"]
    assert [(a, r["window_overall"] if r else None) for a, r in points] == [
        ("a1", None),
        ("a1", 2.2),
        ("a2", 2.6),
    ]
    assert points[-1][1] is not None
    assert points[-1][1]["answered_at"] == T0 + timedelta(hours=1)
    assert points[-1][1]["overall"] == base.scores.overall
    progress_rows = [c.row for c in changes if c.table == "rm_progress"]
    assert [r["last_n_overall"] for r in progress_rows if r] == [2.2, 2.6]


def test_vocabulary_keeps_the_newest_words_first() -> None:
    def stats(answer: str, new: tuple[str, ...], total: int) -> WordStats:
        return WordStats(
            event_id=f"words-{answer}", occurred_at=T0, user_id="7", answer_id=answer,
            lemma_counts=(), new_lemmas=new, unique_total=total,
            top_lemmas=(LemmaCount(lemma="city", count=3), LemmaCount(lemma="job", count=2)),
        )  # fmt: skip

    _, changes = _fold([stats("a1", ("city", "job"), 2), stats("a2", ("museum",), 3)])
    last = changes[-1].row
    assert last is not None
    assert (last["unique_total"], last["newest"], last["top_lemmas"]) == (
        3,
        "museum,job,city",
        "city:3,job:2",
    )


def test_a_late_answers_window_does_not_replace_a_newer_one() -> None:
    _, changes = _fold([_progress("new", 3.0, T0 + timedelta(days=1)), _progress("old", 1.0, T0)])
    rows = [c.row for c in changes if c.table == "rm_progress"]
    assert [r["answer_id"] for r in rows if r] == ["new"]


def test_a_view_stored_with_whole_feedback_events_reads_as_points() -> None:
    feedback = cast(Feedback, SAMPLES["feedback"])
    old_point = {"feedback": feedback.model_dump(mode="json"), "window_overall": 2.0}
    stored = {"consent": True, "points": {feedback.answer_id: old_point}}
    view = LearnerView.model_validate_json(json.dumps(stored))
    point = view.points[feedback.answer_id]
    assert point.answered_at == (feedback.answered_at or feedback.occurred_at)
    assert point.scores == feedback.scores
    assert point.window_overall == 2.0
    # What it keeps per point now is a fraction of the whole event.
    assert len(point.model_dump_json()) < len(json.dumps(old_point)) / 3
