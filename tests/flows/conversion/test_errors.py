"""Rejection codes are the bot's localization keys: each is documented and well-formed."""

from __future__ import annotations

import re

import pytest

from flows.conversion import errors
from flows.conversion.errors import AudioRejected, RejectionCode


@pytest.mark.parametrize("code", list(RejectionCode))
def test_every_code_is_documented_and_fits_the_rejected_event(code: RejectionCode) -> None:
    assert errors.__doc__ is not None
    assert f"| `{code.value}`" in errors.__doc__
    assert re.fullmatch(r"[a-z][a-z0-9_]*", code.value)


def test_rejection_carries_code_message_and_detail() -> None:
    rejected = AudioRejected(RejectionCode.TOO_LONG, "Too long.", "probed 7200 s")
    assert rejected.code == "too_long"
    assert rejected.message == "Too long."
    assert rejected.detail == "probed 7200 s"
