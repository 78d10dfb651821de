"""Read-your-own-writes: what this bot process just emitted, until the read models catch up.

The read models trail the events by a second or two. A learner who taps "English" and then
sends /question must not get Russian back, so the bot remembers, per learner, the language,
consent and last question it emitted, and prefers them over read-model rows written earlier.
A row written later wins: events of one learner are ordered (keyed by user_id), so a row
stamped after our write already reflects it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, TypeVar

from schemas.events.base import Language

T = TypeVar("T")


@dataclass(frozen=True)
class Stamped(Generic[T]):
    value: T
    at: datetime


@dataclass(frozen=True)
class OwnWrite:
    language: Stamped[Language] | None = None
    consent: Stamped[bool] | None = None
    last_question: Stamped[str] | None = None  # question id, stamped with asked_at


def newer(own: Stamped[T] | None, row: Stamped[T] | None) -> T | None:
    """Our write unless the read model's row is stamped later."""
    if own is None:
        return None if row is None else row.value
    if row is None or own.at >= row.at:
        return own.value
    return row.value


class OwnWrites:
    """A bounded, least-recently-written map of user id to what the bot emitted for them."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, OwnWrite] = OrderedDict()

    def get(self, user_id: str) -> OwnWrite:
        return self._entries.get(user_id, OwnWrite())

    def _put(self, user_id: str, entry: OwnWrite) -> None:
        self._entries[user_id] = entry
        self._entries.move_to_end(user_id)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def language_set(self, user_id: str, language: Language, at: datetime) -> None:
        self._put(user_id, replace(self.get(user_id), language=Stamped(language, at)))

    def consent_set(self, user_id: str, consent: bool, at: datetime) -> None:
        self._put(user_id, replace(self.get(user_id), consent=Stamped(consent, at)))

    def question_asked(self, user_id: str, question_id: str, at: datetime) -> None:
        self._put(user_id, replace(self.get(user_id), last_question=Stamped(question_id, at)))
