"""Carrying out one erasure request, store by store, until nothing of the learner is left or
the deadline passes (docs/privacy.md).

The flows do the erasing as they read the request: the read-model flow deletes the rows and
shreds the key, the analytics flow deletes the ClickHouse rows, the retention flow the
recordings, and each flow with state forgets the learner. This process waits until the
flows with stores of their own have handled the request, then checks every store, removes
what is left (something of the learner's still on its way when a flow handled it), closes
the compacted topics' segments that still hold a value of theirs, and reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, get_args

from flows.erasure.stores import Held, Position
from schemas.events import ErasureCompleted, StoreChecked, UserEvent
from schemas.events.erasure_completed import Store

STORES: tuple[Store, ...] = get_args(Store)
REMAINING_CHARS = 2000


class LearnerStores(Protocol):
    def flows_behind(self, at: Position) -> list[str]: ...
    def keys(self, user_id: str) -> list[Held]: ...
    def topic_rows(self, user_id: str) -> list[Held]: ...
    def tombstone(self, held: list[Held]) -> None: ...
    def objects(self, user_id: str) -> list[str]: ...
    def delete_objects(self, user_id: str) -> None: ...
    def read_model_rows(self, user_id: str) -> list[str]: ...
    def analytics_rows(self, user_id: str) -> list[str]: ...
    def erase_analytics(self, user_id: str) -> None: ...


@dataclass(frozen=True)
class Pacing:
    timeout_s: float = 600.0  # then it reports what is left (complete: false)
    check_every_s: float = 2.0
    # A deleted value leaves a compacted topic's log once its segment is closed: by a record
    # arriving after segment.ms (10 s in redpanda/topics.yaml), so a little more.
    roll_every_s: float = 11.0
    # ClickHouse deletes in the background (a mutation); asked again if rows stay that long.
    erase_every_s: float = 30.0


@dataclass
class _Progress:
    started: float
    clean_since: dict[Store, float]
    found: dict[Store, list[str]]
    last_roll: float
    last_erase: float | None = None

    def record(self, found: dict[Store, list[str]], at: float) -> None:
        self.found = found
        for store, items in found.items():
            if items:
                self.clean_since.pop(store, None)
            else:
                self.clean_since.setdefault(store, at)

    @property
    def clean(self) -> bool:
        return not any(self.found.values())


def carry_out(
    request: UserEvent,
    at: Position,
    stores: LearnerStores,
    pacing: Pacing,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ErasureCompleted:
    """Waits for the flows, checks and remedies every store; what each held in the end."""
    user = request.user_id
    started = clock()
    progress = _Progress(started, {}, {}, last_roll=started)
    while True:
        behind = stores.flows_behind(at)
        keys, rows = stores.keys(user), stores.topic_rows(user)
        objects = stores.objects(user)
        analytics = stores.analytics_rows(user)
        found: dict[Store, list[str]] = {
            "flows": [f"{flow} has not handled the request" for flow in behind],
            "learner_keys": [str(h) for h in keys],
            "objects": objects,
            "read_model_topics": [str(h) for h in rows],
            "read_models": stores.read_model_rows(user),
            "analytics": analytics,
        }
        now = clock()
        progress.record(found, now)
        if progress.clean or now - started >= pacing.timeout_s:
            break
        if not behind:  # before that, the flows' own erasing is still to come
            if objects:
                stores.delete_objects(user)
            if analytics and (
                progress.last_erase is None or now - progress.last_erase >= pacing.erase_every_s
            ):
                stores.erase_analytics(user)
                progress.last_erase = now
            if (keys or rows) and now - progress.last_roll >= pacing.roll_every_s:
                stores.tombstone(keys + rows)
                progress.last_roll = now
        sleep(pacing.check_every_s)
    return _completed(request, progress, clock())


def _completed(request: UserEvent, progress: _Progress, now: float) -> ErasureCompleted:
    def checked(store: Store) -> StoreChecked:
        since = progress.clean_since.get(store)
        items = progress.found.get(store, [])
        return StoreChecked(
            store=store,
            clean=not items,
            seconds=round((now if since is None else since) - progress.started, 3),
            remaining="; ".join(items)[:REMAINING_CHARS] if items else None,
        )

    return ErasureCompleted(
        event_id=f"erased-{request.event_id}",
        occurred_at=datetime.now(UTC),
        user_id=request.user_id,
        request_event_id=request.event_id,
        requested_at=request.occurred_at,
        # 0: an erasure asked for by an operator for a learner without a Telegram chat.
        chat_id=request.chat_id or None,
        language=request.language or "en",
        complete=progress.clean,
        stores=tuple(checked(store) for store in STORES),
    )
