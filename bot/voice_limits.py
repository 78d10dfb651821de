"""Checks on a voice note's declared size and duration, made before anything is downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class VoiceRefused:
    code: Literal["too_large", "too_long"]
    limit: float  # megabytes for too_large, seconds for too_long


def check_voice(
    size_bytes: int | None, duration_s: float, *, max_bytes: int, max_duration_s: float
) -> VoiceRefused | None:
    """None when the note may be fetched. An unknown size passes: the download re-checks it."""
    if size_bytes is not None and size_bytes > max_bytes:
        return VoiceRefused("too_large", max_bytes / (1024 * 1024))
    if duration_s > max_duration_s:
        return VoiceRefused("too_long", max_duration_s)
    return None
