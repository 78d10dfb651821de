"""Loading the seed is idempotent and never overwrites what operators changed."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from pydantic import ValidationError

from questionbank.load import load_questions
from questionbank.model import Question
from questionbank.seed import read_seed
from questionbank.table import Connection, apply_schema, select_questions
from stack.settings import StackSettings
from tests.questionbank.scratch import scratch_bank

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def conn(stack: StackSettings) -> Iterator[Connection]:
    with scratch_bank(stack) as bank, psycopg.connect(bank.dsn, autocommit=True) as connection:
        yield connection


def test_loading_twice_inserts_once_and_keeps_operator_edits(conn: Connection) -> None:
    seed = read_seed()
    first = load_questions(conn, seed)
    assert first.inserted == tuple(q.question_id for q in seed)
    assert select_questions(conn) == tuple(sorted(seed, key=lambda q: q.question_id))

    conn.execute("UPDATE questions SET text = 'Operator text?' WHERE question_id = 'workplace-003'")
    conn.execute("DELETE FROM questions WHERE question_id = 'interview-004'")
    second = load_questions(conn, seed)
    assert second.inserted == ("interview-004",)  # files still hold it: deactivate instead
    assert second.differing == ("workplace-003",)
    assert len(second.kept) == len(seed) - 2
    [edited] = select_questions(conn, ids=["workplace-003"])
    assert edited.text == "Operator text?"


def test_list_filters_by_category_and_shows_inactive_questions(conn: Connection) -> None:
    seed = read_seed()
    load_questions(conn, seed)
    conn.execute("UPDATE questions SET active = false WHERE question_id = 'independent-002'")
    independent = select_questions(conn, category="independent")
    assert [q.question_id for q in independent] == sorted(
        q.question_id for q in seed if q.category == "independent"
    )
    assert {q.question_id for q in independent if not q.active} == {"independent-002"}


def test_updates_stamp_updated_at_without_the_operator_asking(conn: Connection) -> None:
    load_questions(conn, read_seed())
    query = "SELECT updated_at FROM questions WHERE question_id = 'job_interview-001'"
    [before] = conn.execute(query).fetchone() or [None]
    conn.execute("UPDATE questions SET preparation_s = 5 WHERE question_id = 'job_interview-001'")
    [after] = conn.execute(query).fetchone() or [None]
    assert before is not None
    assert after is not None
    assert after > before


def _insert(conn: Connection, row: dict[str, object]) -> None:
    conn.execute(
        "INSERT INTO questions (question_id, category, text, answer_time_s, preparation_s)"
        " VALUES (%(question_id)s, %(category)s, %(text)s, %(answer_time_s)s, %(preparation_s)s)",
        row,
    )


# The model's edge values: the table must take them, and refuse one step beyond.
EDGE: dict[str, object] = {
    "question_id": "w" * 64,
    "category": "workplace",
    "text": "x" * 1000,
    "answer_time_s": 300,
    "preparation_s": 0,
}


def test_the_table_takes_what_the_model_takes_at_its_bounds(conn: Connection) -> None:
    apply_schema(conn)
    Question.model_validate(EDGE)
    _insert(conn, EDGE)
    [stored] = select_questions(conn, ids=[str(EDGE["question_id"])])
    assert stored == Question.model_validate(EDGE)
    conn.execute("DELETE FROM questions WHERE question_id = %s", [EDGE["question_id"]])


@pytest.mark.parametrize(
    ("column", "bad"),
    [
        ("question_id", "w" * 65),
        ("question_id", "Not A Slug"),
        ("category", "poetry"),
        ("text", "   "),
        ("text", "x" * 1001),
        ("answer_time_s", 0),
        ("answer_time_s", 301),
        ("preparation_s", -1),
    ],
)
def test_the_table_refuses_rows_the_model_refuses(
    conn: Connection, column: str, bad: object
) -> None:
    apply_schema(conn)
    row = {**EDGE, "question_id": "workplace-999", column: bad}
    with pytest.raises(ValidationError):
        Question.model_validate(row)
    with pytest.raises(psycopg.errors.CheckViolation):
        _insert(conn, row)
