"""Per-learner sliding windows over graded answers: the pure core of the scoring flow.

Answers are ordered by event time, `(answered_at, answer_id)` (`occurred_at` stands in when
`answered_at` is None); the id only orders answers given at the same instant. The Progress
of an answer looks at the answers up to and including it in that order, whatever order
they arrived in:

- last N: the N latest of them (fewer while the history is shorter);
- last 7 days: those with `answered_at` in [t - 7 days, t], both bounds inclusive, where t is
  the answer's own event time;
- trend: least-squares slope of `overall` against the answer's index (0, 1, ...) in the
  last-N window; 0 for a single answer;
- strongest / weakest: the dimension with the highest / lowest last-N mean as published
  (rounded); ties go to the first in DIMENSIONS order (delivery, language_use,
  topic_development), so three equal means name delivery for both;
- time_to_answer_median_s: median of the known times in the last-N window, None if none.

Means, the trend and the median are rounded to 3 decimals (Python's `round`); means sum
with `math.fsum`, so the same answers give the same bits in any arrival order. Progress
carries the answer's event time as `occurred_at`: replaying the topic reproduces it exactly.

State stays bounded. Answers may arrive out of order by up to LATENESS (1 day) of event time
behind the newest one seen: with horizon = newest - LATENESS - 7 days, the state keeps the
answers at or after the horizon and the N - 1 latest before it, which is all any answer at
or after newest - LATENESS can need, and forgets the rest. Forgotten answers are always the
oldest, so the state is a suffix of the history plus `forgotten_until`, the event time of the
newest forgotten answer. An answer later than LATENESS still gets its Progress when its
windows cannot reach a forgotten answer (none forgotten within the 7 days before it, and at
least N - 1 kept answers before it); otherwise it is kept for later answers' windows and
gets no Progress, since its figures could not be right. A changed N therefore needs a replay
into fresh state.

A redelivered feedback (an answer id already kept) changes nothing and yields nothing. One
already forgotten is no newer than `forgotten_until`, so it is forgotten again at once and
yields nothing either: no list of seen ids is needed.

The state is plain and immutable (tuples of numbers and strings), so a Bytewax snapshot
neither copies it (`__deepcopy__` returns it) nor pickles more than those values.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Self

from schemas.events import Feedback, Progress
from schemas.events.progress import Dimension

DIMENSIONS: tuple[Dimension, ...] = ("delivery", "language_use", "topic_development")
SCORE_FIELDS: tuple[str, ...] = (*DIMENSIONS, "overall")
RECENT = timedelta(days=7)
# How far behind the newest answer an answer may arrive and still be sure of its Progress.
LATENESS = timedelta(days=1)
DECIMALS = 3


class ScoredAnswer(NamedTuple):
    """What the windows need of one graded answer; tuples order as (at, answer_id)."""

    at: datetime
    answer_id: str
    scores: tuple[float, float, float, float]  # in SCORE_FIELDS order
    time_to_answer_s: float | None


@dataclass(frozen=True, slots=True)
class ScoringState:
    """One learner's kept answers, oldest first, and where forgetting stopped."""

    answers: tuple[ScoredAnswer, ...] = ()
    forgotten_until: datetime | None = None

    def __deepcopy__(self, _memo: dict[int, Any]) -> Self:
        return self  # immutable all the way down


def event_time(feedback: Feedback) -> datetime:
    return feedback.answered_at or feedback.occurred_at


def absorb(
    state: ScoringState, feedback: Feedback, window_size: int
) -> tuple[ScoringState, Progress | None]:
    """Folds one feedback into the state; returns the answer's Progress, if it has one."""
    if window_size < 1:
        raise ValueError(f"window_size must be at least 1, not {window_size}")
    answer_id = feedback.answer_id
    kept = state.answers
    s = feedback.scores
    answer = ScoredAnswer(
        event_time(feedback),
        answer_id,
        (s.delivery, s.language_use, s.topic_development, s.overall),
        feedback.metrics.time_to_answer_s,
    )
    # Answers mostly arrive in order: the new one goes last, and being newer than every
    # kept answer (and so every forgotten one) it cannot be a redelivery.
    if not kept or kept[-1][:2] < answer[:2]:
        position = len(kept)
    elif any(a.answer_id == answer_id for a in kept):
        return state, None
    else:
        position = bisect.bisect(kept, answer)
    answers = (*kept[:position], answer, *kept[position:])
    earlier = answers[: position + 1]
    progress = None
    if _complete(earlier, state.forgotten_until, window_size):
        progress = _progress(feedback.user_id, earlier, window_size)
    return _forget(answers, state.forgotten_until, window_size), progress


def _complete(
    earlier: Sequence[ScoredAnswer], forgotten_until: datetime | None, window_size: int
) -> bool:
    """Whether no forgotten answer can fall in the windows of the last of `earlier`."""
    if forgotten_until is None:
        return True
    return forgotten_until < earlier[-1].at - RECENT and len(earlier) >= window_size


def _first_at_or_after(answers: Sequence[ScoredAnswer], moment: datetime) -> int:
    return bisect.bisect_left(answers, moment, key=lambda a: a.at)


def _forget(
    answers: tuple[ScoredAnswer, ...], forgotten_until: datetime | None, window_size: int
) -> ScoringState:
    recent = _first_at_or_after(answers, answers[-1].at - LATENESS - RECENT)
    keep_from = max(0, recent - (window_size - 1))
    if keep_from == 0:
        return ScoringState(answers, forgotten_until)
    newest_forgotten = answers[keep_from - 1].at
    if forgotten_until is not None:
        newest_forgotten = max(newest_forgotten, forgotten_until)
    return ScoringState(answers[keep_from:], newest_forgotten)


def _progress(user_id: str, earlier: Sequence[ScoredAnswer], window_size: int) -> Progress:
    answer = earlier[-1]
    last_n = earlier[-window_size:]
    week = earlier[_first_at_or_after(earlier, answer.at - RECENT) :]
    means = _means(last_n)
    known_times = [k.time_to_answer_s for k in last_n if k.time_to_answer_s is not None]
    dimensions = means[: len(DIMENSIONS)]
    # Nested parts as plain dicts: Progress validates them once, as it would models.
    return Progress(
        event_id=f"progress-{answer.answer_id}",
        occurred_at=answer.at,
        user_id=user_id,
        answer_id=answer.answer_id,
        window_size=window_size,
        answers_in_window=len(last_n),
        last_n=dict(zip(SCORE_FIELDS, means, strict=True)),
        last_7_days={**dict(zip(SCORE_FIELDS, _means(week), strict=True)), "count": len(week)},
        trend=_rounded(_slope([k.scores[3] for k in last_n])),
        # index() finds the first of equals: DIMENSIONS order breaks ties.
        strongest=DIMENSIONS[dimensions.index(max(dimensions))],
        weakest=DIMENSIONS[dimensions.index(min(dimensions))],
        time_to_answer_median_s=_rounded(_median(known_times)) if known_times else None,
    )


def _means(answers: Sequence[ScoredAnswer]) -> tuple[float, ...]:
    """Rounded mean of each rubric score, in SCORE_FIELDS order."""
    count = len(answers)
    return tuple(
        _rounded(math.fsum(column) / count)
        for column in zip(*[a.scores for a in answers], strict=True)
    )


def _slope(values: Sequence[float]) -> float:
    """Least-squares slope of `values` against 0, 1, ..., n - 1."""
    n = len(values)
    if n < 2:
        return 0.0
    centre = (n - 1) / 2
    spread = n * (n * n - 1) / 12  # sum of (i - centre)^2
    return math.fsum((i - centre) * value for i, value in enumerate(values)) / spread


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _rounded(value: float) -> float:
    return round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
