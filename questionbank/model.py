"""A question of the bank, as the seed files, the Postgres table and the CDC topic carry it."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["interview", "independent", "job_interview", "workplace"]
CATEGORIES: tuple[Category, ...] = get_args(Category)

# The same bounds are CHECK constraints in schema.sql, so an operator's SQL cannot store a
# row the catalog would refuse. 300 s is the longest answer the bot accepts (max_answer_s).
QUESTION_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_TEXT_CHARS = 1000
MAX_SECONDS = 300


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    question_id: str = Field(pattern=QUESTION_ID_PATTERN, description="Stable slug.")
    category: Category
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    answer_time_s: int = Field(ge=1, le=MAX_SECONDS, description="Time to answer.")
    preparation_s: int = Field(ge=0, le=MAX_SECONDS, description="Thinking time before it.")
    active: bool = Field(default=True, description="False: kept, but no longer asked.")
