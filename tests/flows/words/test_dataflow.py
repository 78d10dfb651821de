"""The words flow on the real stack: transcripts → `speech-coach flow words` → word-stats,
one WordStats per answer (a redelivered transcript emits nothing), equal to the pure fold."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.words.vocabulary import VocabularyState, absorb
from schemas.events import Transcript, WordStats
from stack.settings import StackSettings
from tests.flows.words.synthetic import seeded_answer
from tests.pipeline import Pipeline

pytestmark = pytest.mark.stack

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _transcript(user: str, answer_id: str, text: str, at: datetime) -> Transcript:
    return Transcript(
        event_id=f"transcript-{answer_id}", occurred_at=at, user_id=user, answer_id=answer_id,
        text=text, language="en", engine="test", words=(), duration_s=30.0,
    )  # fmt: skip


def _expected(events: list[Transcript]) -> list[WordStats]:
    state, emitted = VocabularyState(), []
    for event in events:
        state, stats = absorb(state, event)
        if stats is not None:
            emitted.append(stats)
    return emitted


def test_each_answer_gets_the_stats_of_the_pure_fold_once(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"words{unique}-", tmp_path / "state")
    rng = random.Random(20260301)  # noqa: S311 - seeded test data, not secrets
    learners = (f"u1-{unique}", f"u2-{unique}")
    answers = [
        _transcript(
            learners[i % 2], f"cli-{unique}-{i}", seeded_answer(rng, 40).text,
            T0 + timedelta(minutes=i),
        )
        for i in range(6)
    ]  # fmt: skip
    # The first learner's first answer comes again before their last one: once the last
    # one's stats are out, the redelivery has been handled (one learner, one partition).
    sent = [*answers[:4], answers[0], *answers[4:]]

    with pipeline.flow("words"):
        for event in sent:
            pipeline.send(event)
        found = pipeline.collect(
            WordStats,
            until=lambda stats: {s.answer_id for s in stats} >= {a.answer_id for a in answers},
            timeout_s=120,
        )

    for learner in learners:
        mine = [event for event in sent if event.user_id == learner]
        assert [s for s in found if s.user_id == learner] == _expected(mine)
    assert len(found) == len(answers)
