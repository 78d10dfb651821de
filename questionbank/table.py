"""The Postgres table `public.questions`: its DDL and how rows are read back as questions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from questionbank.model import Question

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"

Connection = psycopg.Connection[tuple[Any, ...]]

_SELECT = """
SELECT question_id, category, text, answer_time_s, preparation_s, active
FROM public.questions
WHERE (%(ids)s::text[] IS NULL OR question_id = ANY(%(ids)s))
  AND (%(category)s::text IS NULL OR category = %(category)s)
ORDER BY question_id
"""


def apply_schema(conn: Connection) -> None:
    """Creates the table and its trigger if missing; safe to run any number of times."""
    conn.execute(SCHEMA_FILE.read_text(encoding="utf-8").encode())


def select_questions(
    conn: Connection, *, ids: Sequence[str] | None = None, category: str | None = None
) -> tuple[Question, ...]:
    """The table's questions, active or not, by id; optionally only `ids` or one category."""
    rows = conn.execute(
        _SELECT, {"ids": None if ids is None else list(ids), "category": category}
    ).fetchall()
    return tuple(_question(row) for row in rows)


def _question(row: tuple[Any, ...]) -> Question:
    question_id, category, text, answer_time_s, preparation_s, active = row
    return Question(
        question_id=question_id,
        category=category,
        text=text,
        answer_time_s=answer_time_s,
        preparation_s=preparation_s,
        active=active,
    )
