"""The read-models flow's step: a learner's events in, row changes of the tables out."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.readmodels.project import LearnerView, RowChange, project
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
OUTPUTS = (RowChange,)

LOGIC: Logic[LearnerView, RowChange] = Logic(INPUTS, OUTPUTS, LearnerView, project)
