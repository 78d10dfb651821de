from __future__ import annotations

import pytest

from flows.language.lexicon import COMMON_LEMMAS, Lexicon, load_lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def test_the_lexicon_is_built_once_per_process(lexicon: Lexicon) -> None:
    assert load_lexicon() is lexicon


def test_lemmas_come_from_the_lookup_lemmatizer(lexicon: Lexicon) -> None:
    assert lexicon.lemmas(["went", "cities", "children", "studying"]) == (
        "go",
        "city",
        "child",
        "study",
    )
    assert lexicon.lemmas([]) == ()


def test_the_common_list_is_the_most_frequent_lemmas(lexicon: Lexicon) -> None:
    assert len(lexicon.common_lemmas) == COMMON_LEMMAS
    for everyday in ("people", "city", "think", "house", "friend", "work"):
        assert not lexicon.is_rare(everyday), everyday
    for rare in ("ubiquitous", "echolocation", "meticulous", "pollution"):
        assert lexicon.is_rare(rare), rare


def test_content_words_are_alphabetic_non_stop_words(lexicon: Lexicon) -> None:
    assert lexicon.is_content("city")
    assert not lexicon.is_content("the")
    assert not lexicon.is_content("because")
    assert not lexicon.is_content("1990")
