"""The seed questions: one YAML file per category in questionbank/data/, read and validated."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from questionbank.model import CATEGORIES, MAX_SECONDS, Category, Question

DATA_DIR = Path(__file__).resolve().parent / "data"


class SeedError(ValueError):
    """A seed file is missing, malformed, or disagrees with another one."""


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str


class _SeedFile(BaseModel):
    """A category's timing is the task's, so it is written once per file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Category
    answer_time_s: int = Field(ge=1, le=MAX_SECONDS)
    preparation_s: int = Field(ge=0, le=MAX_SECONDS)
    questions: tuple[_Entry, ...] = Field(min_length=1)


def read_seed(data_dir: Path = DATA_DIR) -> tuple[Question, ...]:
    """Every seed question, in file order; refuses the whole seed if any part is wrong."""
    questions: list[Question] = []
    for category in CATEGORIES:
        questions.extend(_read_file(data_dir / f"{category}.yaml", category))
    ids = [q.question_id for q in questions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SeedError(f"{data_dir}: question ids used twice: {', '.join(duplicates)}")
    return tuple(questions)


def _read_file(path: Path, category: Category) -> list[Question]:
    try:
        seed = _SeedFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        questions = [
            Question(
                question_id=entry.id,
                category=seed.category,
                text=entry.text,
                answer_time_s=seed.answer_time_s,
                preparation_s=seed.preparation_s,
            )
            for entry in seed.questions
        ]
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise SeedError(f"{path}: {_first_error(exc)}") from exc
    if seed.category != category:
        raise SeedError(f"{path}: declares category {seed.category!r}, expected {category!r}")
    return questions


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])
