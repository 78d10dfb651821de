"""Carrying out an erasure (pure: the stores in memory, the clock simulated)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flows.erasure.process import STORES, Pacing, carry_out
from flows.erasure.stores import Held, Position
from schemas.events import UserEvent

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PACING = Pacing(timeout_s=120, check_every_s=1, roll_every_s=11, erase_every_s=30)
REQUEST = UserEvent(
    event_id="tg-forget-1", occurred_at=AT, user_id="7", kind="erasure_requested", chat_id=70,
    language="ru",
)  # fmt: skip
KEY = Held("learner-keys", b"7", 3)
ROW = Held("rm_scores", b'{"payload": {"user_id": "7", "answer_id": "a1"}}', 9)


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class MemoryStores:
    """What each store holds of learner 7; the flows handle the request at `handled_at`."""

    clock: Clock
    handled_at: float = 5.0
    held: list[Held] = field(default_factory=lambda: [KEY, ROW])
    stored: list[str] = field(default_factory=lambda: ["wav/7/a1.wav"])
    rows: list[str] = field(default_factory=lambda: ["rm_scores: 1 rows"])
    analytics: list[str] = field(default_factory=lambda: ["answers: 2 rows"])
    erase_takes_s: float = 40.0  # ClickHouse's mutation, until the rows are gone
    calls: list[tuple[float, str]] = field(default_factory=list)
    erase_asked: float | None = None

    def flows_behind(self, at: Position) -> list[str]:
        assert at == Position(1, 41)
        if self.clock.now >= self.handled_at:
            self.rows = []  # the read-model flow's deletions reached Postgres
            return []
        return ["readmodels"]

    def keys(self, user_id: str) -> list[Held]:
        assert user_id == "7"
        return [h for h in self.held if h.topic == "learner-keys"]

    def topic_rows(self, user_id: str) -> list[Held]:
        assert user_id == "7"
        return [h for h in self.held if h.topic != "learner-keys"]

    def tombstone(self, held: list[Held]) -> None:
        self.calls.append((self.clock.now, f"tombstone {len(held)}"))
        # The first closes the segments; compaction has run by the second.
        if sum(1 for _, c in self.calls if c.startswith("tombstone")) >= 2:
            self.held = []

    def objects(self, user_id: str) -> list[str]:
        assert user_id == "7"
        return self.stored

    def delete_objects(self, user_id: str) -> None:
        assert user_id == "7"
        self.calls.append((self.clock.now, "delete objects"))
        self.stored = []

    def read_model_rows(self, user_id: str) -> list[str]:
        assert user_id == "7"
        return self.rows

    def analytics_rows(self, user_id: str) -> list[str]:
        assert user_id == "7"
        if self.erase_asked is not None and self.clock.now - self.erase_asked >= self.erase_takes_s:
            self.analytics = []
        return self.analytics

    def erase_analytics(self, user_id: str) -> None:
        assert user_id == "7"
        self.calls.append((self.clock.now, "erase analytics"))
        if self.erase_asked is None:
            self.erase_asked = self.clock.now


def test_leftovers_are_removed_only_once_the_flows_have_handled_the_request() -> None:
    clock = Clock()
    stores = MemoryStores(clock)
    done = carry_out(REQUEST, Position(1, 41), stores, PACING, clock=clock, sleep=clock.sleep)

    assert done.complete
    assert (done.user_id, done.request_event_id, done.chat_id, done.language) == (
        "7", "tg-forget-1", 70, "ru",
    )  # fmt: skip
    # Nothing is touched while the flows are still to erase (t < 5); then the leftover object
    # goes at once, compacted values are tombstoned once per roll interval (11 s since the
    # start, then 11 s later), and ClickHouse is asked again after 30 s.
    assert stores.calls == [
        (5.0, "delete objects"),
        (5.0, "erase analytics"),
        (11.0, "tombstone 2"),
        (22.0, "tombstone 2"),
        (35.0, "erase analytics"),
    ]
    seconds = {s.store: s.seconds for s in done.stores}
    assert seconds == {
        "flows": 5.0,
        "learner_keys": 23.0,
        "objects": 6.0,
        "read_model_topics": 23.0,
        "read_models": 5.0,
        "analytics": 45.0,
    }
    assert [s.store for s in done.stores] == list(STORES)
    assert all(s.clean and s.remaining is None for s in done.stores)


def test_what_is_still_there_at_the_deadline_is_reported() -> None:
    clock = Clock()
    stores = MemoryStores(clock, handled_at=float("inf"))
    done = carry_out(REQUEST, Position(1, 41), stores, PACING, clock=clock, sleep=clock.sleep)

    assert not done.complete
    assert stores.calls == []  # the read-model flow never handled it: nothing to remedy
    by_store = {s.store: s for s in done.stores}
    assert by_store["flows"].remaining == "readmodels has not handled the request"
    assert by_store["flows"].seconds == 120
    assert by_store["learner_keys"].remaining == "learner-keys@3"
    assert by_store["analytics"].remaining == "answers: 2 rows"


def test_an_operators_request_for_a_learner_without_a_chat_tells_no_one() -> None:
    clock = Clock()
    request = REQUEST.model_copy(update={"chat_id": 0, "language": None})
    stores = MemoryStores(clock, handled_at=0, held=[], stored=[], rows=[], analytics=[])
    done = carry_out(request, Position(1, 41), stores, PACING, clock=clock, sleep=clock.sleep)
    assert (done.complete, done.chat_id, done.language) == (True, None, "en")
    assert {s.seconds for s in done.stores} == {0.0}
