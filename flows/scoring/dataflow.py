"""Scoring flow (Bytewax): feedback → progress, one Progress per graded answer."""

from __future__ import annotations

from collections.abc import Callable

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from pydantic import Field

from flows.common.bytewax_io import read_events, run_flow, write_records
from flows.common.records import event_record
from flows.common.settings import FlowSettings
from flows.scoring.windows import ScoringState, absorb
from schemas.events import Feedback, Progress
from schemas.topics import topic_for


class ScoringSettings(FlowSettings):
    # Fixed for the life of the flow's state: a changed N needs a replay into fresh state.
    window_size: int = Field(default=5, ge=1, le=1000, description="N of the last-N window.")


def scorer(
    window_size: int,
) -> Callable[[ScoringState | None, Feedback], tuple[ScoringState, list[Progress]]]:
    """A `stateful_flat_map` mapper over one learner's feedback."""

    def mapper(
        state: ScoringState | None, feedback: Feedback
    ) -> tuple[ScoringState, list[Progress]]:
        state, progress = absorb(state or ScoringState(), feedback, window_size)
        return state, [] if progress is None else [progress]

    return mapper


def build(settings: ScoringSettings) -> Dataflow:
    flow = Dataflow(f"{settings.topic_namespace}scoring")
    topic = topic_for(Progress.EVENT_TYPE, settings.topic_namespace)
    feedback = read_events(flow, "feedback", settings, Feedback)
    keyed = op.key_on("by_learner", feedback, lambda event: event.user_id)
    scored = op.stateful_flat_map("score", keyed, scorer(settings.window_size))
    records = op.map("records", scored, lambda item: [event_record(topic, item[1])])
    write_records("out", records, settings)
    return flow


def main() -> None:
    """Entry point of `speech-coach flow scoring`: settings from the environment."""
    settings = ScoringSettings()
    run_flow(build(settings), settings)
