"""The dataflows, and the framework each runs on (which decides how it scales out:
docs/scaling.md)."""

from __future__ import annotations

from typing import Literal

Framework = Literal["bytewax", "quix"]

FLOWS: dict[str, Framework] = {
    "conversion": "bytewax",
    "transcription": "bytewax",
    "feedback": "quix",
    "readmodels": "quix",
    "scoring": "bytewax",
    "words": "quix",
    "analytics": "quix",
    "retention": "quix",
    "erasure": "quix",
}
