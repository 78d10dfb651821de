"""A flow's pure core: per-learner state folded over its input events.

Each flow declares its inputs and outputs beside one step function; its live dataflow and
`speech-coach replay` run that same step, so a replay of the same history reproduces the
live outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from schemas.events import Event

S = TypeVar("S")
Out = TypeVar("Out")


@dataclass(frozen=True)
class Logic(Generic[S, Out]):
    inputs: tuple[type[Event], ...]
    outputs: tuple[type[Out], ...]
    initial: Callable[[], S]
    # One input event of one learner: the learner's new state and what the flow emits.
    step: Callable[[S, Event], tuple[S, list[Out]]]
    # The state of a learner whose stored state is sealed with a key since shredded: they
    # were erased and have not come back since (the initial state unless a flow says).
    forgotten: Callable[[], S] | None = None

    def fold(self, state: S | None, event: Event) -> tuple[S, list[Out]]:
        """`step` from the initial state when the learner has none yet."""
        return self.step(self.initial() if state is None else state, event)

    def forget(self) -> S:
        return (self.forgotten or self.initial)()
