"""Erasure as every flow keeping per-learner state sees it (docs/privacy.md).

An erasure request forgets the learner: a flow resets its state of them. Their events still
on their way (an answer in flight, a question asked a moment before) must not bring them
back, so the learner stays erased, and such events are dropped, until they come back:
register again or consent again.
"""

from __future__ import annotations

from schemas.events import UserEvent

# What a learner does to come back after erasure.
RETURNING = frozenset({"registered", "consent_given"})


def erased_after(erased: bool, event: UserEvent) -> bool:
    """Whether the learner is erased once `event` is taken into account."""
    if event.kind == "erasure_requested":
        return True
    if event.kind in RETURNING:
        return False
    return erased
