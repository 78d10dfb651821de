"""Sealed values: a learner's personal text encrypted with their own key (crypto-shredding).

Kafka topics are immutable logs, so a learner's transcripts cannot be deleted from them.
Instead, the value of every event that carries what a learner said (or how they did) is
sealed on the wire with a key of that learner's alone (AES-256-GCM), kept in the compacted
`learner-keys` topic. Erasure deletes the key: every sealed value of theirs, in every
topic and every replay from the beginning, is then unreadable.

A sealed value is `MAGIC + key id + nonce + ciphertext`; its additional authenticated data
is the learner's id and the event type, so a value cannot be passed off as another
learner's or another kind of event. The key id (a digest of the key) tells a value sealed
with a key since shredded from one that was altered: a learner who comes back after erasure
gets a new key, and what the old one sealed stays unreadable rather than broken.

A value without the prefix is plain JSON (events written before sealing, and test
fixtures): read as it is.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# Not JSON: a reader that does not unseal fails loudly rather than misreading it.
MAGIC = b"\x00sealed1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID_BYTES = 8

# The event types whose values are sealed: what the learner said and how they did.
SEALED_EVENT_TYPES = frozenset({"transcript", "feedback", "word_stats", "progress"})


class SealBroken(ValueError):
    """A sealed value that does not open with the learner's key: altered, or another's."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def is_sealed(value: bytes) -> bool:
    return value.startswith(MAGIC)


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES]


def sealed_with(value: bytes) -> bytes:
    """The id of the key a sealed value was sealed with."""
    return value[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]


def _context(user_id: str, event_type: str) -> bytes:
    return f"{user_id}\x00{event_type}".encode()


class LearnerKey:
    """A learner's key ready for use: its id and its cipher are made once, not per value
    (they cost as much as sealing a small value)."""

    __slots__ = ("_cipher", "id")

    def __init__(self, key: bytes) -> None:
        self.id = key_id(key)
        self._cipher = AESGCM(key)

    def seal(self, value: bytes, user_id: str, event_type: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, value, _context(user_id, event_type))
        return MAGIC + self.id + nonce + sealed

    def unseal(self, value: bytes, user_id: str, event_type: str) -> bytes:
        body = value[len(MAGIC) + KEY_ID_BYTES :]
        nonce, ciphertext = body[:NONCE_BYTES], body[NONCE_BYTES:]
        try:
            return self._cipher.decrypt(nonce, ciphertext, _context(user_id, event_type))
        except InvalidTag as exc:
            raise SealBroken(f"a sealed {event_type} of {user_id} does not open") from exc


def seal(value: bytes, key: bytes, user_id: str, event_type: str) -> bytes:
    return LearnerKey(key).seal(value, user_id, event_type)


def unseal(value: bytes, key: bytes, user_id: str, event_type: str) -> bytes:
    return LearnerKey(key).unseal(value, user_id, event_type)
