"""Read-your-own-writes: the bot's recent writes win over older read-model rows only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.own_writes import OwnWrites, Stamped, newer

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def test_the_newer_of_own_write_and_row_wins() -> None:
    own, row = Stamped("ru", T0), Stamped("en", T0 - timedelta(seconds=2))
    assert newer(own, row) == "ru"  # the read model has not caught up yet
    assert newer(own, Stamped("en", T0 + timedelta(seconds=1))) == "en"  # changed since
    assert newer(own, Stamped("ru", T0)) == "ru"  # caught up
    assert newer(None, row) == "en"
    assert newer(own, None) == "ru"
    assert newer(None, None) is None


def test_writes_accumulate_per_learner() -> None:
    writes = OwnWrites()
    writes.language_set("u", "ru", T0)
    writes.consent_set("u", True, T0 + timedelta(seconds=1))
    writes.question_asked("u", "q1", T0 + timedelta(seconds=2))
    entry = writes.get("u")
    assert entry.language == Stamped("ru", T0)
    assert entry.consent == Stamped(True, T0 + timedelta(seconds=1))
    assert entry.last_question == Stamped("q1", T0 + timedelta(seconds=2))
    assert writes.get("other").language is None


def test_the_least_recently_written_learner_is_forgotten_first() -> None:
    writes = OwnWrites(capacity=2)
    writes.language_set("a", "en", T0)
    writes.language_set("b", "en", T0)
    writes.consent_set("a", True, T0)  # a is now the most recent
    writes.language_set("c", "en", T0)
    assert writes.get("b").language is None
    assert writes.get("a").consent is not None
    assert writes.get("c").language is not None
