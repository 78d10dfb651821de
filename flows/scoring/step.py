"""The scoring flow's step: a learner's feedback in, the answer's Progress out."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.scoring.windows import ScoringState, absorb
from schemas.events import Event, Feedback, Progress

INPUTS: tuple[type[Event], ...] = (Feedback,)
OUTPUTS = (Progress,)


def logic(window_size: int) -> Logic[ScoringState, Progress]:
    def step(state: ScoringState, event: Event) -> tuple[ScoringState, list[Progress]]:
        if not isinstance(event, Feedback):
            raise TypeError(f"the scoring flow does not read {type(event).__name__}")
        state, progress = absorb(state, event, window_size)
        return state, [] if progress is None else [progress]

    return Logic(INPUTS, OUTPUTS, ScoringState, step)
