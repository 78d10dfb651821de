from __future__ import annotations

import dataclasses
import math
import random

import pytest

from flows.feedback.engines.base import GradingInput, InvalidGradingInput, QuestionInfo
from flows.feedback.metrics import LONG_PAUSE_S, MATTR_WINDOW, Features, measure
from flows.language.lexicon import Lexicon, load_lexicon
from schemas.events.audio_converted import Pause
from schemas.events.transcript import Word
from tests.flows.feedback.speech import (
    CITY_ANSWER,
    CITY_QUESTION,
    PIZZA_ANSWER,
    timed_answer,
)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _text_only(text: str) -> GradingInput:
    return GradingInput(text=text, words=(), duration_s=10.0, pauses=(), speech_duration_s=10.0)


def _measure_text(text: str, lexicon: Lexicon) -> Features:
    return measure(_text_only(text), lexicon)


def test_rate_is_words_over_the_span_from_first_word_to_last(lexicon: Lexicon) -> None:
    answer = timed_answer(CITY_ANSWER, wpm=120, lead_s=2.0, tail_s=3.0, pauses_after={10: 0.8})
    span = answer.words[-1].end_s - answer.words[0].start_s
    features = measure(answer, lexicon)
    assert features.words == len(CITY_ANSWER.split())
    assert features.speech_span_s == pytest.approx(span)
    assert features.words_per_minute == pytest.approx(len(CITY_ANSWER.split()) / span * 60)
    # Leading and trailing silence are not slowness: the inner pause is.
    assert features.duration_s == pytest.approx(span + 5.0)


@pytest.mark.parametrize("known", [True, False])
def test_edge_silences_are_not_pauses(lexicon: Lexicon, known: bool) -> None:
    answer = timed_answer(
        CITY_ANSWER, lead_s=1.5, tail_s=2.0, pauses_after={5: 0.4}, leading_silence_known=known
    )
    features = measure(answer, lexicon)
    assert features.pause_durations_s == pytest.approx((0.4,))
    assert features.speech_span_s == pytest.approx(answer.words[-1].end_s - answer.words[0].start_s)


def test_audio_silence_wins_over_drifting_word_times(lexicon: Lexicon) -> None:
    # The recogniser puts the first word at 0.0 s, conversion heard 1.2 s of silence.
    words = (Word(word="hello", start_s=0.0, end_s=1.6), Word(word="there", start_s=1.7, end_s=2.2))
    answer = GradingInput(
        text="hello there",
        words=words,
        duration_s=4.0,
        pauses=(Pause(start_s=0.0, end_s=1.2), Pause(start_s=2.3, end_s=4.0)),
        speech_duration_s=1.1,
    )
    assert measure(answer, lexicon).speech_span_s == pytest.approx(2.3 - 1.2)


def test_pause_statistics_and_the_long_pause_threshold(lexicon: Lexicon) -> None:
    gaps = {3: 0.3, 8: LONG_PAUSE_S - 0.01, 14: LONG_PAUSE_S, 20: 2.5}
    features = measure(timed_answer(CITY_ANSWER, pauses_after=gaps), lexicon)
    assert features.pause_count == 4
    assert features.mean_pause_s == pytest.approx(sum(gaps.values()) / 4)
    assert features.long_pause_count == 2
    assert features.longest_pause_s == pytest.approx(2.5)
    assert features.pauses_per_minute == pytest.approx(4 / features.speech_span_s * 60)


@pytest.mark.parametrize(
    ("text", "fillers"),
    [
        ("Um I think uh it is er good", ["um", "uh", "er"]),
        ("It was, like, really big.", ["like"]),
        ("I like big cities, like Moscow.", []),
        ("Well, I think so, because it is nice as well, and cheap.", ["well"]),
        ("So, the main point is this. So I moved.", ["so"]),
        ("It is, you know, hard. I mean, really hard. Do you know him?", ["you know", "i mean"]),
        ("It was um like um huge", ["um", "like", "um"]),
        ("It was um like huge", ["um"]),
        ("Actually the answer is actually simple", []),
    ],
)
def test_fillers_are_hesitations_and_set_off_discourse_markers(
    lexicon: Lexicon, text: str, fillers: list[str]
) -> None:
    features = _measure_text(text, lexicon)
    assert features.filler_count == len(fillers)
    assert sorted(word for word, n in features.fillers for _ in range(n)) == sorted(fillers)


def test_hesitations_are_not_words_but_markers_are(lexicon: Lexicon) -> None:
    features = _measure_text("Um, it was, like, fine.", lexicon)
    assert features.words == 4  # it was like fine
    assert features.filler_count == 2


@pytest.mark.parametrize(
    ("text", "repetitions"),
    [
        ("I I think the the city is big", ["i", "the"]),
        ("I um I think", ["i"]),
        ("um um I think", []),
        ("I, I think so", ["i"]),
        ("I think I think", []),
    ],
)
def test_repetitions_are_immediate(lexicon: Lexicon, text: str, repetitions: list[str]) -> None:
    features = _measure_text(text, lexicon)
    assert features.repetition_count == len(repetitions)
    assert list(features.repeated_words) == repetitions


def test_type_token_ratio_leaves_out_fillers(lexicon: Lexicon) -> None:
    features = _measure_text("Um the cat, like, saw the dog", lexicon)
    # the cat saw the dog: 4 types over 5 tokens
    assert features.type_token_ratio == pytest.approx(4 / 5)


def _naive_mattr(tokens: list[str], window: int) -> float:
    windows = [tokens[i : i + window] for i in range(len(tokens) - window + 1)]
    return sum(len(set(w)) / window for w in windows) / len(windows)


def test_mattr_averages_every_window(lexicon: Lexicon) -> None:
    rng = random.Random(3)  # noqa: S311 - seeded test data, not secrets
    tokens = [rng.choice(["cat", "dog", "house", "tree", "car", "sun", "moon"]) for _ in range(80)]
    tokens += [f"word{i}" for i in range(40)]  # a richer end, so windows differ
    features = _measure_text(" ".join(tokens), lexicon)
    assert features.mattr == pytest.approx(_naive_mattr(tokens, MATTR_WINDOW))


def test_mattr_of_a_short_answer_is_its_type_token_ratio(lexicon: Lexicon) -> None:
    features = _measure_text("the cat saw the dog", lexicon)
    assert features.mattr == pytest.approx(4 / 5)


def test_rare_words_are_content_lemmas_outside_the_common_list(lexicon: Lexicon) -> None:
    features = _measure_text("The ubiquitous echolocation of the people in cities", lexicon)
    # content words: ubiquitous, echolocation, people, cities (city)
    assert features.content_words == 4
    assert features.rare_words == 2
    assert features.rare_word_ratio == pytest.approx(0.5)


def test_relevance_counts_the_questions_key_lemmas_the_answer_uses(lexicon: Lexicon) -> None:
    on_topic = measure(timed_answer(CITY_ANSWER), lexicon)
    off_topic = measure(timed_answer(PIZZA_ANSWER), lexicon)
    keywords = set(on_topic.question_keywords)
    assert {"city", "town", "live", "prefer"} <= keywords
    assert not keywords & {"use", "specific", "reason", "example", "support", "answer"}
    assert on_topic.relevance is not None
    assert off_topic.relevance is not None
    assert on_topic.relevance >= 0.5
    assert off_topic.relevance == 0.0
    assert on_topic.relevance == len(on_topic.matched_keywords) / len(keywords)


def test_length_ratio_is_the_span_over_the_answer_time(lexicon: Lexicon) -> None:
    answer = timed_answer(CITY_ANSWER)
    span = answer.words[-1].end_s - answer.words[0].start_s
    features = measure(answer, lexicon)
    assert features.length_ratio == pytest.approx(span / CITY_QUESTION.answer_time_s)


def test_free_practice_has_no_relevance_or_length_ratio(lexicon: Lexicon) -> None:
    metrics = measure(timed_answer(CITY_ANSWER, question=None), lexicon).to_metrics()
    assert metrics.relevance is None
    assert metrics.length_ratio is None


def test_recogniser_annotations_are_not_words(lexicon: Lexicon) -> None:
    assert _measure_text("[BLANK_AUDIO] (laughs)", lexicon).words == 0


def test_words_come_from_the_timed_words_when_the_text_is_empty(lexicon: Lexicon) -> None:
    answer = dataclasses.replace(timed_answer(CITY_ANSWER), text="")
    assert measure(answer, lexicon).words == len(CITY_ANSWER.split())


def test_an_empty_answer_measures_zero(lexicon: Lexicon) -> None:
    answer = GradingInput(
        text="",
        words=(),
        duration_s=12.0,
        pauses=(Pause(start_s=0.0, end_s=12.0),),
        speech_duration_s=0.0,
        question=CITY_QUESTION,
        time_to_answer_s=7.5,
    )
    metrics = measure(answer, lexicon).to_metrics()
    assert (metrics.words, metrics.words_per_minute, metrics.pause_count) == (0, 0.0, 0)
    assert metrics.type_token_ratio == 0.0
    assert metrics.rare_word_ratio is None
    assert metrics.length_ratio == 0.0
    assert metrics.time_to_answer_s == 7.5
    assert metrics.duration_s == 12.0


def test_metrics_carry_the_measured_figures(lexicon: Lexicon) -> None:
    features = measure(timed_answer(CITY_ANSWER, pauses_after={4: 1.2}), lexicon)
    metrics = features.to_metrics()
    assert metrics.words == features.words
    assert metrics.long_pause_count == 1
    assert metrics.mean_pause_s == pytest.approx(1.2)
    assert metrics.rare_word_ratio == features.rare_word_ratio


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_impossible_durations_are_refused(bad: float) -> None:
    with pytest.raises(InvalidGradingInput, match="duration_s"):
        GradingInput(text="hi", words=(), duration_s=bad, pauses=(), speech_duration_s=0.0)
    with pytest.raises(InvalidGradingInput, match="answer_time_s"):
        dataclasses.replace(CITY_QUESTION, answer_time_s=bad)


def test_a_zero_answer_time_is_refused() -> None:
    with pytest.raises(InvalidGradingInput):
        QuestionInfo("q", "text", "independent", answer_time_s=0.0, preparation_s=0.0)
