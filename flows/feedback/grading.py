"""Grades a joined answer: the configured engine if it can (and the learner has a credit
for a GPT request), the local engine otherwise, saying why."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flows.common.ledger import CREDITS_PER_REQUEST, charge
from flows.feedback.engines.base import (
    EngineUnavailable,
    FeedbackEngine,
    Grade,
    GradingInput,
    QuestionInfo,
)
from flows.feedback.grammar import Checker, GrammarCheck, check
from flows.feedback.join import LearnerState, ReadyAnswer
from schemas.events import CreditEvent, Engines, Feedback

log = logging.getLogger(__name__)

# Overall scores this far apart (0-4 scale) are logged; both are on the event anyway.
LARGE_DISAGREEMENT = 1.0


@dataclass(frozen=True)
class Graders:
    local: FeedbackEngine
    paid: FeedbackEngine | None  # the OpenAI grader when configured
    grammar: Checker | None = None  # the grammar checker's client


def grading_input(
    ready: ReadyAnswer, question: QuestionInfo | None, grammar: GrammarCheck | None = None
) -> GradingInput:
    audio, transcript = ready.audio, ready.transcript
    return GradingInput(
        text=transcript.text,
        words=transcript.words,
        duration_s=audio.duration_s,
        pauses=audio.pauses,
        speech_duration_s=audio.speech_duration_s,
        leading_silence_s=audio.leading_silence_s,
        question=question,
        time_to_answer_s=ready.time_to_answer_s,
        language=ready.submitted.language,
        grammar=grammar,
    )


def grade(
    state: LearnerState,
    ready: ReadyAnswer,
    graders: Graders,
    question: Callable[[str], QuestionInfo | None],
) -> tuple[LearnerState, list[Feedback | CreditEvent]]:
    submitted = ready.submitted
    grammar = check(graders.grammar, ready.transcript.text)
    answer = grading_input(
        ready, question(submitted.question_id) if submitted.question_id else None, grammar
    )
    result: Grade | None = None
    local: Grade | None = None
    disagreement: float | None = None
    engine = graders.local
    fallback: str | None = None
    charges: list[CreditEvent] = []
    if graders.paid is not None:
        if state.credits.available < CREDITS_PER_REQUEST:
            fallback = "no_credits"
        else:
            try:
                result = graders.paid.grade(answer)
            except EngineUnavailable as exc:
                fallback = exc.reason
            else:
                engine = graders.paid
                answer_id = submitted.answer_id
                paid = charge(
                    f"charge-{answer_id}",
                    submitted.user_id,
                    answer_id,
                    f"graded by {engine.name}",
                    ready.transcript.occurred_at,
                )
                state = state.model_copy(update={"credits": state.credits.spend(paid.event_id)})
                charges.append(paid)
    if result is None:
        result = graders.local.grade(answer)
    else:
        # The paid grade is checked against the local one: a big gap is worth a look.
        local = graders.local.grade(answer)
        disagreement = round(abs(result.scores.overall - local.scores.overall), 1)
        if disagreement >= LARGE_DISAGREEMENT:
            log.warning("%s: %s gave %.1f, the local grader %.1f", submitted.answer_id,
                        engine.name, result.scores.overall, local.scores.overall)  # fmt: skip
    feedback = Feedback(
        event_id=f"feedback-{submitted.answer_id}",
        # Event time, not processing time: a replay of the same inputs yields the same event.
        occurred_at=max(
            submitted.occurred_at, ready.audio.occurred_at, ready.transcript.occurred_at
        ),
        user_id=submitted.user_id,
        answer_id=submitted.answer_id,
        question_id=submitted.question_id,
        answered_at=submitted.answered_at,
        transcript=ready.transcript.text,
        metrics=result.metrics,
        scores=result.scores,
        recommendations=result.recommendations,
        engines=Engines(stt=ready.transcript.engine, feedback=engine.name),
        fallback_reason=fallback,
        local_scores=None if local is None else local.scores,
        disagreement=disagreement,
        grammar=grammar.report(result.metrics.words),
        grammar_unavailable=grammar.unavailable,
        gpt_grammar=result.grammar,
        language=submitted.language,
        chat_id=submitted.chat_id,
    )
    return state, [feedback, *charges]
