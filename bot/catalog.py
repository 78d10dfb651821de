"""What the bot needs from the question bank: a small protocol, so tests pass an in-memory one.

`questionbank.catalog.QuestionCatalog` (reading the question bank's CDC topic) satisfies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, get_args

Category = Literal["interview", "independent", "job_interview", "workplace"]
CATEGORIES: tuple[Category, ...] = get_args(Category)


class QuestionLike(Protocol):
    @property
    def question_id(self) -> str: ...
    @property
    def category(self) -> Category: ...
    @property
    def text(self) -> str: ...
    @property
    def answer_time_s(self) -> float: ...
    @property
    def preparation_s(self) -> float: ...
    @property
    def active(self) -> bool: ...


class QuestionCatalog(Protocol):
    def get(self, question_id: str) -> QuestionLike | None: ...
    def active(self, category: Category | None = None) -> Sequence[QuestionLike]: ...
