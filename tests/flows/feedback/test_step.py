"""The feedback flow's step: parts joined, then graded; a grader that breaks tells the
learner instead of holding up their answers."""

from __future__ import annotations

from dataclasses import dataclass

from flows.feedback.engines.base import Grade, GradingInput
from flows.feedback.engines.local import LocalGrader
from flows.feedback.grading import Graders
from flows.feedback.join import LearnerState
from flows.feedback.step import logic
from schemas.events import CreditEvent, Feedback, Rejected
from tests.flows.feedback.test_join import _parts


@dataclass
class BrokenGrader:
    """A grader with a bug in it."""

    name: str = "local"

    def grade(self, answer: GradingInput) -> Grade:
        raise ZeroDivisionError(f"a bug, grading {answer.text!r}")


def _run(graders: Graders, answer_id: str) -> list[Feedback | CreditEvent | Rejected]:
    flow = logic(graders, lambda _: None)
    state, outputs = LearnerState(), list[Feedback | CreditEvent | Rejected]()
    for event in _parts(answer_id):
        state, emitted = flow.step(state, event)
        outputs.extend(emitted)
    return outputs


def test_a_complete_answer_is_graded() -> None:
    [feedback] = _run(Graders(LocalGrader(), None), "tg-1")
    assert isinstance(feedback, Feedback)


def test_a_grading_failure_is_a_rejection_the_learner_hears_about() -> None:
    [refused] = _run(Graders(BrokenGrader(), None), "tg-2")
    assert isinstance(refused, Rejected)
    assert (refused.stage, refused.code, refused.answer_id) == (
        "feedback",
        "feedback_failed",
        "tg-2",
    )
    assert refused.chat_id == 42  # the answer's chat, so the bot can tell the learner
