"""Edge cases of the scoring windows, with figures worked out by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from flows.scoring.windows import ScoringState, absorb
from schemas.events import Feedback, Progress
from tests.flows.scoring.feedbacks import feedback

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _run(
    answers: Sequence[Feedback], window_size: int = 5, state: ScoringState | None = None
) -> tuple[ScoringState, list[Progress | None]]:
    state = state or ScoringState()
    emitted = []
    for answer in answers:
        state, progress = absorb(state, answer, window_size)
        emitted.append(progress)
    return state, emitted


def _last(answers: Sequence[Feedback], window_size: int = 5) -> Progress:
    progress = _run(answers, window_size)[1][-1]
    assert progress is not None
    return progress


def test_one_answer() -> None:
    answer = feedback("tg-1", T0, 3, 2, 1, overall=2.5, time_to_answer_s=12)
    progress = _last([answer])
    assert progress.event_id == "progress-tg-1"
    assert progress.occurred_at == T0  # the answer's time, not when it was graded
    assert (progress.window_size, progress.answers_in_window) == (5, 1)
    assert (progress.last_n.delivery, progress.last_n.language_use) == (3, 2)
    assert (progress.last_n.topic_development, progress.last_n.overall) == (1, 2.5)
    assert progress.last_7_days.count == 1
    assert progress.last_7_days.overall == 2.5
    assert progress.trend == 0
    assert (progress.strongest, progress.weakest) == ("delivery", "topic_development")
    assert progress.time_to_answer_median_s == 12


def test_three_answers() -> None:
    answers = [
        feedback("tg-1", T0, delivery=1, overall=1),
        feedback("tg-2", T0 + DAY, delivery=1, overall=2),
        feedback("tg-3", T0 + 2 * DAY, delivery=2, overall=4),
    ]
    progress = _last(answers)
    assert progress.last_n.overall == 2.333  # 7 / 3, rounded to 3 decimals
    assert progress.last_n.delivery == 1.333
    assert progress.trend == 1.5  # (-1 * 1 + 0 * 2 + 1 * 4) / 2
    assert progress.last_7_days.count == 3
    assert (progress.strongest, progress.weakest) == ("language_use", "delivery")


def test_last_n_slides() -> None:
    answers = [
        feedback("tg-1", T0, overall=0),
        feedback("tg-2", T0 + DAY, overall=4),
        feedback("tg-3", T0 + 2 * DAY, overall=1),
    ]
    progress = _last(answers, window_size=2)
    assert (progress.window_size, progress.answers_in_window) == (2, 2)
    assert progress.last_n.overall == 2.5
    assert progress.trend == -3
    assert (progress.last_7_days.count, progress.last_7_days.overall) == (3, 1.667)


def test_window_bigger_than_history() -> None:
    answers = [feedback(f"tg-{i}", T0 + i * DAY, overall=i) for i in range(3)]
    progress = _last(answers, window_size=10)
    assert (progress.window_size, progress.answers_in_window) == (10, 3)
    assert progress.last_n.overall == 1
    assert progress.trend == 1


def test_ties_go_to_the_fixed_order() -> None:
    even = _last([feedback("tg-1", T0, 2, 2, 2)])
    assert (even.strongest, even.weakest) == ("delivery", "delivery")
    top_two = _last([feedback("tg-1", T0, 1, 3, 3)])
    assert (top_two.strongest, top_two.weakest) == ("language_use", "delivery")
    bottom_two = _last([feedback("tg-1", T0, 1, 3, 1)])
    assert (bottom_two.strongest, bottom_two.weakest) == ("language_use", "delivery")
    # 2.0004 and 2.0001 are both published as 2.0: a tie as the learner sees it.
    rounded = _last([feedback("tg-1", T0, 2.0001, 2.0004, 1)])
    assert (rounded.strongest, rounded.weakest) == ("delivery", "topic_development")


def test_unknown_times_to_answer() -> None:
    assert _last([feedback("tg-1", T0), feedback("tg-2", T0 + DAY)]).time_to_answer_median_s is None
    times = [None, 10.0, 40.0, 20.0]
    answers = [feedback(f"tg-{i}", T0 + i * DAY, time_to_answer_s=t) for i, t in enumerate(times)]
    assert _last(answers).time_to_answer_median_s == 20  # of 10, 40, 20
    fifth = feedback("tg-9", T0 + 9 * DAY, time_to_answer_s=90.0)
    assert _last([*answers, fifth]).time_to_answer_median_s == 30  # of 10, 40, 20, 90
    # Only the last-N window counts: the known times have slid out.
    slid_out = _last([*answers, feedback("tg-10", T0 + 10 * DAY)], window_size=1)
    assert slid_out.time_to_answer_median_s is None


def test_seven_days_include_both_bounds() -> None:
    start = feedback("tg-1", T0, overall=0)
    on_the_day = feedback("tg-2", T0 + 7 * DAY, overall=4)
    a_second_later = feedback("tg-3", T0 + 7 * DAY + timedelta(seconds=1), overall=4)
    _, (_, second, third) = _run([start, on_the_day, a_second_later])
    assert second is not None
    assert (second.last_7_days.count, second.last_7_days.overall) == (2, 2)
    assert third is not None
    assert (third.last_7_days.count, third.last_7_days.overall) == (2, 4)
    assert third.answers_in_window == 3  # the last-N window is not bounded in time


def test_occurred_at_stands_in_for_an_unknown_answered_at() -> None:
    graded_late = feedback("tg-1", T0, overall=1, graded_after=3 * DAY)
    unknown = feedback("tg-2", T0 + DAY, overall=3, graded_after=None)
    _, (_, second) = _run([graded_late, unknown])
    assert second is not None
    assert second.occurred_at == T0 + DAY
    assert second.trend == 2  # tg-1 (answered T0) comes before tg-2 (T0 + 1 day)


def test_redelivery_changes_nothing() -> None:
    answer = feedback("tg-1", T0)
    state, _ = _run([answer])
    again, progress = absorb(state, answer, 5)
    assert progress is None
    assert again == state


def test_an_older_answer_arriving_late_sees_only_what_came_before_it() -> None:
    day1 = feedback("tg-1", T0 + DAY, overall=1)
    day3 = feedback("tg-3", T0 + 3 * DAY, overall=3)
    day2 = feedback("tg-2", T0 + 2 * DAY, overall=2)
    state, (_, late_day1, late_day2) = _run([day3, day1, day2])
    assert late_day1 is not None
    assert (late_day1.answers_in_window, late_day1.last_n.overall) == (1, 1)
    assert late_day2 is not None
    assert (late_day2.answers_in_window, late_day2.last_n.overall, late_day2.trend) == (2, 1.5, 1)
    assert [a.answer_id for a in state.answers] == ["tg-1", "tg-2", "tg-3"]


def test_an_answer_up_to_a_day_late_always_gets_its_progress() -> None:
    sparse = [feedback(f"tg-{day}", T0 + day * DAY, overall=day % 4) for day in (0, 10, 20, 30)]
    state, _ = _run(sparse, window_size=3)
    assert [a.answer_id for a in state.answers] == ["tg-10", "tg-20", "tg-30"]
    late = feedback("tg-29", T0 + 29 * DAY, overall=4)
    state, progress = absorb(state, late, 3)
    assert progress is not None
    assert (progress.answers_in_window, progress.last_n.overall) == (3, 2)  # days 10, 20, 29
    assert progress.last_7_days.count == 1


def test_no_progress_for_an_answer_whose_windows_were_forgotten() -> None:
    in_order = [feedback(f"tg-{day}", T0 + day * DAY) for day in (0, 10, 20)]
    state, emitted = _run(in_order, window_size=1)
    assert all(emitted)
    assert [a.answer_id for a in state.answers] == ["tg-20"]
    assert state.forgotten_until == T0 + 10 * DAY
    # Day 15's 7 days reach back to day 8, past the forgotten day 10: no figures for it.
    state, progress = absorb(state, feedback("tg-15", T0 + 15 * DAY), 1)
    assert progress is None
    assert [a.answer_id for a in state.answers] == ["tg-15", "tg-20"]
    # Day 17's reach back to day 10 itself: both bounds are inclusive.
    state, progress = absorb(state, feedback("tg-17", T0 + 17 * DAY), 1)
    assert progress is None
    # Day 18's reach back to day 11: nothing it needs was forgotten.
    state, progress = absorb(state, feedback("tg-18", T0 + 18 * DAY), 1)
    assert progress is not None
    assert progress.last_7_days.count == 3  # days 15, 17 and 18; day 20 comes after it
    # A forgotten answer delivered again is forgotten again, and yields nothing.
    again, progress = absorb(state, in_order[0], 1)
    assert progress is None
    assert again == state


def test_state_stays_bounded() -> None:
    every_six_hours = [feedback(f"tg-{i}", T0 + i * timedelta(hours=6)) for i in range(400)]
    state, emitted = _run(every_six_hours)
    assert all(emitted)
    # 8 days (7 + a day of lateness) at 4 a day, both ends included, and N - 1 before them.
    assert len(state.answers) == 33 + 4
    assert state.answers[4].at == T0 + 399 * timedelta(hours=6) - 8 * DAY
    assert state.forgotten_until == state.answers[0].at - timedelta(hours=6)
    state, emitted = _run(every_six_hours, window_size=50)
    assert len(state.answers) == 33 + 49


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window_size"):
        absorb(ScoringState(), feedback("tg-1", T0), 0)


def test_a_redelivery_of_the_newest_answer_with_other_figures_is_still_a_redelivery() -> None:
    first = feedback("tg-1", T0, overall=1)
    again = feedback("tg-1", T0, overall=4)  # same answer, same time, graded differently
    state, emitted = _run([first, again])
    assert emitted[1] is None
    assert [a.answer_id for a in state.answers] == ["tg-1"]
