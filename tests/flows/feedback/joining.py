"""The feedback flow's join run over a learner's events, for tests that need its result."""

from __future__ import annotations

from flows.feedback.join import LearnerState, ReadyAnswer, absorb
from schemas.events import Event


def joined(events: list[Event]) -> ReadyAnswer:
    """The answer the join makes ready from `events`, in their order."""
    state, ready = LearnerState(), None
    for event in events:
        state, done = absorb(state, event)
        ready = done or ready
    assert ready is not None
    return ready
