"""The documented formula from measured features to TOEFL speaking rubric scores, 0 to 4.

Each feature gets a score from a piecewise-linear curve through the points below (flat
beyond the first and last point); a dimension is the weighted mean of its features'
scores, capped by the evidence cap; overall is the weighted mean of the dimensions.
Scores are reported to one decimal: TOEFL raters give whole points per task, but a learner
tracking progress needs to see a change smaller than a point. RUBRIC.md has the rationale.

| dimension (weight) | feature (weight)                 | curve points (value -> score)          |
|--------------------|----------------------------------|----------------------------------------|
| delivery (0.40)    | words per minute (0.25)          | 0->0, 60->1, 100->3, 120->4, 160->4,   |
|                    |                                  | 200->3, 260->1                         |
|                    | pauses per minute (0.15)         | 20->4, 30->3, 45->1.5, 60->0           |
|                    | mean pause, s (0.15)             | 0.7->4, 1.0->3, 1.5->2, 3.0->0         |
|                    | long pauses per minute (0.15)    | 1->4, 3->2.5, 6->1, 10->0              |
|                    | fillers per 100 words (0.20)     | 1->4, 3->3, 6->2, 10->1, 15->0         |
|                    | repetitions per 100 words (0.10) | 1->4, 3->3, 6->2, 10->1, 15->0         |
| language use       | grammar errors per 100 words     | 0->4, 1->3.5, 2->3, 4->2, 7->1, 10->0  |
| (0.25)             | (0.40)                           |                                        |
|                    | MATTR, 50-token window (0.35)    | 0.40->0, 0.50->1, 0.60->2.5, 0.70->3.5,|
|                    |                                  | 0.75->4                                |
|                    | rare content-word share (0.25)   | 0->1, 0.05->2, 0.10->3, 0.15->4        |
| topic development  | length: the larger of speech     | 0->0, 0.25->1, 0.50->2, 0.75->3,       |
| (0.35)             | span / answer time and words /   | 0.90->4                                |
|                    | expected words (0.25)            |                                        |
|                    | words / expected words (0.25)    | same as the line above                 |
|                    | relevance (0.50)                 | 0->0, 0.10->1, 0.20->2, 0.30->3, 0.40->4|

- Length takes the larger share so that a complete answer spoken fast is not short: the
  same words at 220 wpm fill 69 % of the time, and topic development is not delivery.
- Expected words = answer time * 130 / 60 (130 wpm, the middle of the target pace); free
  practice without a question uses the 45 s of a TOEFL independent task.
- Without a question, length ratio and relevance are unknown: topic development is the
  word-count score alone. A feature that is unknown (no content words: no rare-word share)
  drops out and its dimension's weights are renormalised.
- Evidence cap: no dimension scores above words / 10, so an empty answer scores 0 and a
  ten-word answer at most 1 however smooth it was (TOEFL: "very limited content").
- Relevance cap: topic development is at most the relevance score + 1, so an answer that
  shares no key word with the question scores at most 1 there however long it is (TOEFL:
  a response unrelated to the topic scores 0 or 1). The cap is not 0 because relevance
  is lexical overlap and a paraphrasing answer can miss the question's exact words.
- Grammar errors come from the grammar checker (grammar.py); when it was unavailable the
  feature is unknown and language use is vocabulary alone, as the event records.
  Pronunciation is part of the TOEFL rubric but is not measured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from flows.feedback.metrics import Features
from schemas.events.feedback import RubricScores

Curve = tuple[tuple[float, float], ...]

MAX_SCORE = 4.0
WORDS_PER_POINT = 10
RELEVANCE_CAP_MARGIN = 1.0
TARGET_WPM = 130
DEFAULT_ANSWER_TIME_S = 45.0

DIMENSION_WEIGHTS = {"delivery": 0.40, "language_use": 0.25, "topic_development": 0.35}


class Feature(StrEnum):
    """The scored features, named as the recommendations refer to them."""

    RATE = "rate"
    PAUSE_FREQUENCY = "pause_frequency"
    PAUSE_LENGTH = "pause_length"
    LONG_PAUSES = "long_pauses"
    FILLERS = "fillers"
    REPETITIONS = "repetitions"
    GRAMMAR = "grammar"
    DIVERSITY = "diversity"
    SOPHISTICATION = "sophistication"
    LENGTH = "length"
    WORD_COUNT = "word_count"
    RELEVANCE = "relevance"


@dataclass(frozen=True, slots=True)
class Criterion:
    feature: Feature
    dimension: str
    weight: float
    curve: Curve


_FEWER_IS_BETTER_PER_100: Curve = ((1, 4), (3, 3), (6, 2), (10, 1), (15, 0))
# Share of the answer time (or of the expected words) that scores full marks.
FULL_SHARE = 0.9
_SHARE_OF_TARGET: Curve = ((0, 0), (0.25, 1), (0.5, 2), (0.75, 3), (FULL_SHARE, 4))

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        Feature.RATE,
        "delivery",
        0.25,
        ((0, 0), (60, 1), (100, 3), (120, 4), (160, 4), (200, 3), (260, 1)),
    ),
    Criterion(Feature.PAUSE_FREQUENCY, "delivery", 0.15, ((20, 4), (30, 3), (45, 1.5), (60, 0))),
    Criterion(Feature.PAUSE_LENGTH, "delivery", 0.15, ((0.7, 4), (1.0, 3), (1.5, 2), (3.0, 0))),
    Criterion(Feature.LONG_PAUSES, "delivery", 0.15, ((1, 4), (3, 2.5), (6, 1), (10, 0))),
    Criterion(Feature.FILLERS, "delivery", 0.20, _FEWER_IS_BETTER_PER_100),
    Criterion(Feature.REPETITIONS, "delivery", 0.10, _FEWER_IS_BETTER_PER_100),
    Criterion(
        Feature.GRAMMAR,
        "language_use",
        0.40,
        ((0, 4), (1, 3.5), (2, 3), (4, 2), (7, 1), (10, 0)),
    ),
    Criterion(
        Feature.DIVERSITY,
        "language_use",
        0.35,
        ((0.4, 0), (0.5, 1), (0.6, 2.5), (0.7, 3.5), (0.75, 4)),
    ),
    Criterion(
        Feature.SOPHISTICATION, "language_use", 0.25, ((0, 1), (0.05, 2), (0.1, 3), (0.15, 4))
    ),
    Criterion(Feature.LENGTH, "topic_development", 0.25, _SHARE_OF_TARGET),
    Criterion(Feature.WORD_COUNT, "topic_development", 0.25, _SHARE_OF_TARGET),
    Criterion(
        Feature.RELEVANCE,
        "topic_development",
        0.50,
        ((0, 0), (0.1, 1), (0.2, 2), (0.3, 3), (0.4, 4)),
    ),
)


@dataclass(frozen=True, slots=True)
class Scoring:
    """Rubric scores with the per-feature scores behind them (None: feature unknown)."""

    scores: RubricScores
    features: Mapping[Feature, float | None]
    cap: float

    def gain(self, feature: Feature) -> float:
        """Overall points the learner would gain by bringing this feature to 4 (uncapped)."""
        score = self.features[feature]
        if score is None:
            return 0.0
        criterion = next(c for c in CRITERIA if c.feature is feature)
        known = sum(
            c.weight
            for c in CRITERIA
            if c.dimension == criterion.dimension and self.features[c.feature] is not None
        )
        share = criterion.weight / known * DIMENSION_WEIGHTS[criterion.dimension]
        return (MAX_SCORE - score) * share


def interpolate(curve: Curve, value: float) -> float:
    """Piecewise-linear through the curve's points, flat beyond its ends."""
    if value <= curve[0][0]:
        return curve[0][1]
    for (x0, y0), (x1, y1) in pairwise(curve):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return curve[-1][1]


def expected_words(features: Features) -> float:
    """Words a full answer holds at the target pace."""
    answer_time = features.answer_time_s or DEFAULT_ANSWER_TIME_S
    return answer_time * TARGET_WPM / 60


def feature_values(features: Features) -> dict[Feature, float | None]:
    """The value each criterion scores; None when it cannot be measured."""
    words_ratio = features.words / expected_words(features)
    return {
        Feature.RATE: features.words_per_minute,
        Feature.PAUSE_FREQUENCY: features.pauses_per_minute,
        Feature.PAUSE_LENGTH: features.mean_pause_s,
        Feature.LONG_PAUSES: features.long_pauses_per_minute,
        Feature.FILLERS: features.fillers_per_100_words,
        Feature.REPETITIONS: features.repetitions_per_100_words,
        Feature.GRAMMAR: features.grammar_errors_per_100_words,
        Feature.DIVERSITY: features.mattr,
        Feature.SOPHISTICATION: features.rare_word_ratio,
        Feature.LENGTH: None
        if features.length_ratio is None
        else max(features.length_ratio, words_ratio),
        Feature.WORD_COUNT: words_ratio,
        Feature.RELEVANCE: features.relevance,
    }


def score(features: Features) -> Scoring:
    """Score one answer on the rubric."""
    values = feature_values(features)
    per_feature = {
        c.feature: None if (value := values[c.feature]) is None else interpolate(c.curve, value)
        for c in CRITERIA
    }
    cap, topic_cap = _caps(features, per_feature)
    dimensions = {
        dimension: min(cap, _weighted_mean(per_feature, dimension))
        for dimension in DIMENSION_WEIGHTS
    }
    dimensions["topic_development"] = min(dimensions["topic_development"], topic_cap)
    overall = sum(dimensions[d] * w for d, w in DIMENSION_WEIGHTS.items())
    return Scoring(
        scores=RubricScores(
            delivery=_report(dimensions["delivery"]),
            language_use=_report(dimensions["language_use"]),
            topic_development=_report(dimensions["topic_development"]),
            overall=_report(overall),
        ),
        features=per_feature,
        cap=cap,
    )


def bound(scores: RubricScores, features: Features) -> RubricScores:
    """Another grader's scores held to this rubric's caps: none above the evidence cap,
    topic development none above the relevance cap, and overall no higher than the capped
    dimensions support when a cap took something away (a GPT grade passes these too)."""
    values = feature_values(features)
    relevance = values[Feature.RELEVANCE]
    per_feature = {
        Feature.RELEVANCE: None
        if relevance is None
        else interpolate(_curve(Feature.RELEVANCE), relevance)
    }
    cap, topic_cap = _caps(features, per_feature)
    given = {d: getattr(scores, d) for d in DIMENSION_WEIGHTS}
    bounded = {d: min(cap, value) for d, value in given.items()}
    bounded["topic_development"] = min(bounded["topic_development"], topic_cap)
    overall = min(scores.overall, cap)
    if bounded != given:
        overall = min(overall, sum(bounded[d] * w for d, w in DIMENSION_WEIGHTS.items()))
    return RubricScores(
        delivery=_report(bounded["delivery"]),
        language_use=_report(bounded["language_use"]),
        topic_development=_report(bounded["topic_development"]),
        overall=_report(overall),
    )


def _caps(features: Features, per_feature: Mapping[Feature, float | None]) -> tuple[float, float]:
    """The evidence cap (every dimension) and the topic-development cap."""
    cap = min(MAX_SCORE, features.words / WORDS_PER_POINT)
    relevance = per_feature.get(Feature.RELEVANCE)
    return cap, MAX_SCORE if relevance is None else relevance + RELEVANCE_CAP_MARGIN


def _curve(feature: Feature) -> Curve:
    return next(c.curve for c in CRITERIA if c.feature == feature)


def _weighted_mean(per_feature: Mapping[Feature, float | None], dimension: str) -> float:
    known: Sequence[tuple[float, float]] = [
        (c.weight, s)
        for c in CRITERIA
        if c.dimension == dimension and (s := per_feature[c.feature]) is not None
    ]
    total = sum(w for w, _ in known)
    return sum(w * s for w, s in known) / total if total else 0.0


def _report(value: float) -> float:
    return round(min(max(value, 0.0), MAX_SCORE), 1)
