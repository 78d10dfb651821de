"""Records shaped as Debezium's Postgres source writes them with JsonConverter and
schemas.enable=true (the shape of records captured from the real connector, trimmed)."""

from __future__ import annotations

import json
from typing import Any

_ROW_SCHEMA: list[dict[str, Any]] = [
    {"type": "string", "optional": False, "field": "question_id"},
    {"type": "string", "optional": False, "field": "category"},
    {"type": "string", "optional": False, "field": "text"},
    {"type": "int32", "optional": False, "field": "answer_time_s"},
    {"type": "int32", "optional": False, "field": "preparation_s"},
    {"type": "boolean", "optional": False, "field": "active"},
    {
        "type": "string",
        "optional": False,
        "name": "io.debezium.time.ZonedTimestamp",
        "field": "updated_at",
    },
]


def row(question_id: str = "interview-001", **changes: Any) -> dict[str, Any]:
    return {
        "question_id": question_id,
        "category": "interview",
        "text": "We're researching libraries. How often do you visit one?",
        "answer_time_s": 45,
        "preparation_s": 0,
        "active": True,
        "updated_at": "2026-11-26T09:37:10.832132Z",
        **changes,
    }


def key(question_id: str) -> bytes:
    return json.dumps(
        {
            "schema": {
                "type": "struct",
                "fields": [{"type": "string", "optional": False, "field": "question_id"}],
                "optional": False,
                "name": "questionbank.public.questions.Key",
            },
            "payload": {"question_id": question_id},
        }
    ).encode()


def value(op: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bytes:
    row_struct = {"type": "struct", "fields": _ROW_SCHEMA, "optional": True}
    return json.dumps(
        {
            "schema": {
                "type": "struct",
                "fields": [
                    {**row_struct, "field": "before"},
                    {**row_struct, "field": "after"},
                    {"type": "struct", "fields": [], "optional": False, "field": "source"},
                    {"type": "string", "optional": False, "field": "op"},
                    {"type": "int64", "optional": True, "field": "ts_ms"},
                ],
                "optional": False,
                "name": "questionbank.public.questions.Envelope",
                "version": 2,
            },
            "payload": {
                "before": before,
                "after": after,
                "source": {
                    "connector": "postgresql",
                    "name": "questionbank",
                    "snapshot": "last" if op == "r" else "false",
                    "db": "speechcoach",
                    "schema": "public",
                    "table": "questions",
                },
                "op": op,
                "ts_ms": 1795685832093,
            },
        }
    ).encode()
