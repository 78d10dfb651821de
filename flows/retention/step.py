"""The retention flow's step: a learner's account and answer outcomes in, storage actions out."""

from __future__ import annotations

from flows.common.logic import Logic
from flows.retention.policy import Action, Delete, DeletePrefix, Move, Recordings, step
from schemas.events import Event, Feedback, Rejected, UserEvent

INPUTS: tuple[type[Event], ...] = (UserEvent, Feedback, Rejected)
OUTPUTS = (Delete, DeletePrefix, Move)

LOGIC: Logic[Recordings, Action] = Logic(INPUTS, OUTPUTS, Recordings, step)
