"""The learners' keys, from the compacted `learner-keys` topic (schemas/sealing.py says why).

Each record is keyed by the learner's id; its value is `{"user_id", "key", "created_at"}`
(the key in base64) and a tombstone shreds it. One writer creates keys: the transcription
flow, which is the first to write what a learner said (`may_create`); everyone else reads,
and a reader that meets a value sealed a moment ago catches up with the topic before it
concludes the key is gone. Keys live in memory only, like the topic's other readers'.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TypeVar

from confluent_kafka import Message

from clients.kafka import DeliveryFailed, producer
from clients.settings import KafkaConnection
from clients.table import TableNotLoaded, TopicTable
from schemas.events import Event
from schemas.sealing import (
    KEY_ID_BYTES,
    MAGIC,
    SEALED_EVENT_TYPES,
    LearnerKey,
    SealBroken,
    is_sealed,
    new_key,
    sealed_with,
)
from schemas.serde import ROOT, InvalidEvent, deserialize

log = logging.getLogger(__name__)

TOPIC = "learner-keys"
# Flow state is sealed as text: a prefix marks it, the context names it.
STATE = "state"
STATE_PREFIX = "sealed1:"
# Base64 characters enough to hold a sealed value's magic and key id.
_SEALED_HEAD = -(-(len(MAGIC) + KEY_ID_BYTES) // 3) * 4
# How long a reader waits for a key written a moment ago before taking it as erased.
CATCH_UP_S = 10.0
LOAD_S = 60.0
# A writer that may not create keys, sealing for a learner who has none (only plain events
# of theirs so far), asks the topic again only after this long.
MISS_S = 30.0


def keys_topic(namespace: str = "") -> str:
    return namespace + TOPIC


class Keyring:
    """`live`: it reads values as they are written, so a key it does not know may have been
    written a moment ago and is asked for. A reader of history bounded when it started (a
    replay) knows every key it needs once loaded, and never asks."""

    def __init__(
        self,
        kafka: KafkaConnection,
        namespace: str = "",
        *,
        may_create: bool = False,
        live: bool = True,
    ) -> None:
        self._kafka = kafka
        self._topic = keys_topic(namespace)
        self._may_create = may_create
        self._live = live
        self._keys: dict[str, LearnerKey] = {}
        self._misses: dict[str, float] = {}  # learner → when they were last found keyless
        self._lock = threading.Lock()
        self._table = TopicTable(kafka, self._topic, self._apply)
        self._table.wait_until_loaded(LOAD_S)
        self._writer = producer(kafka) if may_create else None

    def key(self, user_id: str) -> LearnerKey | None:
        """The learner's key; None when they have none (erased, or nothing sealed yet)."""
        with self._lock:
            found = self._keys.get(user_id)
        if found is not None:
            return found
        return self._caught_up(user_id)

    def catch_up(self, timeout_s: float = CATCH_UP_S) -> None:
        """Returns once every key written (or shredded) so far is known here."""
        self._table.catch_up(timeout_s)

    def _caught_up(self, user_id: str) -> LearnerKey | None:
        if not self._live:
            with self._lock:
                return self._keys.get(user_id)
        try:
            self.catch_up()  # written a moment ago by another process?
        except TableNotLoaded:
            log.warning("%s: not caught up; taking %s as having no key", self._topic, user_id)
        with self._lock:
            return self._keys.get(user_id)

    def seal(self, value: bytes, event_type: str, user_id: str) -> bytes:
        """An event's value as it goes on the wire: sealed when its type carries personal
        data and the learner has a key (the creating writer makes one)."""
        if event_type not in SEALED_EVENT_TYPES:
            return value
        key = self._key_for_sealing(user_id)
        return value if key is None else key.seal(value, user_id, event_type)

    def seal_state(self, value: str, user_id: str) -> str:
        """A flow's state of the learner as its store keeps it: sealed when they have a key,
        so erasing the key forgets it too (the store's changelog topic included)."""
        key = self._key_for_sealing(user_id)
        if key is None:
            return value
        sealed = key.seal(value.encode(), user_id, STATE)
        return STATE_PREFIX + base64.b64encode(sealed).decode()

    def open_state(self, value: str, user_id: str) -> str | None:
        """The state as stored; None when it was sealed with a key that is gone."""
        if not value.startswith(STATE_PREFIX):
            return value
        opened = self.open(base64.b64decode(value[len(STATE_PREFIX) :]), STATE, user_id)
        return None if opened is None else opened.decode()

    def still_opens_state(self, value: str, user_id: str) -> bool:
        """Whether a state stored as `value` is plain or sealed with the key the learner has
        now, read from its head alone (it says nothing of whether the rest is intact)."""
        if not value.startswith(STATE_PREFIX):
            return True
        head = base64.b64decode(value[len(STATE_PREFIX) : len(STATE_PREFIX) + _SEALED_HEAD])
        key = self.key(user_id)
        return key is not None and key.id == sealed_with(head)

    def _key_for_sealing(self, user_id: str) -> LearnerKey | None:
        with self._lock:
            found = self._keys.get(user_id)
            missed = self._misses.get(user_id)
        if found is not None:
            return found
        if self._may_create:
            return self._caught_up(user_id) or self._create(user_id)
        if missed is not None and time.monotonic() - missed < MISS_S:
            return None
        found = self._caught_up(user_id)
        if found is None:
            with self._lock:
                self._misses[user_id] = time.monotonic()
        return found

    def open(self, value: bytes, event_type: str, user_id: str) -> bytes | None:
        """An event's value off the wire; None when it is sealed with a key that is gone
        (the learner's key now, if they came back, is another)."""
        if not is_sealed(value):
            return value
        key = self.key(user_id)
        if key is not None and key.id != sealed_with(value):
            key = self._caught_up(user_id)  # the key known here may be one since replaced
        if key is None or key.id != sealed_with(value):
            return None
        return key.unseal(value, user_id, event_type)

    def shred(self, user_id: str) -> None:
        """Deletes the learner's key: everything sealed with it becomes unreadable."""
        self._write(user_id, None)
        with self._lock:
            self._keys.pop(user_id, None)

    def _create(self, user_id: str) -> LearnerKey:
        key = new_key()
        created = datetime.now(UTC).isoformat()
        record = {"user_id": user_id, "key": base64.b64encode(key).decode(), "created_at": created}
        self._write(user_id, json.dumps(record).encode())
        with self._lock:
            self._keys.setdefault(user_id, LearnerKey(key))
            return self._keys[user_id]

    def _write(self, user_id: str, value: bytes | None) -> None:
        writer = self._writer or producer(self._kafka)
        failures: list[str] = []
        writer.produce(
            self._topic, key=user_id.encode(), value=value,
            on_delivery=lambda error, _m: failures.append(str(error)) if error else None,
        )  # fmt: skip
        if writer.flush(30) > 0 or failures:
            raise DeliveryFailed(f"{self._topic}: {failures or 'not acknowledged in 30 s'}")

    def _apply(self, message: Message) -> None:
        user_id = (message.key() or b"").decode()
        value = message.value()
        with self._lock:
            self._misses.pop(user_id, None)
            if value is None:
                self._keys.pop(user_id, None)
                return
            try:
                self._keys[user_id] = LearnerKey(base64.b64decode(json.loads(value)["key"]))
            except (ValueError, KeyError, TypeError):
                log.warning("%s@%s: not a key record, skipped", self._topic, message.offset())

    def close(self) -> None:
        self._table.close()
        if self._writer is not None:
            self._writer.flush(10)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()


E = TypeVar("E", bound=Event)


def read_event(
    event_cls: type[E], key: bytes | None, value: bytes, keyring: Keyring | None
) -> E | None:
    """The event a record holds, opened with `keyring` when sealed; None when it is sealed
    with a key that is gone (the learner was erased). Raises InvalidEvent for anything else
    that cannot be read, a seal that does not open included."""
    if keyring is not None and key is not None:
        try:
            opened = keyring.open(value, event_cls.EVENT_TYPE, key.decode("utf-8", "replace"))
        except SealBroken as exc:
            raise InvalidEvent(event_cls.EVENT_TYPE, ROOT, str(exc)) from exc
        if opened is None:
            return None
        value = opened
    return deserialize(event_cls, value)
