"""Which engine grades an answer, what it costs, and what the learner is told."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest

from clients.grammar import GrammarMatch, GrammarUnavailable
from flows.common.ledger import Ledger
from flows.common.records import event_record
from flows.feedback.engines.base import EngineUnavailable, FeedbackEngine, Grade, GradingInput
from flows.feedback.engines.local import LocalGrader
from flows.feedback.grading import Graders, grade, grading_input
from flows.feedback.join import LearnerState, ReadyAnswer
from schemas.events import AnswerSubmitted, AudioConverted, Feedback, RubricScores, Transcript
from schemas.events.feedback import Grammar, GrammarError
from tests.flows.feedback.test_join import _parts


@dataclass
class ScriptedGrader:
    """A paid engine that answers with the local grade, or fails with a reason."""

    failure: str | None = None
    name: str = "openai:test-model"
    calls: int = 0

    def grade(self, answer: GradingInput) -> Grade:
        self.calls += 1
        if self.failure:
            raise EngineUnavailable(self.failure)
        return LocalGrader().grade(answer)


def _ready() -> ReadyAnswer:
    submitted, audio, transcript = _parts()
    assert isinstance(submitted, AnswerSubmitted)
    assert isinstance(audio, AudioConverted)
    assert isinstance(transcript, Transcript)
    return ReadyAnswer(submitted=submitted, audio=audio, transcript=transcript, time_to_answer_s=12)


def _run(
    state: LearnerState, paid: FeedbackEngine | None
) -> tuple[LearnerState, list[dict[str, object]]]:
    state, events = grade(state, _ready(), Graders(LocalGrader(), paid), lambda _: None)
    records = [event_record(e, "ns-") for e in events]
    return state, [{"topic": r.topic, **json.loads(r.value or b"")} for r in records]


def test_local_only_costs_nothing() -> None:
    state, [feedback] = _run(LearnerState(credits=Ledger(balance=3)), None)
    assert feedback["topic"] == "ns-feedback"
    assert feedback["engines"] == {"stt": "test", "feedback": "local"}
    assert feedback["fallback_reason"] is None
    assert state.credits.available == 3


def test_a_paid_grade_charges_one_credit() -> None:
    paid = ScriptedGrader()
    state, [feedback, charge] = _run(LearnerState(credits=Ledger(balance=2)), paid)
    assert feedback["engines"] == {"stt": "test", "feedback": "openai:test-model"}
    assert charge["topic"] == "ns-credits"
    assert (charge["kind"], charge["amount"], charge["event_id"]) == ("charge", 1, "charge-tg-1")
    assert state.credits.available == 1


def test_no_credits_falls_back_without_calling_the_paid_engine() -> None:
    paid = ScriptedGrader()
    _, [feedback] = _run(LearnerState(credits=Ledger(balance=0)), paid)
    assert paid.calls == 0
    assert feedback["engines"] == {"stt": "test", "feedback": "local"}
    assert feedback["fallback_reason"] == "no_credits"


@pytest.mark.parametrize("reason", ["openai_timeout", "openai_refused", "openai_invalid_response"])
def test_a_failing_paid_engine_falls_back_free_of_charge(reason: str) -> None:
    state, [feedback] = _run(
        LearnerState(credits=Ledger(balance=1)), ScriptedGrader(failure=reason)
    )
    assert feedback["fallback_reason"] == reason
    assert feedback["engines"] == {"stt": "test", "feedback": "local"}
    assert state.credits.available == 1


def test_feedback_time_is_event_time_so_replays_match() -> None:
    _, first = _run(LearnerState(), None)
    _, second = _run(LearnerState(), None)
    assert first == second


@dataclass
class GenerousGrader:
    """A paid engine far kinder than the local grader."""

    name: str = "openai:test-model"

    def grade(self, answer: GradingInput) -> Grade:
        local = LocalGrader().grade(answer)
        generous = RubricScores(delivery=4, language_use=4, topic_development=4, overall=4)
        return Grade(local.metrics, generous, local.recommendations)


def test_a_paid_grade_carries_the_local_grade_beside_it() -> None:
    _, [feedback, _charge] = _run(LearnerState(credits=Ledger(balance=1)), GenerousGrader())
    local = LocalGrader().grade(grading_input(_ready(), None)).scores
    assert feedback["local_scores"] == local.model_dump()
    assert feedback["disagreement"] == round(4 - local.overall, 1)
    assert feedback["disagreement"] >= 1  # a large one


def test_a_local_grade_has_nothing_to_compare() -> None:
    _, [feedback] = _run(LearnerState(credits=Ledger(balance=0)), None)
    assert (feedback["local_scores"], feedback["disagreement"]) == (None, None)


def test_the_checkers_errors_travel_on_the_feedback_beside_a_paid_graders_own() -> None:
    ready = _ready()
    text = ready.transcript.text
    word = text.split()[-1].strip(".")
    at = text.index(word)

    def checker(checked: str) -> tuple[GrammarMatch, ...]:
        assert checked == text  # no fillers in this transcript
        return (GrammarMatch("SC_RULE", "SPEECH_COACH", at, len(word), "why", ("fixed",)),)

    graders = Graders(LocalGrader(), ScriptedGrader(), checker)
    _, events = grade(LearnerState(credits=Ledger(balance=1)), ready, graders, lambda _: None)
    feedback = events[0]
    assert isinstance(feedback, Feedback)
    assert feedback.grammar is not None
    assert feedback.grammar.engine == "languagetool"
    [error] = feedback.grammar.errors
    assert error.said.endswith(word)
    assert error.correction is not None
    assert error.correction.endswith("fixed")
    assert feedback.grammar.errors_per_100_words == round(100 / feedback.metrics.words, 2)
    assert feedback.grammar_unavailable is None
    assert feedback.gpt_grammar is None  # the scripted paid grader lists none


def test_an_unavailable_checker_is_recorded_and_the_answer_still_graded() -> None:
    def down(_: str) -> tuple[GrammarMatch, ...]:
        raise GrammarUnavailable("connection refused")

    graders = Graders(LocalGrader(), None, down)
    _, [feedback] = grade(LearnerState(), _ready(), graders, lambda _: None)
    assert isinstance(feedback, Feedback)
    assert feedback.grammar is None
    assert feedback.grammar_unavailable == "checker_unavailable: connection refused"


@dataclass
class GrammarListingGrader:
    """A paid engine that lists grammar errors of its own, as the GPT grader does."""

    name: str = "openai:test-model"

    def grade(self, answer: GradingInput) -> Grade:
        listed = Grammar(
            engine=self.name,
            errors_per_100_words=50.0,
            errors=(GrammarError(said="hello there", correction="Hello there!"),),
        )
        return replace(LocalGrader().grade(answer), grammar=listed)


def test_a_paid_graders_grammar_list_is_recorded_beside_the_checkers() -> None:
    graders = Graders(LocalGrader(), GrammarListingGrader(), lambda _: ())
    _, [feedback, _charge] = grade(
        LearnerState(credits=Ledger(balance=1)), _ready(), graders, lambda _: None
    )
    assert isinstance(feedback, Feedback)
    assert feedback.grammar is not None
    assert feedback.grammar.errors == ()
    assert feedback.gpt_grammar is not None
    assert feedback.gpt_grammar.errors[0].said == "hello there"
