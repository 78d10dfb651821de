"""The local grader: measured features, the documented rubric and templated advice.

Deterministic and offline; the flow falls back to it whenever another engine is
unavailable, so it never raises `EngineUnavailable`.
"""

from __future__ import annotations

from flows.feedback.engines.base import Grade, GradingInput
from flows.feedback.metrics import measure
from flows.feedback.recommendations import recommend
from flows.feedback.rubric import score
from flows.language.lexicon import Lexicon, load_lexicon
from schemas.events.feedback import Metrics


class LocalGrader:
    """`FeedbackEngine` that needs no network; `lexicon` defaults to the process-wide one."""

    name = "local"

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self._lexicon = lexicon or load_lexicon()

    def measure(self, answer: GradingInput) -> Metrics:
        """The measured figures alone (what the OpenAI grader reports and cites)."""
        return measure(answer, self._lexicon).to_metrics()

    def grade(self, answer: GradingInput) -> Grade:
        features = measure(answer, self._lexicon)
        scoring = score(features)
        return Grade(
            metrics=features.to_metrics(),
            scores=scoring.scores,
            recommendations=recommend(features, scoring, answer.language),
        )
