"""The expiry sweep: what a crash or a lost event left in storage is removed after a while.

Uploads (`answers/`) and converted WAVs (`wav/`) live seconds to minutes: conversion
deletes the upload, the retention flow the WAV once the answer is graded. Anything there
older than `max_age` was left behind, and is deleted; `kept/` (recordings a learner chose
to keep) is never swept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from clients.objectstore import ObjectStore

TRANSIENT = ("answers/", "wav/")


def sweep(store: ObjectStore, max_age: timedelta, now: datetime) -> list[str]:
    """Deletes transient objects last modified before `now - max_age`; the keys deleted."""
    cutoff = now - max_age
    expired = [
        key for prefix in TRANSIENT for key, modified in store.listing(prefix) if modified < cutoff
    ]
    for key in expired:
        store.delete(key)
    return expired
