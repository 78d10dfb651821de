"""The words flow's step: a learner's transcript in, the answer's WordStats out; erasure
forgets the learner's vocabulary."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.words.vocabulary import VocabularyState, absorb
from schemas.events import Event, Transcript, UserEvent, WordStats

INPUTS: tuple[type[Event], ...] = (Transcript, UserEvent)
OUTPUTS = (WordStats,)


def step(state: VocabularyState, event: Event) -> tuple[VocabularyState, list[WordStats]]:
    match event:
        case UserEvent(kind="erasure_requested"):
            return VocabularyState(), []
        case UserEvent():
            return state, []
        case Transcript():
            state, stats = absorb(state, event)
            return state, [] if stats is None else [stats]
    raise TypeError(f"the words flow does not read {type(event).__name__}")


LOGIC: Logic[VocabularyState, WordStats] = Logic(INPUTS, OUTPUTS, VocabularyState, step)
