"""Effectively-once: a stage handles each answer once, however often its input repeats."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def first_sighting(
    ident: Callable[[T], str],
) -> Callable[[set[str] | None, T], tuple[set[str], list[T]]]:
    """A `stateful_flat_map` mapper (state: ids seen for this key) passing each id once."""

    def mapper(seen: set[str] | None, item: T) -> tuple[set[str], list[T]]:
        seen = set() if seen is None else seen
        key = ident(item)
        if key in seen:
            return seen, []
        seen.add(key)
        return seen, [item]

    return mapper
