"""The boundary: events become bytes and bytes become events only through the committed schemas.

Each direction checks an event once. On the way out, an event was validated when it was
built (`schemas.events.base.Event`: frozen, and copies are validated too), so `serialize`
only writes it. On the way in, pydantic's strict JSON validation of the model decides:
the committed JSON Schemas are exported from the same models, and tests hold the two to
the same verdicts. Only a refused payload takes the slow path, where the committed schema
of the payload's own version names the field at fault, and older versions are read.
"""

from __future__ import annotations

import functools
import json
from typing import Any, NoReturn, TypeVar

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from pydantic import ValidationError

from schemas.events import Event
from schemas.events.base import UTC_DATETIME_PATTERN
from schemas.export import build_schema
from schemas.registry import load_schema

E = TypeVar("E", bound=Event)

ROOT = "<root>"


class InvalidEvent(ValueError):
    """A payload or event that breaks its contract; `field` is a dotted JSON path or '<root>'."""

    def __init__(self, event_type: str, field: str, message: str) -> None:
        self.event_type = event_type
        self.field = field
        self.message = message
        where = event_type if field == ROOT else f"{event_type}.{field}"
        super().__init__(f"{where}: {message}")


@functools.cache
def _validator(event_type: str, version: int) -> Draft202012Validator:
    return Draft202012Validator(load_schema(event_type, version))


def _error_field(error: SchemaError) -> str:
    path = [str(part) for part in error.absolute_path]
    # These two report the object, not the key at fault; name the key.
    instance, value, schema = error.instance, error.validator_value, error.schema
    if error.validator == "required" and isinstance(instance, dict) and isinstance(value, list):
        missing = [name for name in value if name not in instance]
        path.append(next((n for n in missing if error.message.startswith(repr(n))), missing[0]))
    elif error.validator == "additionalProperties" and isinstance(instance, dict):
        known = schema.get("properties", {}) if isinstance(schema, dict) else {}
        path.append(next(name for name in instance if name not in known))
    return ".".join(path) or ROOT


def _check(event_type: str, version: int, payload: Any) -> None:
    """Validates against the committed schema, naming the field at fault on a refusal."""
    error = best_match(_validator(event_type, version).iter_errors(payload))
    if error is None:
        return
    message = error.message
    # The regex says nothing to a reader; say what it stands for.
    if error.validator == "pattern" and error.validator_value == UTC_DATETIME_PATTERN:
        message = f"{error.instance!r} is not an RFC 3339 date-time in UTC (Z or +00:00)"
    raise InvalidEvent(event_type, _error_field(error), message)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def serialize(event: Event) -> bytes:
    """Compact UTF-8 JSON of an event (validated when it was built)."""
    return event.__pydantic_serializer__.to_json(event)


def serialize_key(event: Event) -> bytes:
    """The Kafka key: the learner's id."""
    return event.key()


def deserialize(event_cls: type[E], data: bytes) -> E:
    """The event a payload holds, validated once; `InvalidEvent` names what is wrong.

    A payload of an older committed version is read into the current model: the
    compatibility rule (new versions only add optional properties) makes that lossless.
    """
    if _model_is_committed(event_cls):
        try:
            event = event_cls.model_validate_json(data, strict=True)
        except ValidationError as refusal:
            return _read_refused(event_cls, data, refusal)
        # The model has a default for the version; on the wire it is required.
        if "schema_version" in event.model_fields_set:
            return event
    return _read_refused(event_cls, data, None)


@functools.cache
def _model_is_committed(event_cls: type[Event]) -> bool:
    """Whether the model states exactly its committed schema, so its validation can stand in
    for the schema's (`python -m schemas.export --check` keeps it so)."""
    try:
        committed = load_schema(event_cls.EVENT_TYPE, event_cls.SCHEMA_VERSION)
    except FileNotFoundError:
        return False
    return build_schema(event_cls) == committed


def _read_refused(event_cls: type[E], data: bytes, refusal: ValidationError | None) -> E:
    """Parse, validate against the schema of the payload's own version, then build the model:
    an older version is read, anything else is refused naming the field at fault."""
    event_type = event_cls.EVENT_TYPE
    try:
        payload = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidEvent(event_type, ROOT, f"not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise InvalidEvent(event_type, ROOT, f"expected a JSON object, got {kind}")

    version = payload.get("schema_version")
    if version is None:
        raise InvalidEvent(event_type, "schema_version", "'schema_version' is a required property")
    if type(version) is not int or not 1 <= version <= event_cls.SCHEMA_VERSION:
        raise InvalidEvent(
            event_type,
            "schema_version",
            f"{version!r} is not a version {event_cls.__name__} reads "
            f"(1 to {event_cls.SCHEMA_VERSION})",
        )
    try:
        _check(event_type, version, payload)
    except FileNotFoundError as exc:
        raise InvalidEvent(
            event_type, "schema_version", f"version {version} has no committed schema"
        ) from exc

    if version == event_cls.SCHEMA_VERSION and refusal is not None:
        # The schema admits it and the model refuses: a rule only the model states.
        raise _invalid(event_type, refusal)
    try:
        return event_cls.model_validate({**payload, "schema_version": event_cls.SCHEMA_VERSION})
    except ValidationError as exc:
        raise _invalid(event_type, exc) from exc


def _invalid(event_type: str, refusal: ValidationError) -> InvalidEvent:
    first = refusal.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or ROOT
    return InvalidEvent(event_type, field, first["msg"])
