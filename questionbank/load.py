"""Seeds Postgres with the bank: creates the table, inserts the questions it lacks.

The rule is "insert, never overwrite": once a question is in Postgres, operators own it.
A seed question whose id is already in the table is left as it is, even if the file's text
changed since, so an operator's UPDATE, deactivation or correction always wins; the
report names those rows so nobody is surprised. A question an operator deleted comes back
on the next load, because the files still hold it: deactivate it instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from questionbank.model import Question
from questionbank.table import Connection, apply_schema, select_questions

_INSERT = """
INSERT INTO public.questions
    (question_id, category, text, answer_time_s, preparation_s, active)
SELECT * FROM unnest(
    %s::text[], %s::text[], %s::text[], %s::integer[], %s::integer[], %s::boolean[])
ON CONFLICT (question_id) DO NOTHING
RETURNING question_id
"""


@dataclass(frozen=True)
class LoadReport:
    inserted: tuple[str, ...]
    kept: tuple[str, ...]  # already in the table, as the file has it
    differing: tuple[str, ...]  # already in the table, edited since: the table's row stays


def load_questions(conn: Connection, questions: Sequence[Question]) -> LoadReport:
    """Inserts the questions the table lacks, in one transaction."""
    with conn.transaction():
        apply_schema(conn)
        # Keeps a concurrent load from inserting between our read and our insert.
        conn.execute("LOCK TABLE public.questions IN SHARE ROW EXCLUSIVE MODE")
        existing = {
            q.question_id: q for q in select_questions(conn, ids=[q.question_id for q in questions])
        }
        rows = conn.execute(
            _INSERT,
            [
                [q.question_id for q in questions],
                [q.category for q in questions],
                [q.text for q in questions],
                [q.answer_time_s for q in questions],
                [q.preparation_s for q in questions],
                [q.active for q in questions],
            ],
        ).fetchall()
    inserted = {row[0] for row in rows}
    return LoadReport(
        inserted=tuple(q.question_id for q in questions if q.question_id in inserted),
        kept=tuple(q.question_id for q in questions if existing.get(q.question_id) == q),
        differing=tuple(
            q.question_id
            for q in questions
            if q.question_id in existing and existing[q.question_id] != q
        ),
    )
