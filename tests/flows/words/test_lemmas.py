"""Lemma counts against counts summed from a table of known (surface form → lemma) pairs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from flows.language.lexicon import lemmatize, load_english
from flows.words.lemmas import MAX_LEMMA_CHARS, lemma_counts, measure_throughput
from tests.flows.words.synthetic import CASES, LEMMAS, Answer, answers


@pytest.mark.parametrize(("surface", "lemma"), LEMMAS)
def test_every_table_pair_agrees_with_spacy_in_every_case(surface: str, lemma: str | None) -> None:
    expected = {lemma: 1} if lemma is not None else {}
    for case in CASES:
        assert lemma_counts(case(surface)) == expected, case(surface)


@pytest.mark.parametrize(
    ("surface", "lemma"), [(s, lemma) for s, lemma in LEMMAS if lemma and s.isalpha()]
)
def test_plain_words_lemmas_are_the_lookup_tables(surface: str, lemma: str) -> None:
    assert lemmatize(load_english(), [surface.lower()]) == (lemma,)


@given(answers())
@settings(max_examples=300, deadline=None)
def test_counts_equal_the_tables_sum_over_random_answers(answer: Answer) -> None:
    assert lemma_counts(answer.text) == dict(answer.expected)


def test_a_sentence_with_every_kind_of_token() -> None:
    text = (
        "Um, I don't think the children's teachers went to 45 cities; "
        "it's a well-known fact, and I'm sure we'll e-mail John\u2019s students\u2019 friends."
    )
    assert lemma_counts(text) == {
        "think": 1,
        "child": 1,
        "teacher": 1,
        "city": 1,
        "well-known": 1,
        "fact": 1,
        "sure": 1,
        "e-mail": 1,
        "john": 1,
        "student": 1,
        "friend": 1,
    }


def test_hyphens_join_words_only_without_spaces() -> None:
    assert lemma_counts("well-known") == {"well-known": 1}
    assert lemma_counts("car - bus") == {"car": 1, "bus": 1}
    assert lemma_counts("car -bus car- bus") == {"car": 2, "bus": 2}
    assert lemma_counts("car--bus") == {"car": 1, "bus": 1}


def test_numbers_in_digits_and_words_are_dropped_alike() -> None:
    assert lemma_counts("45 forty-five 3-year-old covid-19 tenth 10th millions") == {}
    assert lemma_counts("one-sided") == {"one-sided": 1}


def test_overlong_words_are_dropped_not_refused() -> None:
    assert lemma_counts("x" * (MAX_LEMMA_CHARS + 1)) == {}
    assert lemma_counts("x" * MAX_LEMMA_CHARS) == {"x" * MAX_LEMMA_CHARS: 1}


def test_empty_and_wordless_texts_count_nothing() -> None:
    assert lemma_counts("") == {}
    assert lemma_counts(" ... ?! -- [inaudible]") == {}


def test_throughput_counts_spacy_tokens() -> None:
    # spaCy's tokens: "mice", "ran" | "Hello", ",", "world" | "mice", "ran", "."
    texts = ["mice ran", "Hello, world", "mice ran."]
    result = measure_throughput(texts)
    assert result.tokens == 2 + 3 + 3
    assert result.seconds > 0
    assert result.tokens_per_s == result.tokens / result.seconds
