"""OpenAI grader: rubric scores and recommendations from a chat model, figures measured here.

The model gets the locally measured figures and comments on them; it never supplies
numbers of its own: `Grade.metrics` is the local measurement. Its reply is strict
structured output (`prompt.RESPONSE_FORMAT`), validated again in code; an API error, a
timeout, a refusal or a reply of any other shape becomes `EngineUnavailable`, and the flow
falls back to the local grader.
"""

from __future__ import annotations

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clients.openai import INVALID_RESPONSE, REFUSED, failure_reason
from flows.feedback.engines.base import EngineUnavailable, Grade, GradingInput
from flows.feedback.engines.prompt import RESPONSE_FORMAT, GradeReply, messages
from flows.feedback.grammar import per_100_words
from flows.feedback.metrics import measure
from flows.feedback.rubric import bound
from flows.language.lexicon import Lexicon
from schemas.events.feedback import Grammar, GrammarError, RubricScores

# Five recommendations of two sentences and the scores fit in a few hundred tokens; the cap
# bounds cost and time. A reply cut short fails validation like any other malformed one.
MAX_COMPLETION_TOKENS = 1000


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    content: str | None = None
    refusal: str | None = None


class _Choice(BaseModel):
    model_config = ConfigDict(frozen=True)

    message: _Message
    finish_reason: str | None = None


class _Completion(BaseModel):
    """The part of a chat completion this engine reads (the client does not validate it)."""

    model_config = ConfigDict(frozen=True)

    choices: tuple[_Choice, ...] = Field(min_length=1)


def _reply(completion: _Completion) -> GradeReply:
    choice = completion.choices[0]
    if choice.message.refusal or choice.finish_reason == "content_filter":
        raise EngineUnavailable(REFUSED)
    if choice.message.content is None:
        raise EngineUnavailable(INVALID_RESPONSE)
    try:
        return GradeReply.model_validate_json(choice.message.content)
    except ValidationError as exc:
        raise EngineUnavailable(INVALID_RESPONSE) from exc


class OpenAIGrader:
    """`FeedbackEngine` calling OpenAI; `client` comes from `clients.openai.openai_client`,
    `lexicon` (`load_lexicon()`, built once per process) serves the local measurement."""

    def __init__(self, client: openai.OpenAI, model: str, lexicon: Lexicon) -> None:
        self._client = client
        self._model = model
        self._lexicon = lexicon
        self.name = f"openai:{model}"

    def grade(self, answer: GradingInput) -> Grade:
        features = measure(answer, self._lexicon)
        try:
            raw = self._client.chat.completions.with_raw_response.create(
                model=self._model,
                messages=messages(answer, features),
                response_format=RESPONSE_FORMAT,
                max_completion_tokens=MAX_COMPLETION_TOKENS,
            )
            completion = _Completion.model_validate_json(raw.http_response.content)
        except openai.OpenAIError as exc:
            raise EngineUnavailable(failure_reason(exc)) from exc
        except ValidationError as exc:
            raise EngineUnavailable(INVALID_RESPONSE) from exc
        reply = _reply(completion)
        return Grade(
            metrics=features.to_metrics(),
            # GPT's scores pass the local rubric's caps: length and relevance are measured.
            scores=bound(RubricScores(**reply.scores.model_dump()), features),
            recommendations=reply.recommendations,
            grammar=Grammar(
                engine=self.name,
                errors_per_100_words=per_100_words(len(reply.grammar_errors), features.words),
                errors=tuple(
                    GrammarError(said=e.said, correction=e.correction) for e in reply.grammar_errors
                ),
            ),
        )
