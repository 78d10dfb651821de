"""Sealed values open only with the learner's key, for that learner and that event type."""

from __future__ import annotations

import pytest

from schemas.events import Transcript
from schemas.sealing import (
    SealBroken,
    is_sealed,
    key_id,
    new_key,
    seal,
    sealed_with,
    unseal,
)
from schemas.serde import InvalidEvent, deserialize, serialize
from tests.schemas.samples import SAMPLES

VALUE = b'{"text": "I walked my dog along the river"}'


def test_a_sealed_value_opens_with_its_key_and_hides_the_text() -> None:
    key = new_key()
    sealed = seal(VALUE, key, "u1", "transcript")
    assert is_sealed(sealed)
    assert not is_sealed(VALUE)
    assert b"river" not in sealed
    assert sealed_with(sealed) == key_id(key)
    assert unseal(sealed, key, "u1", "transcript") == VALUE
    # A fresh nonce each time: the same text never seals to the same bytes.
    assert seal(VALUE, key, "u1", "transcript") != sealed


@pytest.mark.parametrize(
    ("user", "event_type"), [("u2", "transcript"), ("u1", "feedback")], ids=["user", "type"]
)
def test_a_sealed_value_cannot_pass_for_another_learners_or_another_type(
    user: str, event_type: str
) -> None:
    key = new_key()
    with pytest.raises(SealBroken, match="does not open"):
        unseal(seal(VALUE, key, "u1", "transcript"), key, user, event_type)


def test_an_altered_value_or_another_key_does_not_open() -> None:
    key = new_key()
    sealed = bytearray(seal(VALUE, key, "u1", "transcript"))
    sealed[-1] ^= 1
    with pytest.raises(SealBroken):
        unseal(bytes(sealed), key, "u1", "transcript")
    with pytest.raises(SealBroken):
        unseal(seal(VALUE, key, "u1", "transcript"), new_key(), "u1", "transcript")


def test_a_reader_that_does_not_unseal_fails_loudly() -> None:
    transcript = SAMPLES["transcript"]
    assert isinstance(transcript, Transcript)
    sealed = seal(serialize(transcript), new_key(), transcript.user_id, "transcript")
    with pytest.raises(InvalidEvent):
        deserialize(Transcript, sealed)
