"""Outgoing messages are spaced: about one a second per chat, at most 25 a second overall."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.ratelimit import RateLimiter


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def _send_times(limiter: RateLimiter, fake: FakeTime, chats: list[int]) -> list[float]:
    async def send_all() -> list[float]:
        times = []
        for chat in chats:
            await limiter.acquire(chat)
            times.append(fake.now)
        return times

    return asyncio.run(send_all())


def test_messages_to_one_chat_are_a_second_apart() -> None:
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    times = _send_times(limiter, fake, [7, 7, 7, 7])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert times[0] == 1000.0  # the first goes at once
    assert all(abs(gap - 1.0) < 1e-9 for gap in gaps), gaps


def test_different_chats_share_only_the_overall_limit() -> None:
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    times = _send_times(limiter, fake, list(range(100)))
    # 100 chats at 25 a second: the 100th goes 99/25 s after the first.
    assert abs((times[-1] - times[0]) - 99 / 25) < 1e-6
    # Within any one second (less a float rounding margin), at most 25.
    per_second = max(sum(1 for t in times if s <= t < s + 1 - 1e-9) for s in times)
    assert per_second <= 25


def test_a_chat_quiet_for_a_while_is_not_held_back() -> None:
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    _send_times(limiter, fake, [1])
    fake.now += 5
    before = fake.now
    _send_times(limiter, fake, [1])
    assert fake.now == before


def test_concurrent_senders_never_share_a_slot() -> None:
    async def scenario() -> list[float]:
        limiter = RateLimiter(per_chat_interval_s=0.1)
        started = time.monotonic()
        sent: list[float] = []

        async def send() -> None:
            await limiter.acquire(5)
            sent.append(time.monotonic() - started)

        await asyncio.wait_for(asyncio.gather(*(send() for _ in range(4))), timeout=5)
        return sorted(sent)

    sent = asyncio.run(scenario())
    # The k-th sender waits for the k-th slot; the loop may wake a hair early.
    assert all(at >= k * 0.1 - 0.005 for k, at in enumerate(sent)), sent


def test_forgotten_chats_keep_the_table_small() -> None:
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep, max_chats=10, overall_per_s=1e9)
    _send_times(limiter, fake, list(range(10)))
    fake.now += 2  # every slot has passed
    _send_times(limiter, fake, [99])
    assert list(limiter._next_in_chat) == [99]
