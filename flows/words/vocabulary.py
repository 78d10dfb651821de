"""A learner's vocabulary so far, and the WordStats each new answer produces.

Per learner the flow keeps how often each lemma was used (the set of lemmas seen is its
keys), the `TOP_LEMMAS` most used, and the ids of the learner's latest answers. The state
is only per learner: frequencies across learners are ClickHouse's, which sums the
`lemma_counts` of every WordStats.

Everything here is pure and depends on the transcripts alone (the event time is the
transcript's `occurred_at`), so replaying the transcripts topic reproduces the live
WordStats exactly. The flow stores `VocabularyState` as plain JSON (`to_json`).

Bounds: the counts grow with the learner's vocabulary (a few thousand lemmas at most, and
each answer costs time in proportion to it, for the JSON round trip of the state); the
answer ids are the last `REMEMBERED_ANSWERS` of the learner. A transcript delivered again
after that many newer answers of the same learner would be counted twice; redeliveries come
from a flow resuming at its last checkpoint, seconds behind, far inside that horizon.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson

from flows.words.lemmas import lemma_counts
from schemas.events import LemmaCount, Transcript, WordStats

TOP_LEMMAS = 10
REMEMBERED_ANSWERS = 64
# The lookup lemmatizer is English: another language's words would only pollute the counts.
COUNTED_LANGUAGE = "en"


@dataclass(frozen=True)
class VocabularyState:
    counts: dict[str, int] = field(default_factory=dict)  # lemma → uses over all answers
    top: tuple[tuple[str, int], ...] = ()  # the TOP_LEMMAS most used, ranked
    answers: tuple[str, ...] = ()  # the latest answers counted, oldest first

    def to_json(self) -> str:
        return orjson.dumps(
            {"counts": self.counts, "top": self.top, "answers": self.answers}
        ).decode()

    @classmethod
    def from_json(cls, value: str) -> VocabularyState:
        # Stored without the leaders before 2026-11-27.
        stored: dict[str, Any] = orjson.loads(value)
        counts: dict[str, int] = stored["counts"]
        top = stored.get("top") or heapq.nsmallest(TOP_LEMMAS, counts.items(), key=_rank)
        answers = tuple(stored["answers"])[-REMEMBERED_ANSWERS:]
        return cls(counts, tuple((lemma, count) for lemma, count in top), answers)


def absorb(
    state: VocabularyState, transcript: Transcript
) -> tuple[VocabularyState, WordStats | None]:
    """Counts one answer into the state; None for an answer counted already."""
    answer_id = transcript.answer_id
    if answer_id in state.answers:
        return state, None
    counts = (
        lemma_counts(answer_text(transcript)) if transcript.language == COUNTED_LANGUAGE else {}
    )
    total = dict(state.counts)
    for lemma, count in counts.items():
        total[lemma] = total.get(lemma, 0) + count
    # Counts only grow, so the new leaders are among the old ones and this answer's lemmas.
    candidates = {lemma: total[lemma] for lemma, _ in state.top} | {
        lemma: total[lemma] for lemma in counts
    }
    top = tuple(_by_rank(candidates.items())[:TOP_LEMMAS])
    stats = WordStats(
        event_id=f"words-{answer_id}",
        occurred_at=transcript.occurred_at,
        user_id=transcript.user_id,
        answer_id=answer_id,
        lemma_counts=ranked(counts.items()),
        new_lemmas=tuple(sorted(lemma for lemma in counts if lemma not in state.counts)),
        unique_total=len(total),
        top_lemmas=_lemma_counts(top),
    )
    answers = (*state.answers, answer_id)[-REMEMBERED_ANSWERS:]
    return VocabularyState(total, top, answers), stats


def answer_text(transcript: Transcript) -> str:
    """The transcript's text, or its words when a recogniser gave words only."""
    return transcript.text or " ".join(word.word for word in transcript.words)


def ranked(counts: Iterable[tuple[str, int]]) -> tuple[LemmaCount, ...]:
    """Most frequent first, ties in alphabetical order."""
    return _lemma_counts(_by_rank(counts))


def _by_rank(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Most frequent first, ties in alphabetical order: sorted by lemma, then stably by count
    (two sorts on C keys cost less than one on a Python key)."""
    return sorted(sorted(counts), key=itemgetter(1), reverse=True)


def _lemma_counts(ranked_pairs: Iterable[tuple[str, int]]) -> tuple[LemmaCount, ...]:
    return tuple({"lemma": lemma, "count": count} for lemma, count in ranked_pairs)


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
