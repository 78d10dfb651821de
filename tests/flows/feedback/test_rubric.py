from __future__ import annotations

import random

import pytest

from flows.feedback.engines.base import GradingInput
from flows.feedback.metrics import measure
from flows.feedback.rubric import CRITERIA, DIMENSION_WEIGHTS, bound, interpolate, score
from flows.language.lexicon import Lexicon, load_lexicon
from schemas.events.feedback import RubricScores
from tests.flows.feedback.speech import (
    CITY_ANSWER,
    PIZZA_ANSWER,
    repeat_to,
    timed_answer,
)

# Five sentence-end pauses of half a second: what a fluent speaker does.
FEW_PAUSES = {15: 0.5, 35: 0.5, 55: 0.5, 75: 0.5, 95: 0.5}
FLUENT_TEXT = repeat_to(CITY_ANSWER, 105)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _scores(answer: GradingInput, lexicon: Lexicon) -> RubricScores:
    return score(measure(answer, lexicon)).scores


def _fluent(text: str = FLUENT_TEXT, **kwargs: object) -> GradingInput:
    return timed_answer(text, wpm=150, pauses_after=FEW_PAUSES, **kwargs)  # type: ignore[arg-type]


def test_interpolate_is_piecewise_linear_and_flat_beyond_the_ends() -> None:
    curve = ((0.0, 0.0), (10.0, 4.0), (20.0, 2.0))
    assert interpolate(curve, -5) == 0.0
    assert interpolate(curve, 5) == pytest.approx(2.0)
    assert interpolate(curve, 10) == pytest.approx(4.0)
    assert interpolate(curve, 15) == pytest.approx(3.0)
    assert interpolate(curve, 99) == 2.0


def test_a_fluent_45_second_answer_at_140_wpm_scores_at_least_3_on_delivery(
    lexicon: Lexicon,
) -> None:
    answer = _fluent()
    features = measure(answer, lexicon)
    assert 135 <= features.words_per_minute <= 145
    assert 42 <= features.speech_span_s <= 48
    assert _scores(answer, lexicon).delivery >= 3


@pytest.mark.parametrize(
    "silences",
    [
        {50: 4.0},
        {10: 2.0, 30: 2.0, 50: 2.0, 70: 2.0},
        {i: 1.2 for i in range(4, 100, 8)},
    ],
)
def test_inserted_silences_lower_delivery(lexicon: Lexicon, silences: dict[int, float]) -> None:
    base = _fluent()
    slower = timed_answer(FLUENT_TEXT, wpm=150, pauses_after={**FEW_PAUSES, **silences})
    assert slower.duration_s > base.duration_s
    assert measure(slower, lexicon).words == measure(base, lexicon).words
    assert _scores(slower, lexicon).delivery < _scores(base, lexicon).delivery


def _with_fillers(every: int) -> str:
    words = FLUENT_TEXT.split()
    return " ".join(w if (i + 1) % every else f"{w} um" for i, w in enumerate(words))


def test_more_fillers_lower_delivery(lexicon: Lexicon) -> None:
    deliveries = [
        _scores(_fluent(text), lexicon).delivery
        for text in (FLUENT_TEXT, _with_fillers(10), _with_fillers(5))
    ]
    assert deliveries[0] > deliveries[1] > deliveries[2]


def test_an_off_topic_answer_scores_lower_on_topic_development(lexicon: Lexicon) -> None:
    on_topic = _scores(_fluent(FLUENT_TEXT), lexicon)
    off_topic = _scores(_fluent(repeat_to(PIZZA_ANSWER, 105)), lexicon)
    assert off_topic.topic_development < on_topic.topic_development
    # Sharing no key word with the question caps topic development at 1.
    assert off_topic.topic_development <= 1


def test_an_empty_answer_scores_zero(lexicon: Lexicon) -> None:
    empty = GradingInput(text="", words=(), duration_s=20.0, pauses=(), speech_duration_s=0.0)
    assert _scores(empty, lexicon) == RubricScores(
        delivery=0, language_use=0, topic_development=0, overall=0
    )


def test_a_near_empty_answer_scores_near_zero(lexicon: Lexicon) -> None:
    scores = _scores(timed_answer("I prefer a big city"), lexicon)
    assert max(scores.delivery, scores.language_use, scores.topic_development) <= 0.5


def test_free_practice_develops_the_topic_by_word_count_alone(lexicon: Lexicon) -> None:
    # 49 words are half of the 97.5 a 45 s answer holds at 130 wpm: a 2 on the table.
    half = _scores(_fluent(repeat_to(CITY_ANSWER, 49), question=None), lexicon)
    full = _scores(_fluent(question=None), lexicon)
    assert half.topic_development == pytest.approx(2.0, abs=0.05)
    assert full.topic_development == 4.0


def test_overall_is_the_weighted_mean_of_the_dimensions(lexicon: Lexicon) -> None:
    for text in (FLUENT_TEXT, repeat_to(PIZZA_ANSWER, 60), _with_fillers(4)):
        s = _scores(timed_answer(text, wpm=90, pauses_after={3: 1.5}), lexicon)
        weighted = 0.40 * s.delivery + 0.25 * s.language_use + 0.35 * s.topic_development
        assert s.overall == pytest.approx(weighted, abs=0.1)


def test_scores_stay_within_0_and_4(lexicon: Lexicon) -> None:
    rng = random.Random(20240611)  # noqa: S311 - seeded test data, not secrets
    vocabulary = [*FLUENT_TEXT.split(), *PIZZA_ANSWER.split(), "um", "uh", "like,", "I"]
    for _ in range(200):
        words = rng.randint(0, 400)
        text = " ".join(rng.choice(vocabulary) for _ in range(words))
        answer = timed_answer(
            text,
            wpm=rng.uniform(20, 400),
            lead_s=rng.choice([0.0, rng.uniform(0, 10)]),
            tail_s=rng.choice([0.0, rng.uniform(0, 10)]),
            pauses_after={rng.randrange(max(words, 1)): rng.uniform(0.25, 8) for _ in range(20)},
            question=rng.choice([None, timed_answer("x").question]),
        )
        s = _scores(answer, lexicon)
        for value in (s.delivery, s.language_use, s.topic_development, s.overall):
            assert 0 <= value <= 4


def test_weights_of_each_dimension_and_of_overall_sum_to_one() -> None:
    for dimension in DIMENSION_WEIGHTS:
        assert sum(c.weight for c in CRITERIA if c.dimension == dimension) == pytest.approx(1)
    assert sum(DIMENSION_WEIGHTS.values()) == pytest.approx(1)
    for criterion in CRITERIA:
        xs = [x for x, _ in criterion.curve]
        assert xs == sorted(xs), criterion.feature
        assert all(0 <= y <= 4 for _, y in criterion.curve), criterion.feature


PERFECT = RubricScores(delivery=4, language_use=4, topic_development=4, overall=4)


def test_another_graders_scores_pass_the_same_caps(lexicon: Lexicon) -> None:
    # A GPT grader's perfect marks for five words, and for a long off-topic answer.
    short = measure(timed_answer("I prefer a big city"), lexicon)
    assert bound(PERFECT, short) == RubricScores(
        delivery=0.5, language_use=0.5, topic_development=0.5, overall=0.5
    )
    off_topic = measure(_fluent(repeat_to(PIZZA_ANSWER, 105)), lexicon)
    capped = bound(PERFECT, off_topic)
    assert capped.topic_development <= 1
    assert (capped.delivery, capped.language_use) == (4, 4)
    assert capped.overall < 4  # no more than the capped dimensions support


def test_scores_within_the_caps_pass_unchanged(lexicon: Lexicon) -> None:
    fluent = measure(_fluent(), lexicon)
    given = RubricScores(delivery=3.5, language_use=2.0, topic_development=3.0, overall=3.9)
    assert bound(given, fluent) == given
    # And the local grader's own scores are already within them.
    assert bound(score(fluent).scores, fluent) == score(fluent).scores
