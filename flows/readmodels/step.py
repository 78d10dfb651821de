"""The read-models flow's step: a learner's events in, row changes of the tables out (and,
on erasure, the shredding of their key)."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.readmodels.project import (
    Change,
    DropSeed,
    LearnerView,
    RowChange,
    ShredKey,
    forgotten,
    project,
)
from schemas.events import (
    CreditEvent,
    Event,
    Feedback,
    Progress,
    QuestionAsked,
    UserEvent,
    WordStats,
)

INPUTS: tuple[type[Event], ...] = (
    UserEvent,
    QuestionAsked,
    Feedback,
    CreditEvent,
    Progress,
    WordStats,
)
OUTPUTS: tuple[type[Change], ...] = (RowChange, DropSeed, ShredKey)

LOGIC: Logic[LearnerView, Change] = Logic(INPUTS, OUTPUTS, LearnerView, project, forgotten)
