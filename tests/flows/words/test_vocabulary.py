"""A learner's vocabulary across answers against a brute-force recomputation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.words.vocabulary import REMEMBERED_ANSWERS, TOP_LEMMAS, VocabularyState, absorb
from schemas.events import LemmaCount, Transcript, Word, WordStats
from tests.flows.words.synthetic import Answer, answers

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def transcript(
    answer_id: str, text: str, at: datetime = T0, language: str = "en", user: str = "u1"
) -> Transcript:
    return Transcript(
        event_id=f"transcript-{answer_id}", occurred_at=at, user_id=user, answer_id=answer_id,
        text=text, language=language, engine="test", words=(), duration_s=10.0,
    )  # fmt: skip


def fold(
    events: list[Transcript], state: VocabularyState | None = None
) -> tuple[VocabularyState, list[WordStats | None]]:
    """Absorbs each event, through JSON as the flow stores the state."""
    state = state or VocabularyState()
    emitted: list[WordStats | None] = []
    for event in events:
        state, stats = absorb(state, event)
        state = VocabularyState.from_json(state.to_json())
        emitted.append(stats)
    return state, emitted


def pairs(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@given(
    st.lists(st.tuples(st.integers(0, 7), answers(max_words=25)), max_size=12),
)
@settings(max_examples=100, deadline=None)
def test_stats_equal_a_recount_of_every_earlier_answer(
    drawn: list[tuple[int, Answer]],
) -> None:
    # Ids from a small pool: some answers arrive again (with any text: the first one counts).
    events = [
        transcript(f"a{slot}", answer.text, T0 + timedelta(minutes=i))
        for i, (slot, answer) in enumerate(drawn)
    ]
    _, emitted = fold(events)

    counted: list[Counter[str]] = []  # the expected counts of each answer counted so far
    seen: set[str] = set()
    for event, (_, answer), stats in zip(events, drawn, emitted, strict=True):
        if event.answer_id in seen:
            assert stats is None
            continue
        seen.add(event.answer_id)
        before = sum(counted, Counter[str]())
        counted.append(answer.expected)
        after = sum(counted, Counter[str]())
        assert stats is not None
        assert [tuple(c.values()) for c in stats.lemma_counts] == list(pairs(answer.expected))
        assert stats.new_lemmas == tuple(sorted(set(answer.expected) - set(before)))
        assert stats.unique_total == len(after)
        assert [tuple(c.values()) for c in stats.top_lemmas] == list(pairs(after)[:TOP_LEMMAS])
        assert (stats.event_id, stats.answer_id) == (f"words-{event.answer_id}", event.answer_id)
        assert (stats.user_id, stats.occurred_at) == (event.user_id, event.occurred_at)


def test_top_lemmas_break_ties_alphabetically() -> None:
    fruit = "kiwi, plum, apple, mango, pear, banana, melon, lemon, cherry, peach, grape, orange."
    _, (first, second) = fold(
        [transcript("a1", fruit), transcript("a2", "Plums, plums and pears!")]
    )
    assert first is not None
    assert second is not None
    assert [c["lemma"] for c in first.top_lemmas] == [
        "apple", "banana", "cherry", "grape", "kiwi",
        "lemon", "mango", "melon", "orange", "peach",
    ]  # fmt: skip
    assert {c["count"] for c in first.top_lemmas} == {1}
    assert first.unique_total == 12
    assert second.lemma_counts == (
        LemmaCount(lemma="plum", count=2),
        LemmaCount(lemma="pear", count=1),
    )
    assert second.new_lemmas == ()
    assert second.unique_total == 12
    assert [(c["lemma"], c["count"]) for c in second.top_lemmas] == [
        ("plum", 3), ("pear", 2), ("apple", 1), ("banana", 1), ("cherry", 1),
        ("grape", 1), ("kiwi", 1), ("lemon", 1), ("mango", 1), ("melon", 1),
    ]  # fmt: skip


def test_a_redelivered_answer_emits_nothing_and_changes_nothing() -> None:
    state, (stats,) = fold([transcript("a1", "Mice ran.")])
    assert stats is not None
    again, (repeat,) = fold([transcript("a1", "Geese swam.", T0 + timedelta(hours=1))], state)
    assert repeat is None
    assert again == state


def test_a_non_english_answer_counts_no_words_but_is_acknowledged() -> None:
    state, _ = fold([transcript("a1", "Mice ran.")])
    state, (foreign,) = fold([transcript("a2", "Mice ran.", language="ru")], state)
    assert foreign is not None
    assert (foreign.lemma_counts, foreign.new_lemmas, foreign.unique_total) == ((), (), 2)
    _, (repeat,) = fold([transcript("a2", "Mice ran.", language="ru")], state)
    assert repeat is None


def test_words_stand_in_for_an_empty_text() -> None:
    event = transcript("a1", "").model_copy(
        update={
            "words": (
                Word(word="Children", start_s=0.0, end_s=0.4),
                Word(word="swam.", start_s=0.4, end_s=0.9),
            )
        }
    )
    _, (stats,) = fold([event])
    assert stats is not None
    assert [(c["lemma"], c["count"]) for c in stats.lemma_counts] == [("child", 1), ("swim", 1)]


def test_the_remembered_answers_are_bounded() -> None:
    events = [
        transcript(f"a{i}", "Mice ran.", T0 + timedelta(minutes=i))
        for i in range(REMEMBERED_ANSWERS + 5)
    ]
    state, emitted = fold(events)
    assert all(stats is not None for stats in emitted)
    assert state.answers == tuple(e.answer_id for e in events[-REMEMBERED_ANSWERS:])
    # Within the horizon a redelivery is recognised; the first answers have been forgotten.
    assert fold([events[-1]], state)[1] == [None]
    assert state.counts == {"mouse": len(events), "run": len(events)}
