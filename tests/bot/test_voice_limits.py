"""A voice note is refused on its declared size or duration, before any download."""

from __future__ import annotations

from functools import partial

from bot.voice_limits import VoiceRefused, check_voice

MB = 1024 * 1024


def test_limits() -> None:
    check = partial(check_voice, max_bytes=20 * MB, max_duration_s=300.0)
    assert check(20 * MB, 300) is None  # both limits are inclusive
    assert check(None, 10) is None  # unknown size: checked again after getFile and download
    assert check(20 * MB + 1, 10) == VoiceRefused("too_large", 20.0)
    assert check(1000, 301) == VoiceRefused("too_long", 300.0)
    # Both exceeded: size first, it is the one that makes the download impossible.
    assert check(30 * MB, 400) == VoiceRefused("too_large", 20.0)
