"""WordStats: the lemmas of one answer and the learner's vocabulary so far."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from schemas.events.base import INT64_MAX, Count, Event, Identifier

Lemma = Annotated[str, Field(min_length=1, max_length=100)]


# A list of pairs rather than a map: fixed keys keep JSON Schema, Connect and ClickHouse simple.
# A TypedDict, not a model: an answer has dozens, and building them as models cost a third of
# the words flow's time per answer; validation is the same.
@with_config(ConfigDict(extra="forbid", allow_inf_nan=False))
class LemmaCount(TypedDict):
    """How often a lemma occurred."""

    lemma: Annotated[Lemma, Field(description="Lemma (dictionary form).")]
    count: Annotated[int, Field(ge=1, le=INT64_MAX, description="Occurrences.")]


class WordStats(Event):
    """Vocabulary statistics updated after an answer was transcribed."""

    EVENT_TYPE: ClassVar[str] = "word_stats"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Answer the counts come from.")
    lemma_counts: tuple[LemmaCount, ...] = Field(description="Lemmas of this answer with counts.")
    new_lemmas: tuple[Lemma, ...] = Field(
        description="Lemmas this learner used for the first time in this answer."
    )
    unique_total: Count = Field(description="Distinct lemmas the learner has used so far.")
    top_lemmas: tuple[LemmaCount, ...] = Field(
        description="The learner's most frequent lemmas so far, most frequent first."
    )
