"""Which question a learner gets next: a pure function of the catalog and their history.

Order: active questions of the category the learner has never answered, then answered ones
due for repetition (earliest due first). Unanswered questions come in a per-learner order
seeded by the user id: stable while the bank grows (a new question slots in without
reshuffling the rest) and different from one learner to the next, so learners comparing
notes do not all start with the same question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from bot.catalog import QuestionLike

Q = TypeVar("Q", bound=QuestionLike)


@dataclass(frozen=True)
class Pick(Generic[Q]):
    question: Q
    repetition: bool  # an answered question asked again for spaced repetition


def learner_order(user_id: str, question_id: str) -> str:
    """The sort key of an unanswered question for one learner."""
    return hashlib.sha256(f"{user_id}\0{question_id}".encode()).hexdigest()


def pick_question(
    candidates: Iterable[Q],
    due_at: Mapping[str, datetime],
    *,
    user_id: str,
    now: datetime,
    last_asked: str | None = None,
) -> Pick[Q] | None:
    """The next question among `candidates` (active, of the chosen category), or None.

    `due_at` maps every question the learner answered to when it is due again. The question
    asked last is skipped while another one qualifies: asking again means "another one".
    """
    questions = [q for q in candidates if q.active]
    fresh = sorted(
        (q for q in questions if q.question_id not in due_at),
        key=lambda q: learner_order(user_id, q.question_id),
    )
    due = sorted(
        (q for q in questions if q.question_id in due_at and due_at[q.question_id] <= now),
        key=lambda q: (due_at[q.question_id], q.question_id),
    )
    ordered = [Pick(q, repetition=False) for q in fresh] + [Pick(q, repetition=True) for q in due]
    preferred = [p for p in ordered if p.question.question_id != last_asked]
    return next(iter(preferred or ordered), None)
