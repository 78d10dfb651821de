from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from schemas.events import AnswerSubmitted, Event
from schemas.registry import EVENT_TYPES, load_schema
from schemas.serde import InvalidEvent, deserialize, serialize, serialize_key
from tests.schemas.evolved import AnswerSubmittedV2
from tests.schemas.samples import SAMPLES, USER


def wire(event_type: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(serialize(SAMPLES[event_type]))
    return payload


def refuse(event_type: str, data: bytes) -> InvalidEvent:
    with pytest.raises(InvalidEvent) as caught:
        deserialize(EVENT_TYPES[event_type], data)
    assert caught.value.event_type == event_type
    return caught.value


@pytest.mark.parametrize("event", SAMPLES.values(), ids=list(SAMPLES))
def test_round_trip(event: Event) -> None:
    data = serialize(event)

    assert deserialize(type(event), data) == event
    # Compact: re-encoding without whitespace gives the same bytes.
    assert data == json.dumps(json.loads(data), separators=(",", ":"), ensure_ascii=False).encode()
    assert json.loads(data)["occurred_at"] == "2025-03-14T09:26:53.589793Z"
    assert serialize_key(event) == USER.encode()


def test_non_ascii_text_is_utf8_on_the_wire() -> None:
    event = SAMPLES["rejected"].model_copy(update={"message": "Запись повреждена"})

    data = serialize(event)

    assert "Запись повреждена".encode() in data
    assert deserialize(type(event), data) == event


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = payload
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = payload
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


INVALID = [
    ("answer_submitted", _set("size_bytes", -1), "size_bytes", "-1 is less than the minimum of 0"),
    ("answer_submitted", _set("size_bytes", "48213"), "size_bytes", "is not of type 'integer'"),
    ("answer_submitted", _set("declared_duration_s", -0.5), "declared_duration_s", "minimum"),
    ("answer_submitted", _delete("answer_id"), "answer_id", "'answer_id' is a required property"),
    ("answer_submitted", _set("colour", "red"), "colour", "'colour' was unexpected"),
    ("answer_submitted", _set("source", "email"), "source", "'email' is not one of"),
    ("feedback", _set("metrics.words_per_minute", -3), "metrics.words_per_minute", "minimum"),
    ("feedback", _delete("metrics.words"), "metrics.words", "is a required property"),
    ("feedback", _set("metrics.bogus", 1), "metrics.bogus", "'bogus' was unexpected"),
    ("feedback", _set("scores.overall", 4.5), "scores.overall", "maximum of 4"),
    ("transcript", _set("words.1.start_s", "0.2"), "words.1.start_s", "not of type 'number'"),
    ("question_asked", _set("chat_id", None), "chat_id", "None is not of type 'integer'"),
    ("question_asked", _set("asked_at", "2025-03-14T09:26:53"), "asked_at", "RFC 3339"),
    ("user_event", _set("occurred_at", "2025-03-14T09:26:53"), "occurred_at", "in UTC"),
    # The wire carries UTC only; offsets are normalised by producers, not consumers.
    ("user_event", _set("occurred_at", "2025-03-14T12:26:53+03:00"), "occurred_at", "in UTC"),
    # Matches the pattern, fails the calendar: only the model can tell.
    ("user_event", _set("occurred_at", "2025-02-30T00:00:00Z"), "occurred_at", "datetime"),
    ("audio_converted", _set("pauses.0.end_s", 1.0), "pauses.0", "end_s must not precede"),
    ("answer_submitted", _set("update_id", None), "<root>", "needs update_id and chat_id"),
    ("answer_submitted", _delete("schema_version"), "schema_version", "required property"),
    ("answer_submitted", _set("schema_version", 2), "schema_version", "2 is not a version"),
    ("answer_submitted", _set("schema_version", "1"), "schema_version", "'1' is not a version"),
    ("answer_submitted", _set("schema_version", True), "schema_version", "True is not a version"),
]


@pytest.mark.parametrize(
    ("event_type", "mutate", "field", "message"),
    INVALID,
    ids=[f"{case[0]}-{case[2]}-{i}" for i, case in enumerate(INVALID)],
)
def test_invalid_payload_is_refused_naming_the_field(
    event_type: str, mutate: Callable[[dict[str, Any]], None], field: str, message: str
) -> None:
    payload = wire(event_type)
    mutate(payload)

    error = refuse(event_type, json.dumps(payload).encode())

    assert error.field == field
    assert message in error.message
    where = event_type if field == "<root>" else f"{event_type}.{field}"
    assert str(error) == f"{where}: {error.message}"


def test_negative_size_message_is_exact() -> None:
    payload = wire("answer_submitted") | {"size_bytes": -1}

    error = refuse("answer_submitted", json.dumps(payload).encode())

    assert str(error) == "answer_submitted.size_bytes: -1 is less than the minimum of 0"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    "data",
    [b"{not json", b"", b"\xff\xfe{}", b"[1, 2]", b'"text"', b'{"size_bytes": NaN}'],
    ids=["syntax", "empty", "not-utf8", "array", "string", "nan"],
)
def test_bad_json_is_refused_at_the_root(data: bytes) -> None:
    error = refuse("answer_submitted", data)

    assert error.field == "<root>"
    assert str(error).startswith("answer_submitted: ")


def test_an_event_cannot_be_built_breaking_its_schema() -> None:
    """`serialize` writes what was validated when built: there is no way to build it invalid."""
    valid = SAMPLES["answer_submitted"]
    fields = valid.model_dump() | {"size_bytes": -1}
    with pytest.raises(ValidationError, match="size_bytes"):
        AnswerSubmitted(**fields)
    with pytest.raises(ValidationError, match="size_bytes"):
        valid.model_copy(update={"size_bytes": -1})
    with pytest.raises(TypeError, match="validated when built"):
        AnswerSubmitted.model_construct(**fields)


def test_newer_reader_upgrades_an_older_payload() -> None:
    v1 = SAMPLES["answer_submitted"]

    read = deserialize(AnswerSubmittedV2, serialize(v1))

    assert read.schema_version == 2
    assert read.codec is None
    assert read.model_dump(exclude={"schema_version", "codec"}) == v1.model_dump(
        exclude={"schema_version"}
    )


def test_older_payload_is_validated_against_its_own_version() -> None:
    # codec exists in v2 only, so a payload claiming v1 may not carry it.
    payload = wire("answer_submitted") | {"codec": "opus"}

    with pytest.raises(InvalidEvent) as caught:
        deserialize(AnswerSubmittedV2, json.dumps(payload).encode())

    assert caught.value.field == "codec"


def test_version_without_committed_schema_is_refused() -> None:
    payload = wire("answer_submitted") | {"schema_version": 2}

    with pytest.raises(InvalidEvent) as caught:
        deserialize(AnswerSubmittedV2, json.dumps(payload).encode())

    assert caught.value.field == "schema_version"
    assert "no committed schema" in caught.value.message


KINDS: tuple[object, ...] = (None, "x", -1, 1.5, 1.0, 0, True, [], {}, "2025-03-14T09:26:53Z")


def _mutations(payload: Any) -> Iterator[Any]:
    """The payload with each value anywhere in it removed, or replaced by a value of another
    kind, and with an unexpected key in each object."""
    yield payload
    if isinstance(payload, dict):
        yield {**payload, "unexpected": 1}
        for name, value in payload.items():
            yield {k: v for k, v in payload.items() if k != name}
            for kind in KINDS:
                yield {**payload, name: kind}
            for inner in _mutations(value):
                if inner is not value:
                    yield {**payload, name: inner}
    elif isinstance(payload, list) and payload:
        for inner in _mutations(payload[0]):
            if inner is not payload[0]:
                yield [inner, *payload[1:]]


# What is refused although the schema admits it: the models' own rules (validators, which
# pydantic reports as "Value error, ..."), and integers written as 1.0 (JSON Schema takes
# 1.0 for an integer and for the version's const 1; no producer writes it).
BEYOND_THE_SCHEMA = ("Value error, ", "is not a version", "valid integer")


@pytest.mark.parametrize("event", SAMPLES.values(), ids=list(SAMPLES))
def test_the_model_refuses_whatever_the_committed_schema_refuses(event: Event) -> None:
    """The model's strict validation decides on the hot path: it must refuse everything the
    committed schema refuses, and admit what the schema admits but for its own rules."""
    reference = Draft202012Validator(load_schema(event.EVENT_TYPE, event.SCHEMA_VERSION))
    checked = 0
    for payload in _mutations(json.loads(serialize(event))):
        data = json.dumps(payload).encode()
        try:
            deserialize(type(event), data)
            accepted, reason = True, ""
        except InvalidEvent as refusal:
            accepted, reason = False, refusal.message
        if not reference.is_valid(payload):
            assert not accepted, payload
        elif not accepted:
            assert any(rule in reason for rule in BEYOND_THE_SCHEMA), (reason, payload)
        checked += 1
    assert checked > 50
