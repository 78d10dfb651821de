"""A learner's vocabulary so far, and the WordStats each new answer produces.

Per learner the flow keeps how often each lemma was used (the set of lemmas seen is its
keys) and the answers already counted. The state is only per learner: frequencies across
learners are ClickHouse's, which sums the `lemma_counts` of every WordStats.

Everything here is pure and depends on the transcripts alone (the event time is the
transcript's `occurred_at`), so replaying the transcripts topic reproduces the live
WordStats exactly. The flow stores `VocabularyState` as JSON in its state store.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from flows.words.lemmas import lemma_counts
from schemas.events import LemmaCount, Transcript, WordStats

TOP_LEMMAS = 10
# The lookup lemmatizer is English: another language's words would only pollute the counts.
COUNTED_LANGUAGE = "en"


class VocabularyState(BaseModel):
    model_config = ConfigDict(frozen=True)

    counts: dict[str, int] = Field(default_factory=dict)  # lemma → uses over all answers
    # Every answer counted, not a bounded window: a transcript redelivered or replayed
    # however late must not be counted twice in a total that never forgets.
    answers: frozenset[str] = frozenset()


def absorb(
    state: VocabularyState, transcript: Transcript
) -> tuple[VocabularyState, WordStats | None]:
    """Counts one answer into the state; None for an answer counted already."""
    if transcript.answer_id in state.answers:
        return state, None
    counts = (
        lemma_counts(answer_text(transcript)) if transcript.language == COUNTED_LANGUAGE else {}
    )
    total = dict(state.counts)
    for lemma, count in counts.items():
        total[lemma] = total.get(lemma, 0) + count
    stats = WordStats(
        event_id=f"words-{transcript.answer_id}",
        occurred_at=transcript.occurred_at,
        user_id=transcript.user_id,
        answer_id=transcript.answer_id,
        lemma_counts=ranked(counts.items()),
        new_lemmas=tuple(sorted(lemma for lemma in counts if lemma not in state.counts)),
        unique_total=len(total),
        top_lemmas=ranked(total.items(), TOP_LEMMAS),
    )
    return VocabularyState(counts=total, answers=state.answers | {transcript.answer_id}), stats


def answer_text(transcript: Transcript) -> str:
    """The transcript's text, or its words when a recogniser gave words only."""
    return transcript.text or " ".join(word.word for word in transcript.words)


def ranked(counts: Iterable[tuple[str, int]], limit: int | None = None) -> tuple[LemmaCount, ...]:
    """Most frequent first, ties in alphabetical order; the first `limit` when given."""
    items = list(counts) if limit is None else heapq.nsmallest(limit, counts, key=_rank)
    return tuple(LemmaCount(lemma=lemma, count=count) for lemma, count in sorted(items, key=_rank))


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
