"""The learners' keys on the real broker: one writer creates them, other processes' readers
find them, sealed values and state open with them, and shredding makes them unreadable."""

from __future__ import annotations

import pytest

from clients.keyring import STATE_PREFIX, Keyring, keys_topic, read_event
from clients.settings import KafkaConnection
from schemas.events import AnswerSubmitted, Transcript
from schemas.sealing import is_sealed
from schemas.serde import InvalidEvent, serialize
from schemas.topics import namespaced
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.topics import apply_topics
from tests.schemas.samples import SAMPLES

pytestmark = pytest.mark.stack


@pytest.fixture
def kafka(stack: StackSettings, unique: str) -> KafkaConnection:
    spec = [s for s in namespaced(f"{unique}-") if s.name == keys_topic(f"{unique}-")]
    apply_topics(admin(stack), spec, report=lambda _: None)
    return KafkaConnection(bootstrap_servers=stack.bootstrap_servers)


def _transcript(user_id: str) -> Transcript:
    sample = SAMPLES["transcript"]
    assert isinstance(sample, Transcript)
    return sample.model_copy(update={"user_id": user_id})


def test_a_key_made_by_the_writer_opens_in_another_reader_and_shredding_forgets_it(
    kafka: KafkaConnection, unique: str
) -> None:
    namespace = f"{unique}-"
    transcript = _transcript("u-keyring")
    plain = serialize(transcript)
    with Keyring(kafka, namespace, may_create=True) as writer:
        sealed = writer.seal(plain, "transcript", "u-keyring")
        assert is_sealed(sealed)
        assert transcript.text.encode() not in sealed
        # Events without personal text go out as they are.
        answer = serialize(SAMPLES["answer_submitted"])
        assert writer.seal(answer, "answer_submitted", "u-keyring") == answer
        # A reader started before the key was written catches up when it meets the value.
        with Keyring(kafka, namespace) as reader:
            assert read_event(Transcript, b"u-keyring", sealed, reader) == transcript
            assert read_event(AnswerSubmitted, b"u-keyring", answer, reader) is not None
            writer.shred("u-keyring")
            reader.catch_up()  # a reader learns of the shredding when it reads it
            assert read_event(Transcript, b"u-keyring", sealed, reader) is None
        # A reader started after the shredding never had the key.
        with Keyring(kafka, namespace) as later:
            assert later.key("u-keyring") is None
            assert read_event(Transcript, b"u-keyring", sealed, later) is None
            # Plain values (written before sealing) still read as they are.
            assert read_event(Transcript, b"u-keyring", plain, later) == transcript


def test_a_learner_back_after_erasure_gets_a_new_key_and_the_old_values_stay_unreadable(
    kafka: KafkaConnection, unique: str
) -> None:
    namespace = f"{unique}-"
    plain = serialize(_transcript("u-back"))
    with Keyring(kafka, namespace, may_create=True) as writer:
        before = writer.seal(plain, "transcript", "u-back")
        writer.shred("u-back")
        after = writer.seal(plain, "transcript", "u-back")
        with Keyring(kafka, namespace) as reader:
            assert read_event(Transcript, b"u-back", before, reader) is None
            assert read_event(Transcript, b"u-back", after, reader) is not None


def test_a_value_sealed_for_another_learner_never_reads_as_theirs_and_an_altered_one_is_invalid(
    kafka: KafkaConnection, unique: str
) -> None:
    namespace = f"{unique}-"
    with Keyring(kafka, namespace, may_create=True) as writer:
        writer.seal(b"{}", "transcript", "u-b")  # u-b has a key of their own
        theirs = writer.seal(serialize(_transcript("u-a")), "transcript", "u-a")
        assert read_event(Transcript, b"u-b", theirs, writer) is None
        altered = bytearray(theirs)
        altered[-1] ^= 1
        with pytest.raises(InvalidEvent, match="does not open"):
            read_event(Transcript, b"u-a", bytes(altered), writer)


def test_state_is_sealed_only_for_a_learner_with_a_key_and_forgotten_with_it(
    kafka: KafkaConnection, unique: str
) -> None:
    namespace = f"{unique}-"
    with Keyring(kafka, namespace, may_create=True) as writer:
        writer.seal(b"{}", "transcript", "u-state")
    with Keyring(kafka, namespace) as reader:
        # A reader may not create keys: a learner without one keeps plain state.
        assert reader.seal_state('{"n": 1}', "u-none") == '{"n": 1}'
        stored = reader.seal_state('{"n": 1}', "u-state")
        assert stored.startswith(STATE_PREFIX)
        assert '"n"' not in stored
        assert reader.open_state(stored, "u-state") == '{"n": 1}'
        assert reader.open_state('{"n": 2}', "u-state") == '{"n": 2}'
        reader.shred("u-state")
        assert reader.open_state(stored, "u-state") is None
