"""Scoring flow (Bytewax): feedback → progress, one Progress per graded answer."""

from __future__ import annotations

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from pydantic import Field

from clients.keyring import Keyring
from flows.common.bytewax_io import read_events, run_flow, run_logic
from flows.common.settings import FlowSettings
from flows.scoring.step import logic
from schemas.events import Feedback, UserEvent


class ScoringSettings(FlowSettings):
    # Fixed for the life of the flow's state: a changed N needs a replay into fresh state.
    window_size: int = Field(default=5, ge=1, le=1000, description="N of the last-N window.")


def build(settings: ScoringSettings) -> Dataflow:
    # The flow id names its recovery snapshots. A new state layout takes a new id, and the
    # flow recomputes its state from the start of the topic (the same Progress, same ids).
    flow = Dataflow(f"{settings.topic_namespace}scoring-v2")
    keyring = Keyring(settings.kafka, settings.topic_namespace)
    feedback = read_events(flow, "feedback", settings, Feedback, keyring)
    # Erasure requests: the learner's windows are forgotten.
    users = read_events(flow, "users", settings, UserEvent)
    events = op.merge("feedback_and_users", feedback, users)
    run_logic("score", events, logic(settings.window_size), settings, keyring)
    return flow


def main() -> None:
    """Entry point of `speech-coach flow scoring`: settings from the environment."""
    settings = ScoringSettings()
    run_flow(build(settings), settings)
