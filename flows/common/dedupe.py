"""Effectively-once: a stage handles each answer once, however often its input repeats.

Per learner, the ids of the latest `REMEMBERED` answers are kept: an input delivered again
after that many newer answers of the same learner would be handled twice. Redeliveries come
from a producer or a flow resuming at its last checkpoint, seconds behind, far inside that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

REMEMBERED = 64


def first_sighting(
    ident: Callable[[T], str],
) -> Callable[[tuple[str, ...] | None, T], tuple[tuple[str, ...], list[T]]]:
    """A `stateful_flat_map` mapper (state: this learner's latest ids) passing each id once."""

    def mapper(seen: tuple[str, ...] | None, item: T) -> tuple[tuple[str, ...], list[T]]:
        seen = seen or ()
        key = ident(item)
        if key in seen:
            return seen, []
        return (*seen, key)[-REMEMBERED:], [item]

    return mapper
