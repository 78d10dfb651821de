"""Offsets are committed in order even when messages finish out of order."""

from __future__ import annotations

import pytest

from bot.offsets import CommitTracker

P, Q = ("feedback", 0), ("feedback", 1)


def test_in_order_completion_commits_each_next_offset() -> None:
    tracker = CommitTracker()
    for offset in (4, 5):
        tracker.start(P, offset)
    assert tracker.finish(P, 4) == 5
    assert tracker.finish(P, 5) == 6
    assert tracker.in_flight() == 0


def test_a_later_message_finishing_first_waits_for_the_earlier_one() -> None:
    tracker = CommitTracker()
    for offset in (10, 11, 13):  # offsets may have gaps
        tracker.start(P, offset)
    assert tracker.finish(P, 13) is None
    assert tracker.finish(P, 11) is None
    assert tracker.in_flight() == 3
    assert tracker.finish(P, 10) == 14  # everything up to 13 is done
    assert tracker.in_flight() == 0


def test_partitions_are_independent() -> None:
    tracker = CommitTracker()
    tracker.start(P, 0)
    tracker.start(Q, 0)
    assert tracker.finish(Q, 0) == 1
    assert tracker.in_flight() == 1


def test_finishing_an_unknown_offset_is_an_error() -> None:
    with pytest.raises(KeyError, match="was not started"):
        CommitTracker().finish(P, 3)
