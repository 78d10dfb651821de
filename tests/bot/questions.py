"""An in-memory question bank for the bot's tests (the bot depends on a protocol only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.catalog import Category


@dataclass(frozen=True)
class Question:
    question_id: str
    category: Category
    text: str
    answer_time_s: int = 45
    preparation_s: int = 15
    active: bool = True


class MemoryCatalog:
    def __init__(self, questions: Iterable[Question]) -> None:
        self._questions = {q.question_id: q for q in questions}

    def get(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    def active(self, category: Category | None = None) -> tuple[Question, ...]:
        return tuple(
            q
            for q in sorted(self._questions.values(), key=lambda q: q.question_id)
            if q.active and category in (None, q.category)
        )
