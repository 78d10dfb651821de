"""Which question comes next: unanswered first (per-learner order), then due repetitions."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from bot.catalog import QuestionCatalog
from bot.selection import pick_question
from tests.bot.questions import MemoryCatalog, Question

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BANK = [Question(f"q{i}", "interview", f"Question {i}?") for i in range(6)]


def _expected_first(user_id: str, ids: list[str]) -> str:
    # Independent of the module: the smallest SHA-256 of "<user>\0<question>".
    return min(ids, key=lambda q: hashlib.sha256(f"{user_id}\0{q}".encode()).hexdigest())


def test_unanswered_questions_come_first_in_a_stable_per_learner_order() -> None:
    ids = [q.question_id for q in BANK]
    firsts = set()
    for user in ("alice", "bob", "carol", "dave"):
        pick = pick_question(BANK, {}, user_id=user, now=NOW)
        assert pick is not None
        assert not pick.repetition
        assert pick.question.question_id == _expected_first(user, ids)
        # The order does not depend on the order the catalog lists questions in.
        again = pick_question(list(reversed(BANK)), {}, user_id=user, now=NOW)
        assert again == pick
        firsts.add(pick.question.question_id)
    assert len(firsts) > 1, "every learner would start with the same question"


def test_answered_questions_are_left_out_while_unanswered_ones_remain() -> None:
    answered = {q.question_id: NOW - timedelta(days=3) for q in BANK[:5]}
    pick = pick_question(BANK, answered, user_id="u", now=NOW)
    assert pick is not None
    assert (pick.question.question_id, pick.repetition) == ("q5", False)


def test_then_due_questions_earliest_first_and_not_those_due_later() -> None:
    due = {
        "q0": NOW + timedelta(hours=1),  # not yet
        "q1": NOW - timedelta(days=1),
        "q2": NOW - timedelta(days=2),  # the earliest due
        "q3": NOW,  # due exactly now
        "q4": NOW + timedelta(days=7),
        "q5": NOW + timedelta(days=3),
    }
    pick = pick_question(BANK, due, user_id="u", now=NOW)
    assert pick is not None
    assert (pick.question.question_id, pick.repetition) == ("q2", True)
    later = {"q1": NOW + timedelta(days=1), "q2": NOW + timedelta(days=2)}
    pick = pick_question(BANK, {**due, **later}, user_id="u", now=NOW)
    assert pick is not None
    assert pick.question.question_id == "q3"


def test_nothing_left_when_everything_is_answered_and_nothing_is_due() -> None:
    due = {q.question_id: NOW + timedelta(days=1) for q in BANK}
    assert pick_question(BANK, due, user_id="u", now=NOW) is None
    assert pick_question([], {}, user_id="u", now=NOW) is None


def test_inactive_questions_are_never_picked() -> None:
    bank = [Question("a", "workplace", "A?", active=False), Question("b", "workplace", "B?")]
    pick = pick_question(bank, {"b": NOW - timedelta(days=1)}, user_id="u", now=NOW)
    assert pick is not None
    assert pick.question.question_id == "b"
    assert pick_question(bank[:1], {}, user_id="u", now=NOW) is None


def test_the_question_just_asked_is_skipped_while_another_qualifies() -> None:
    first = pick_question(BANK, {}, user_id="u", now=NOW)
    assert first is not None
    second = pick_question(BANK, {}, user_id="u", now=NOW, last_asked=first.question.question_id)
    assert second is not None
    assert second.question != first.question
    lone = [first.question]
    assert pick_question(lone, {}, user_id="u", now=NOW, last_asked=first.question.question_id)


def test_the_in_memory_catalog_satisfies_the_protocol() -> None:
    catalog: QuestionCatalog = MemoryCatalog(BANK)
    assert [q.question_id for q in catalog.active("interview")] == [q.question_id for q in BANK]
    assert catalog.active("workplace") == ()
