"""The Kafka service's cluster id is one the storage tool accepts."""

from __future__ import annotations

import base64
from collections.abc import Iterator

from stack.services.kafka import cluster_id

# 0xf8 puts "111110" (base64 "-") first; the storage tool read such an id as an option.
_DASH_FIRST = bytes([0xF8]) + bytes(15)
_PLAIN = bytes(range(16))


def _draws(*values: bytes) -> Iterator[bytes]:
    yield from values


def test_an_id_that_would_start_with_a_dash_is_drawn_again() -> None:
    assert base64.urlsafe_b64encode(_DASH_FIRST).decode().startswith("-")
    draws = _draws(_DASH_FIRST, _DASH_FIRST, _PLAIN)

    chosen = cluster_id(lambda: next(draws))

    assert chosen == base64.urlsafe_b64encode(_PLAIN).decode().rstrip("=")
    assert len(chosen) == 22


def test_random_ids_never_start_with_a_dash() -> None:
    ids = {cluster_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert not any(i.startswith("-") for i in ids)
