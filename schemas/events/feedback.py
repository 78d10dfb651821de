"""Feedback: measured delivery figures, rubric scores and recommendations for one answer."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from schemas.events.base import (
    ChatId,
    Count,
    Event,
    Identifier,
    Language,
    Part,
    Seconds,
    UtcDatetime,
)

Score = Annotated[float, Field(ge=0, le=4)]


class RubricScores(Part):
    """Scores on the TOEFL speaking rubric dimensions, 0 to 4."""

    delivery: Score = Field(description="Pace, pauses and fluency, 0-4.")
    language_use: Score = Field(description="Vocabulary and grammar, 0-4.")
    topic_development: Score = Field(description="Relevance and development of ideas, 0-4.")
    overall: Score = Field(description="Holistic score, 0-4.")


class Metrics(Part):
    """Figures measured from the audio and the word timings."""

    duration_s: Seconds = Field(description="Answer duration.")
    words: Count = Field(description="Number of words spoken.")
    words_per_minute: float = Field(ge=0, description="Speaking rate over the whole answer.")
    pause_count: Count = Field(description="Number of pauses.")
    mean_pause_s: Seconds = Field(description="Mean pause length; 0 without pauses.")
    long_pause_count: Count = Field(description="Pauses longer than the long-pause threshold.")
    filler_count: Count = Field(description="Fillers such as 'um', 'uh', 'like'.")
    type_token_ratio: float = Field(
        ge=0, le=1, description="Distinct words over words: lexical diversity."
    )
    time_to_answer_s: Seconds | None = Field(
        default=None,
        description="From the question reaching the learner (its message's Telegram date) to "
        "the start of their speech, on Telegram's clock; None if unknown.",
    )
    repetition_count: Count | None = Field(
        default=None, description="Immediate word repetitions ('I I think'): disfluencies."
    )
    rare_word_ratio: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of content words outside the most common English words: sophistication.",
    )
    relevance: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Overlap of the answer's content words with the question's.",
    )
    length_ratio: float | None = Field(
        default=None, ge=0, description="Answer duration over the task's answer time."
    )


class GrammarError(Part):
    """One grammar or usage error, quoted from the learner's words with its correction."""

    said: str = Field(min_length=1, max_length=300, description="The learner's words, quoted.")
    correction: str | None = Field(
        default=None, min_length=1, max_length=300, description="What to say instead."
    )
    rule: str | None = Field(
        default=None, max_length=100, description="The checker's rule id; None for GPT."
    )
    category: str | None = Field(
        default=None, max_length=100, description="The checker's rule category; None for GPT."
    )
    offset: Count | None = Field(
        default=None, description="Where the quote starts in the transcript; None for GPT."
    )
    message: str | None = Field(
        default=None, max_length=500, description="The checker's explanation."
    )


class Grammar(Part):
    """Grammar and usage errors of one answer as one engine found them."""

    engine: str = Field(
        min_length=1, max_length=64, description="'languagetool' or 'openai:<model>'."
    )
    errors_per_100_words: float = Field(ge=0, description="Errors per 100 spoken words.")
    errors: tuple[GrammarError, ...] = Field(max_length=100, description="The errors found.")


class Engines(Part):
    """Engines that produced the feedback."""

    stt: str = Field(min_length=1, max_length=64, description="Speech recogniser.")
    feedback: str = Field(
        min_length=1, max_length=64, description="Grader, e.g. 'local' or 'openai:gpt-4o-mini'."
    )


class Feedback(Event):
    """Feedback on one answer, as sent to the learner."""

    EVENT_TYPE: ClassVar[str] = "feedback"
    SCHEMA_VERSION: ClassVar[int] = 3

    schema_version: Literal[3] = Field(default=3, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Answer graded.")
    question_id: Identifier | None = Field(
        default=None, description="Question answered; None for free practice."
    )
    transcript: str = Field(max_length=100_000, description="Transcript the feedback is based on.")
    metrics: Metrics = Field(description="Measured delivery figures.")
    scores: RubricScores = Field(description="Rubric scores.")
    recommendations: tuple[Annotated[str, Field(min_length=1, max_length=2000)], ...] = Field(
        description="Concrete advice, citing the learner's own numbers."
    )
    engines: Engines = Field(description="Engines that produced this feedback.")
    language: Language = Field(
        default="en", description="Language the recommendations are written in."
    )
    chat_id: ChatId | None = Field(
        default=None, description="Telegram chat to reply in; None for CLI submissions."
    )
    answered_at: UtcDatetime | None = Field(
        default=None, description="When the learner answered: the event time of the answer."
    )
    fallback_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Why the local grader stood in for the configured one; None if it did not.",
    )
    # v2
    local_scores: RubricScores | None = Field(
        default=None,
        description="When a paid grader graded: the local grader's scores of the same answer.",
    )
    disagreement: float | None = Field(
        default=None,
        ge=0,
        le=4,
        description="When a paid grader graded: how far its overall score is from the local "
        "grader's (1 or more is a large disagreement, worth a look).",
    )
    # v3
    grammar: Grammar | None = Field(
        default=None,
        description="The grammar checker's findings, which score language use; None when the "
        "checker was unavailable (see grammar_unavailable) or before v3.",
    )
    grammar_unavailable: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Why the answer was graded without the grammar checker; None if it was not.",
    )
    gpt_grammar: Grammar | None = Field(
        default=None,
        description="When a GPT grader graded: the grammar errors it listed, beside the checker's.",
    )
