"""A question is valid by construction: id slug, known category, bounded times."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from questionbank.model import Question

VALID: dict[str, Any] = {
    "question_id": "workplace-001",
    "category": "workplace",
    "text": "  Explain the delay to your manager.  ",
    "answer_time_s": 60,
    "preparation_s": 10,
}


def test_a_valid_question_is_active_by_default_and_trimmed() -> None:
    question = Question(**VALID)
    assert question.active is True
    assert question.text == "Explain the delay to your manager."


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("question_id", "Workplace 1"),
        ("question_id", ""),
        ("question_id", "a" * 65),
        ("category", "poetry"),
        ("text", "   "),
        ("text", "x" * 1001),
        ("answer_time_s", 0),
        ("answer_time_s", 301),
        ("preparation_s", -1),
    ],
)
def test_an_out_of_bounds_field_is_refused_by_name(field: str, bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Question(**{**VALID, field: bad})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_a_question_is_frozen() -> None:
    question = Question(**VALID)
    with pytest.raises(ValidationError):
        question.text = "changed"  # type: ignore[misc]
