"""The expiry sweep against the real object store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from clients.objectstore import ObjectStore
from flows.retention.sweep import sweep
from stack.services.s3 import connection
from stack.settings import StackSettings

pytestmark = pytest.mark.stack


def test_leftovers_older_than_the_age_go_and_kept_recordings_stay(stack: StackSettings) -> None:
    store = ObjectStore(connection(stack))
    user = f"sweep-{uuid.uuid4().hex[:8]}"
    keys = [f"answers/{user}/a1.ogg", f"wav/{user}/a1.wav", f"kept/{user}/a0.wav"]
    for key in keys:
        store.put_bytes(key, b"RIFF", "audio/wav")
    now = datetime.now(UTC)

    assert [k for k in sweep(store, timedelta(hours=1), now) if user in k] == []  # too young
    later = now + timedelta(hours=2)
    swept = [k for k in sweep(store, timedelta(hours=1), later) if user in k]

    assert sorted(swept) == sorted(keys[:2])
    assert [store.exists(k) for k in keys] == [False, False, True]
    store.delete(keys[2])
