"""The words flow's step: a learner's transcript in, the answer's WordStats out."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.words.vocabulary import VocabularyState, absorb
from schemas.events import Event, Transcript, WordStats

INPUTS: tuple[type[Event], ...] = (Transcript,)
OUTPUTS = (WordStats,)


def step(state: VocabularyState, event: Event) -> tuple[VocabularyState, list[WordStats]]:
    if not isinstance(event, Transcript):
        raise TypeError(f"the words flow does not read {type(event).__name__}")
    state, stats = absorb(state, event)
    return state, [] if stats is None else [stats]


LOGIC: Logic[VocabularyState, WordStats] = Logic(INPUTS, OUTPUTS, VocabularyState, step)
