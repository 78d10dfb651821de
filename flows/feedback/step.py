"""The feedback flow's step: the parts of a learner's answers in, joined (join.py), and once
an answer is complete, its Feedback (and a credit charge for a paid grader) out."""

from __future__ import annotations

from collections.abc import Callable

from flows.common.logic import Logic
from flows.feedback.engines.base import QuestionInfo
from flows.feedback.grading import Graders, grade
from flows.feedback.join import LearnerState, absorb
from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    CreditEvent,
    Event,
    Feedback,
    QuestionAsked,
    Rejected,
    Transcript,
)

INPUTS: tuple[type[Event], ...] = (
    QuestionAsked,
    CreditEvent,
    AnswerSubmitted,
    AudioConverted,
    Transcript,
    Rejected,
)
OUTPUTS = (Feedback, CreditEvent)


def logic(
    graders: Graders, question: Callable[[str], QuestionInfo | None]
) -> Logic[LearnerState, Feedback | CreditEvent]:
    def step(
        state: LearnerState, event: Event
    ) -> tuple[LearnerState, list[Feedback | CreditEvent]]:
        state, ready = absorb(state, event)
        if ready is None:
            return state, []
        return grade(state, ready, graders, question)

    return Logic(INPUTS, OUTPUTS, LearnerState, step)
