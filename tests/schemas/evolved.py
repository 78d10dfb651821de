"""Hypothetical next versions of AnswerSubmitted, to exercise version handling."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from schemas.events import AnswerSubmitted


class AnswerSubmittedV2(AnswerSubmitted):
    """A compatible v2: one optional property more."""

    SCHEMA_VERSION: ClassVar[int] = 2

    schema_version: Literal[2] = Field(default=2, description="Schema version.")  # type: ignore[assignment]
    codec: str | None = Field(default=None, description="Codec inside the container.")


class AnswerSubmittedV2Required(AnswerSubmitted):
    """An incompatible v2: a new required property, which v1 events lack."""

    SCHEMA_VERSION: ClassVar[int] = 2

    schema_version: Literal[2] = Field(default=2, description="Schema version.")  # type: ignore[assignment]
    codec: str = Field(description="Codec inside the container.")
