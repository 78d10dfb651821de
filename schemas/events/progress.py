"""Progress: a learner's scores over the last N answers and the last 7 days."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from schemas.events.base import INT64_MAX, Event, Identifier, Seconds
from schemas.events.feedback import RubricScores

Dimension = Literal["delivery", "language_use", "topic_development"]


class WindowScores(RubricScores):
    """Mean rubric scores over a time window."""

    count: int = Field(ge=1, le=INT64_MAX, description="Answers in the window.")


class Progress(Event):
    """Progress recomputed after an answer was graded."""

    EVENT_TYPE: ClassVar[str] = "progress"
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: Literal[1] = Field(default=1, description="Schema version of this event.")
    answer_id: Identifier = Field(description="Answer whose feedback triggered the update.")
    window_size: int = Field(ge=1, le=1000, description="N: the answers the last-N window holds.")
    answers_in_window: int = Field(
        ge=1, le=1000, description="Answers actually in the last-N window (at most N)."
    )
    last_n: RubricScores = Field(description="Mean scores over the last-N window.")
    last_7_days: WindowScores = Field(
        description="Mean scores over the 7 days up to the triggering answer."
    )
    # Least squares over 0-4 scores cannot change faster than 4 per answer.
    trend: float = Field(
        ge=-4, le=4, description="Slope of the overall score per answer over the last-N window."
    )
    strongest: Dimension = Field(description="Dimension with the highest mean in the window.")
    weakest: Dimension = Field(description="Dimension with the lowest mean in the window.")
    time_to_answer_median_s: Seconds | None = Field(
        default=None,
        description="Median time to answer (question received to start of speech) in the "
        "window; None if none is known.",
    )

    @model_validator(mode="after")
    def _window_fits(self) -> Self:
        if self.answers_in_window > self.window_size:
            raise ValueError("answers_in_window exceeds window_size")
        return self
