"""Per-learner allowances: counted per learner within each window, on an injected clock."""

# ruff: noqa: RUF001 - Russian expectations are written in Cyrillic on purpose

from __future__ import annotations

import pytest

from bot.i18n import Catalogs
from bot.quotas import Limit, OverLimit, Quota, Window, over_limit, wait_text, window_text

CATALOGS = Catalogs.load()
PER_MINUTE = Limit(2, Window.MINUTE)
PER_HOUR = Limit(3, Window.HOUR)


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def test_requests_within_the_limit_are_admitted_and_the_next_is_told_when_to_return() -> None:
    clock = Clock()
    quota = Quota([PER_MINUTE], clock=clock)
    assert quota.take("ann", "tg-1") is None
    clock.now += 10
    assert quota.take("ann", "tg-2") is None
    clock.now += 5
    # The first request leaves the window 60 s after it was made: 45 s from now.
    assert quota.take("ann", "tg-3") == OverLimit(PER_MINUTE, 45.0)


def test_a_refused_request_is_not_counted_so_asking_at_the_named_time_is_admitted() -> None:
    clock = Clock()
    quota = Quota([PER_MINUTE], clock=clock)
    quota.take("ann", "tg-1")
    clock.now += 1
    quota.take("ann", "tg-2")
    waits = []
    for n in range(3, 8):  # refusals do not push the time further out
        refused = quota.take("ann", f"tg-{n}")
        assert refused is not None
        waits.append(refused.retry_after_s)
        clock.now += 1
    assert waits == [59.0, 58.0, 57.0, 56.0, 55.0]
    clock.now += waits[-1] - 1  # 60 s after tg-1
    assert quota.take("ann", "tg-8") is None
    assert quota.take("ann", "tg-9") is not None  # tg-2 and tg-8 fill the window


def test_the_limit_that_frees_up_last_is_named() -> None:
    clock = Clock()
    quota = Quota([PER_MINUTE, PER_HOUR], clock=clock)
    for n in range(3):
        assert quota.take("ann", f"tg-{n}") is None
        clock.now += 120  # never two in a minute
    # Three in the hour: the minute has room, the hour has not until 5000 + 3600.
    assert quota.take("ann", "tg-3") == OverLimit(PER_HOUR, 5000 + 3600 - clock.now)
    clock.now = 5000 + 3600
    assert quota.take("ann", "tg-4") is None


def test_learners_are_counted_apart() -> None:
    quota = Quota([Limit(1, Window.MINUTE)], clock=Clock())
    assert quota.take("ann", "tg-1") is None
    assert quota.take("bob", "tg-2") is None
    assert quota.take("ann", "tg-3") is not None


def test_a_redelivered_request_is_admitted_again_without_using_up_the_allowance() -> None:
    quota = Quota([PER_MINUTE], clock=Clock())
    assert quota.take("ann", "tg-1") is None
    assert quota.take("ann", "tg-1") is None  # Telegram delivering a failed update again
    assert quota.take("ann", "tg-2") is None
    assert quota.take("ann", "tg-3") is not None


def test_learners_idle_for_the_longest_window_are_forgotten() -> None:
    clock = Clock()
    quota = Quota([PER_MINUTE, PER_HOUR], clock=clock, max_learners=10)
    for n in range(10):
        quota.take(f"idle-{n}", "tg-1")
    clock.now += 3600
    quota.take("active", "tg-1")
    assert len(quota) == 1
    assert quota.take("idle-0", "tg-2") is None


def test_over_limit_counts_only_requests_inside_the_window() -> None:
    # A request exactly a window ago has left it.
    assert over_limit([40.0, 100.0], 100.0, [PER_MINUTE]) is None
    assert over_limit([41.0, 100.0], 100.0, [PER_MINUTE]) == OverLimit(PER_MINUTE, 1.0)
    assert over_limit([], 0.0, [Limit(1, Window.HOUR)]) is None


def test_a_quota_without_limits_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="at least one limit"):
        Quota([])


@pytest.mark.parametrize(
    ("seconds", "english", "russian"),
    [
        (0.2, "1 s", "1 с"),
        (45.0, "45 s", "45 с"),
        (59.5, "1 min", "1 мин"),
        (61.0, "2 min", "2 мин"),
        (3599.0, "60 min", "60 мин"),
    ],
)
def test_the_wait_is_rounded_up_to_seconds_then_minutes(
    seconds: float, english: str, russian: str
) -> None:
    assert wait_text(seconds, CATALOGS["en"]) == english
    assert wait_text(seconds, CATALOGS["ru"]) == russian


def test_every_window_has_a_text() -> None:
    assert [window_text(w, CATALOGS["en"]) for w in Window] == ["minute", "hour"]
    assert [window_text(w, CATALOGS["ru"]) for w in Window] == ["минуту", "час"]
