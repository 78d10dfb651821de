"""The states a Quix flow process last wrote, parsed, beside the text it stored.

A learner's state lives in the state store as (sealed) JSON text, and opening and parsing it
again on each of their events cost as much as the step itself. While the store returns the
very text this process wrote last for the learner, the state it holds is the one kept here:
the text is compared whole, and a sealed text is new each time (a fresh nonce), so an equal
text is that write. Any other text (a changelog restored after a rebalance, a rebuild's seed)
is opened and parsed as before, and so is a text sealed with a key the learner no longer has:
erasure forgets the state as it did (`Keyring.still_opens_state`).

Bounded: the texts kept add up to at most `HELD_CHARS` characters (the parsed states take a
few times that), the least recently written dropped first; a dropped learner's next event
opens their state from the store.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from clients.keyring import Keyring

S = TypeVar("S")

HELD_CHARS = 16_000_000


class StateCache(Generic[S]):
    def __init__(self, keyring: Keyring | None, held_chars: int = HELD_CHARS) -> None:
        self._keyring = keyring
        self._held_chars = held_chars
        self._chars = 0
        self._states: dict[str, tuple[str, S]] = {}  # learner → (text stored, its state)

    def get(self, user_id: str, stored: str) -> S | None:
        """The state `stored` holds, if this process wrote it last and it still opens."""
        held = self._states.get(user_id)
        if held is None or held[0] != stored:
            return None
        if self._keyring is not None and not self._keyring.still_opens_state(stored, user_id):
            self._drop(user_id)
            return None
        return held[1]

    def put(self, user_id: str, stored: str, state: S) -> None:
        """Remembers the text just stored for the learner and the state it holds."""
        self._drop(user_id)
        self._states[user_id] = (stored, state)
        self._chars += len(stored)
        while self._chars > self._held_chars:
            self._drop(next(iter(self._states)))  # dicts keep insertion order: the oldest

    def _drop(self, user_id: str) -> None:
        held = self._states.pop(user_id, None)
        if held is not None:
            self._chars -= len(held[0])
