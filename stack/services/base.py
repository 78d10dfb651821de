"""What the launcher needs to know about one service."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field


class ServiceUnhealthy(Exception):
    """A health probe's answer: the service is not (yet) ready, and why."""


def run_as_user(name: str) -> str | None:
    """The account a service that refuses root runs under, when we are root."""
    return name if os.geteuid() == 0 else None


@dataclass(frozen=True)
class Service:
    name: str
    address: str
    # Every port the service binds, labelled, so a taken one can be named.
    ports: dict[str, int]
    command: list[str]
    # Idempotent first-run work before the process starts: configs, initdb, storage format.
    prepare: Callable[[], None]
    # Raises ServiceUnhealthy until the service answers as its clients will use it.
    probe: Callable[[], None]
    # Idempotent work once healthy: databases, buckets.
    bootstrap: Callable[[], None] = lambda: None
    after: tuple[str, ...] = ()
    user: str | None = None
    stopsignal: str = "TERM"
    stopwaitsecs: int = 30
    # Seconds a process must stay up before supervisord calls it RUNNING.
    startsecs: int = 1
    environment: dict[str, str] = field(default_factory=dict)
