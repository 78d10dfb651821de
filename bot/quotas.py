"""Per-learner allowances on what one learner asks of the bot: voice notes, /stats renders.

Not `bot/ratelimit.py`: that one spaces the bot's *outgoing* messages within Telegram's API
limits and never refuses anything; a quota refuses a learner's *incoming* request beyond
their allowance, so one learner cannot make the bot download, store, grade or render
without bound. Counts are kept per learner (user id, not chat) in this process's memory:
a restart forgets them, and replicas would each count their own share of the updates.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from bot.i18n import Texts


class Window(IntEnum):
    """The span a limit counts over, in seconds; its name keys the learner's text."""

    MINUTE = 60
    HOUR = 3600


@dataclass(frozen=True)
class Limit:
    count: int  # requests admitted per window
    window: Window


@dataclass(frozen=True)
class OverLimit:
    """A refused request: the limit it would exceed, and when the learner may ask again."""

    limit: Limit
    retry_after_s: float


def over_limit(admitted: Sequence[float], now: float, limits: Sequence[Limit]) -> OverLimit | None:
    """The limit one more request at `now` would exceed, or None to admit it.

    `admitted` are the times of the requests admitted before, oldest first. When several
    limits are full, the one that frees up last is named: only then may the learner ask.
    """
    worst: OverLimit | None = None
    for limit in limits:
        recent = [at for at in admitted if at > now - limit.window]
        if len(recent) < limit.count:
            continue
        # A slot frees up when the oldest of the last `count` requests leaves the window.
        wait = recent[-limit.count] + limit.window - now
        if worst is None or wait > worst.retry_after_s:
            worst = OverLimit(limit, wait)
    return worst


class Quota:
    """Admits a learner's requests within every limit; refused requests are not counted."""

    def __init__(
        self,
        limits: Sequence[Limit],
        *,
        clock: Callable[[], float] = time.monotonic,
        max_learners: int = 100_000,
    ) -> None:
        if not limits:
            raise ValueError("a quota needs at least one limit")
        self.limits = tuple(limits)
        self._clock = clock
        self._span = max(limit.window for limit in limits)
        self._forget_above = max_learners
        self._max_learners = max_learners
        # Per learner, the admitted requests (time, request id) within the longest window.
        self._admitted: dict[str, deque[tuple[float, str]]] = {}

    def take(self, learner_id: str, request_id: str) -> OverLimit | None:
        """None when the request is admitted (and counted), else why it is refused.

        A request already admitted is admitted again without being counted twice: a
        re-delivered update (same id) must not use up the learner's allowance.
        """
        now = self._clock()
        admitted = self._admitted.setdefault(learner_id, deque())
        while admitted and admitted[0][0] <= now - self._span:
            admitted.popleft()
        if any(request == request_id for _, request in admitted):
            return None
        refused = over_limit([at for at, _ in admitted], now, self.limits)
        if refused is None:
            admitted.append((now, request_id))
        if len(self._admitted) > self._forget_above:
            self._forget_idle(now)
        return refused

    def _forget_idle(self, now: float) -> None:
        # A learner with nothing admitted within the longest window constrains nothing.
        self._admitted = {
            learner: admitted
            for learner, admitted in self._admitted.items()
            if admitted and admitted[-1][0] > now - self._span
        }
        # So many learners active at once: scan again only once their number has doubled.
        self._forget_above = max(self._max_learners, 2 * len(self._admitted))

    def __len__(self) -> int:
        """Learners remembered."""
        return len(self._admitted)


def wait_text(seconds: float, t: Texts) -> str:
    """How long until the learner may ask again: whole seconds under a minute, else minutes,
    always rounded up so that asking again after it is admitted."""
    if seconds <= 59:
        return t("limits.wait.seconds", n=max(1, math.ceil(seconds)))
    return t("limits.wait.minutes", n=math.ceil(seconds / 60))


def window_text(window: Window, t: Texts) -> str:
    return t(f"limits.window.{window.name.lower()}")
