"""Debezium change events become changes of the bank; anything else is refused by name."""

from __future__ import annotations

import json

import pytest

from questionbank.envelope import InvalidChange, QuestionRemoved, QuestionUpserted, parse_change
from questionbank.model import Question
from tests.questionbank.records import key, row, value


@pytest.mark.parametrize("op", ["r", "c"])
def test_a_snapshot_read_or_an_insert_upserts_the_row(op: str) -> None:
    change = parse_change(key("interview-001"), value(op, None, row()))
    assert change == QuestionUpserted(
        Question(
            question_id="interview-001",
            category="interview",
            text="We're researching libraries. How often do you visit one?",
            answer_time_s=45,
            preparation_s=0,
            active=True,
        )
    )


def test_an_update_carries_the_new_row_and_ignores_columns_the_model_lacks() -> None:
    before = row(text="Old text?")
    after = row(text="New text?", active=False, added_by_operator="x")
    change = parse_change(key("interview-001"), value("u", before, after))
    assert isinstance(change, QuestionUpserted)
    assert change.question.text == "New text?"
    assert change.question.active is False


def test_a_delete_and_its_tombstone_remove_the_key() -> None:
    assert parse_change(key("interview-001"), value("d", row(), None)) == QuestionRemoved(
        "interview-001"
    )
    assert parse_change(key("interview-001"), None) == QuestionRemoved("interview-001")


@pytest.mark.parametrize(
    ("record_key", "record_value", "message"),
    [
        (None, value("c", None, row()), "without a key"),
        (b"not json", value("c", None, row()), "key is not JSON"),
        (b'{"payload": {"question_id": "a"}}', None, "not a JsonConverter envelope"),
        (key("interview-001"), b'{"op": "c", "after": {}}', "not a JsonConverter envelope"),
        (key("interview-001"), value("t", None, None), "unexpected op 't'"),
        (key("interview-001"), value("c", None, None), "without an 'after' row"),
        (key("interview-002"), value("c", None, row()), "key and row disagree"),
        (key("interview-001"), value("c", None, row(category="poetry")), "category"),
        (key("interview-001"), value("u", row(), row(answer_time_s=0)), "answer_time_s"),
        (key("interview-001"), value("c", None, row(text=None)), "text"),
    ],
)
def test_a_record_that_is_not_a_change_of_the_table_is_refused(
    record_key: bytes | None, record_value: bytes | None, message: str
) -> None:
    with pytest.raises(InvalidChange, match=message):
        parse_change(record_key, record_value)


def test_a_key_without_question_id_is_refused() -> None:
    other_key = json.dumps({"schema": {}, "payload": {"id": 1}}).encode()
    with pytest.raises(InvalidChange, match="no question_id"):
        parse_change(other_key, None)
