"""Reads one record of the question-bank topic: Debezium's change event, as JsonConverter
with schemas.enable=true writes it (`{"schema": ..., "payload": ...}`).

- key: `{"payload": {"question_id": ...}}`, always present;
- value: `payload.op` is r (snapshot read), c (insert), u (update) or d (delete), with the
  row in `payload.after` (or `payload.before` for d);
- a null value (tombstone) follows each delete, so compaction can drop the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from questionbank.model import Question


class InvalidChange(ValueError):
    """A record that is not a readable change of the questions table."""


@dataclass(frozen=True, slots=True)
class QuestionUpserted:
    question: Question


@dataclass(frozen=True, slots=True)
class QuestionRemoved:
    question_id: str


QuestionChange = QuestionUpserted | QuestionRemoved


def parse_change(key: bytes | None, value: bytes | None) -> QuestionChange:
    """The change one record makes to the bank."""
    if key is None:
        raise InvalidChange("record without a key")
    question_id = _payload(key, "key").get("question_id")
    if not isinstance(question_id, str):
        raise InvalidChange("key has no question_id")
    if value is None:
        return QuestionRemoved(question_id)
    payload = _payload(value, "value")
    op = payload.get("op")
    if op == "d":
        return QuestionRemoved(question_id)
    if op not in ("r", "c", "u"):
        raise InvalidChange(f"{question_id}: unexpected op {op!r}")
    row = payload.get("after")
    if not isinstance(row, dict):
        raise InvalidChange(f"{question_id}: op {op} without an 'after' row")
    if row.get("question_id") != question_id:
        raise InvalidChange(f"{question_id}: key and row disagree ({row.get('question_id')!r})")
    try:
        # Columns the model does not know (updated_at, an operator's addition) are not ours.
        question = Question.model_validate({name: row.get(name) for name in Question.model_fields})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise InvalidChange(f"{question_id}: {field}: {error['msg']}") from exc
    return QuestionUpserted(question)


def _payload(raw: bytes, what: str) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise InvalidChange(f"{what} is not JSON: {exc}") from exc
    payload = document.get("payload") if isinstance(document, dict) else None
    if not isinstance(payload, dict) or "schema" not in document:
        raise InvalidChange(f"{what} is not a JsonConverter envelope with a schema and a payload")
    return payload
