"""The scoring windows against a brute-force reference: random histories over weeks, with
ties, exact 7-day gaps, duplicates and any arrival order.

The reference keeps the whole history and recomputes every window from scratch (sort,
filter by time, `statistics.fmean`, `numpy.polyfit`, `statistics.median`); it shares no
code with `flows.scoring.windows`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.scoring.windows import LATENESS, ScoringState, absorb
from schemas.events import Feedback, Progress
from tests.flows.scoring.feedbacks import feedback

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
DIMENSIONS = ("delivery", "language_use", "topic_development")
SCORES = st.one_of(st.floats(0, 4), st.sampled_from([0.0, 1.0, 2.0, 2.5, 4.0]))


@dataclass(frozen=True)
class Case:
    window_size: int
    arrival: list[Feedback]


def when(answer: Feedback) -> datetime:
    return answer.answered_at if answer.answered_at is not None else answer.occurred_at


def order(answer: Feedback) -> tuple[datetime, str]:
    return when(answer), answer.answer_id


@st.composite
def cases(draw: st.DrawFn) -> Case:
    count = draw(st.integers(1, 30))
    ids = draw(st.permutations(range(count)))
    answers = [
        feedback(
            f"tg-{ids[i]}",
            # Whole hours over four weeks: equal times and exact 7-day gaps are common.
            T0
            + timedelta(hours=draw(st.integers(0, 24 * 28)))
            + timedelta(seconds=draw(st.sampled_from([0, 0, 0, 1, -1]))),
            delivery=draw(SCORES),
            language_use=draw(SCORES),
            topic_development=draw(SCORES),
            overall=draw(SCORES),
            time_to_answer_s=draw(st.none() | st.floats(0, 600)),
            graded_after=draw(st.sampled_from([None, timedelta(0), timedelta(days=3)])),
        )
        for i in range(count)
    ]
    arrival = sorted(answers, key=order)
    mode = draw(st.sampled_from(["in order", "nearly", "shuffled"]))
    if mode == "nearly":
        for i in draw(st.lists(st.integers(0, max(0, count - 2)), max_size=count)):
            arrival[i : i + 2] = arrival[i : i + 2][::-1]
    elif mode == "shuffled":
        arrival = list(draw(st.permutations(arrival)))
    for source, target in draw(
        st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count)), max_size=6)
    ):
        arrival.insert(max(target, arrival.index(answers[source]) + 1), answers[source])
    return Case(draw(st.integers(1, 8)), arrival)


def kept(history: list[Feedback], window_size: int) -> set[str]:
    """What the state keeps: all from 7 days + LATENESS before the newest answer on, and the
    N - 1 latest before that."""
    if not history:
        return set()
    horizon = max(when(answer) for answer in history) - LATENESS - WEEK
    older = sorted((a for a in history if when(a) < horizon), key=order)
    return {a.answer_id for a in history if when(a) >= horizon} | {
        a.answer_id for a in older[max(0, len(older) - (window_size - 1)) :]
    }


def reaches_forgotten(history: list[Feedback], answer: Feedback, window_size: int) -> bool:
    """The documented limit: an answer whose windows could hold a forgotten one."""
    keep = kept(history, window_size)
    forgotten = [a for a in history if a.answer_id not in keep]
    before = sorted((a for a in [*history, answer] if order(a) <= order(answer)), key=order)
    return any(when(a) >= when(answer) - WEEK for a in forgotten) or any(
        a.answer_id not in keep for a in before[-window_size:] if a is not answer
    )


def mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 3)


def check(progress: Progress, history: list[Feedback], answer: Feedback, n: int) -> None:
    before = sorted((a for a in [*history, answer] if order(a) <= order(answer)), key=order)
    last_n = before[-n:]
    week = [a for a in before if when(answer) - WEEK <= when(a) <= when(answer)]
    means = {d: mean([getattr(a.scores, d) for a in last_n]) for d in (*DIMENSIONS, "overall")}
    week_means = {d: mean([getattr(a.scores, d) for a in week]) for d in (*DIMENSIONS, "overall")}
    known = [a.metrics.time_to_answer_s for a in last_n if a.metrics.time_to_answer_s is not None]

    assert progress.event_id == f"progress-{answer.answer_id}"
    assert progress.answer_id == answer.answer_id
    assert progress.user_id == answer.user_id
    assert progress.occurred_at == when(answer)
    assert progress.window_size == n
    assert progress.answers_in_window == len(last_n)
    assert progress.last_n.model_dump() == means
    assert progress.last_7_days.model_dump() == {**week_means, "count": len(week)}
    if len(last_n) == 1:
        assert progress.trend == 0
    else:
        overall = [a.scores.overall for a in last_n]
        slope = float(np.polyfit(range(len(last_n)), overall, 1)[0])
        assert abs(progress.trend - slope) <= 0.0005 + 1e-9  # rounded to 3 decimals
        assert round(progress.trend, 3) == progress.trend
    assert progress.strongest == max(DIMENSIONS, key=lambda d: means[d])
    assert progress.weakest == min(DIMENSIONS, key=lambda d: means[d])
    expected_median = round(statistics.median(known), 3) if known else None
    assert progress.time_to_answer_median_s == expected_median


@settings(max_examples=300, deadline=None)
@given(cases())
def test_every_progress_matches_the_reference(case: Case) -> None:
    state = ScoringState()
    history: list[Feedback] = []  # distinct answers, first sighting each
    for answer in case.arrival:
        before = state
        state, progress = absorb(state, answer, case.window_size)
        if any(a.answer_id == answer.answer_id for a in history):
            assert progress is None
            assert state == before
            continue
        newest = max((when(a) for a in history), default=when(answer))
        if reaches_forgotten(history, answer, case.window_size):
            assert progress is None
            assert when(answer) < newest - LATENESS, "an answer late by LATENESS at most is sure"
        else:
            assert progress is not None
            check(progress, history, answer, case.window_size)
        history.append(answer)
        # Bounded state: exactly what later windows can need, oldest first.
        keep = kept(history, case.window_size)
        assert [a.answer_id for a in state.answers] == [
            a.answer_id for a in sorted(history, key=order) if a.answer_id in keep
        ]
