"""Kafka Connect's JSON envelope (`{"schema": ..., "payload": ...}`): what the Debezium JDBC
sink needs to know a row's column types. Our event topics carry plain JSON; only the read-model
topics use this encoding."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

ColumnType = Literal["string", "int32", "int64", "double", "boolean", "timestamp"]

_TIMESTAMP = {"type": "int64", "name": "org.apache.kafka.connect.data.Timestamp", "version": 1}


def _field_schema(name: str, kind: ColumnType, optional: bool) -> dict[str, Any]:
    base = dict(_TIMESTAMP) if kind == "timestamp" else {"type": kind}
    return {**base, "field": name, "optional": optional}


def _value(kind: ColumnType, value: Any) -> Any:
    if kind == "timestamp" and value is not None:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"a timestamp column needs an aware datetime, got {value!r}")
        return int(value.timestamp() * 1000)
    return value


def encode_struct(
    name: str, columns: dict[str, tuple[ColumnType, bool]], row: dict[str, Any]
) -> bytes:
    """One row as Connect JSON; `columns` maps column → (type, optional)."""
    missing = {c for c, (_, optional) in columns.items() if not optional and row.get(c) is None}
    unknown = set(row) - set(columns)
    if missing or unknown:
        raise ValueError(f"{name}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    schema = {
        "type": "struct",
        "name": name,
        "optional": False,
        "fields": [_field_schema(c, kind, optional) for c, (kind, optional) in columns.items()],
    }
    payload = {c: _value(kind, row.get(c)) for c, (kind, _) in columns.items()}
    return json.dumps({"schema": schema, "payload": payload}, separators=(",", ":")).encode()
