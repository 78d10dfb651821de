"""The scoring flow on the real stack: feedback in (redelivered, out of order, two learners),
one Progress per distinct answer out, equal to the pure windows' figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.scoring.windows import ScoringState, absorb
from schemas.events import Feedback, Progress
from stack.settings import StackSettings
from tests.flows.scoring.feedbacks import feedback
from tests.pipeline import Pipeline

pytestmark = pytest.mark.stack

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
WINDOW_SIZE = 3


def _history(user: str, offset: float) -> list[Feedback]:
    """Six answers over ten days, one arriving after a newer one, two delivered twice."""
    answers = [
        feedback(
            f"tg-{user}-{day}",
            T0 + timedelta(days=day, hours=offset),
            delivery=(day + offset) % 4,
            language_use=(2 * day) % 4.5,
            topic_development=3.5 - day / 3,
            overall=(day * 0.7 + offset) % 4,
            time_to_answer_s=None if day % 3 == 0 else 5.0 * day,
            user_id=user,
        )
        for day in (0, 2, 3, 5, 9, 10)
    ]
    late = [answers[0], answers[2], answers[1], answers[3], answers[4], answers[5]]
    return [*late[:3], late[1], *late[3:], late[5]]


def _expected(sent: list[Feedback]) -> dict[str, Progress]:
    states: dict[str, ScoringState] = {}
    expected = {}
    for event in sent:
        state, progress = absorb(states.get(event.user_id, ScoringState()), event, WINDOW_SIZE)
        states[event.user_id] = state
        if progress is not None:
            expected[progress.event_id] = progress
    return expected


def test_one_progress_per_answer(stack: StackSettings, unique: str, tmp_path: Path) -> None:
    pipeline = Pipeline(stack, f"t{unique}-", tmp_path / "state")
    sent = [*_history(f"a{unique}", 0.0), *_history(f"b{unique}", 1.5)]
    distinct = {event.answer_id for event in sent}
    expected = _expected(sent)
    assert len(expected) == len(distinct) == 12

    with pipeline.flow("scoring", SPEECH_COACH_WINDOW_SIZE=str(WINDOW_SIZE)):
        for event in sent:
            pipeline.send(event)
        pipeline.collect(Progress, until=lambda found: len(found) >= len(distinct), timeout_s=90)
        # Anything emitted twice would be on the topic by now.
        found = pipeline.collect(Progress, until=lambda _: False, timeout_s=5)

    assert sorted(p.answer_id for p in found) == sorted(distinct)
    assert {p.event_id: p for p in found} == expected
    assert {p.window_size for p in found} == {WINDOW_SIZE}
