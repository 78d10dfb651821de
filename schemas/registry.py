"""Event types by name, and the committed JSON Schema files of each version."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

from schemas.events import (
    AnswerSubmitted,
    AudioConverted,
    CreditEvent,
    ErasureCompleted,
    Event,
    Feedback,
    Progress,
    QuestionAsked,
    Rejected,
    RequestThrottled,
    Transcript,
    UserEvent,
    WordStats,
)

SCHEMA_DIR = Path(__file__).resolve().parent / "json"
SCHEMA_FILE = re.compile(r"^(?P<event_type>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")

EVENT_TYPES: dict[str, type[Event]] = {
    cls.EVENT_TYPE: cls
    for cls in (
        UserEvent,
        QuestionAsked,
        AnswerSubmitted,
        AudioConverted,
        Transcript,
        Feedback,
        Rejected,
        Progress,
        WordStats,
        CreditEvent,
        RequestThrottled,
        ErasureCompleted,
    )
}


def schema_path(event_type: str, version: int, directory: Path = SCHEMA_DIR) -> Path:
    """Where the schema of one event type and version is committed."""
    return directory / f"{event_type}.v{version}.json"


def committed_versions(directory: Path = SCHEMA_DIR) -> dict[str, list[int]]:
    """Versions committed per event type, ascending; files not named like schemas are ignored."""
    found: dict[str, list[int]] = {}
    for path in directory.glob("*.json"):
        match = SCHEMA_FILE.match(path.name)
        if match:
            found.setdefault(match["event_type"], []).append(int(match["version"]))
    return {event_type: sorted(versions) for event_type, versions in sorted(found.items())}


@functools.cache
def _read_schema(event_type: str, version: int) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path(event_type, version).read_text("utf-8"))
    return schema


def load_schema(event_type: str, version: int) -> dict[str, Any]:
    """The committed schema (read once; each caller gets its own copy to mutate freely).

    Raises FileNotFoundError when that version was never committed.
    """
    return copy.deepcopy(_read_schema(event_type, version))
