"""The feedback flow's step: the parts of a learner's answers in, joined (join.py), and once
an answer is complete, its Feedback (and a credit charge for a paid grader) out."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flows.common.logic import Logic
from flows.common.records import rejection
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

log = logging.getLogger(__name__)

INPUTS: tuple[type[Event], ...] = (
    QuestionAsked,
    CreditEvent,
    AnswerSubmitted,
    AudioConverted,
    Transcript,
    Rejected,
)
OUTPUTS = (Feedback, CreditEvent, Rejected)


def logic(
    graders: Graders, question: Callable[[str], QuestionInfo | None]
) -> Logic[LearnerState, Feedback | CreditEvent | Rejected]:
    def step(
        state: LearnerState, event: Event
    ) -> tuple[LearnerState, list[Feedback | CreditEvent | Rejected]]:
        state, ready = absorb(state, event)
        if ready is None:
            return state, []
        try:
            graded, outputs = grade(state, ready, graders, question)
        except Exception:
            # A grading bug must not hold up every answer behind this one, nor leave the
            # learner waiting: they are told, and the log keeps the traceback.
            log.exception("grading %s failed", ready.submitted.answer_id)
            sorry = "Your answer could not be graded. Please try again in a moment."
            at = max(ready.audio.occurred_at, ready.transcript.occurred_at)
            return state, [rejection(ready.submitted, "feedback", "feedback_failed", sorry, at)]
        return graded, list(outputs)

    return Logic(INPUTS, OUTPUTS, LearnerState, step)
