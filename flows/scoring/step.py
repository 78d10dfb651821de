"""The scoring flow's step: a learner's feedback in, the answer's Progress out; erasure
forgets the learner."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.scoring.windows import ScoringState, absorb
from schemas.events import Event, Feedback, Progress, UserEvent

INPUTS: tuple[type[Event], ...] = (Feedback, UserEvent)
OUTPUTS = (Progress,)


def logic(window_size: int) -> Logic[ScoringState, Progress]:
    def step(state: ScoringState, event: Event) -> tuple[ScoringState, list[Progress]]:
        match event:
            case UserEvent(kind="erasure_requested"):
                return ScoringState(), []
            case UserEvent():
                return state, []
            case Feedback():
                state, progress = absorb(state, event, window_size)
                return state, [] if progress is None else [progress]
        raise TypeError(f"the scoring flow does not read {type(event).__name__}")

    return Logic(INPUTS, OUTPUTS, ScoringState, step)
