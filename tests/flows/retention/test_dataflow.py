"""The retention flow on the real stack: a graded answer's WAV is deleted, or moved aside for
a learner who keeps recordings, and withdrawing consent deletes what was kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients.objectstore import ObjectStore, kept_key, wav_key
from schemas.events import Feedback, UserEvent
from stack.settings import StackSettings
from tests.pipeline import Pipeline
from tests.schemas.samples import SAMPLES

pytestmark = pytest.mark.stack

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.25)


def test_recordings_follow_the_learners_choice(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"ret{unique}-", tmp_path / "state")
    store = ObjectStore(pipeline.s3)
    forgetful, keeper = f"f-{unique}", f"k-{unique}"
    for user in (forgetful, keeper):
        store.put_bytes(wav_key(user, "a1"), b"RIFF....WAVE", "audio/wav")

    def consent(user: str, kind: str, keep: bool | None) -> UserEvent:
        return UserEvent(
            event_id=f"{user}-{kind}-{keep}", occurred_at=AT, user_id=user,
            kind=kind, chat_id=1, keep_recordings=keep,
        )  # fmt: skip

    def graded(user: str) -> Feedback:
        feedback = SAMPLES["feedback"].model_copy(update={"user_id": user, "answer_id": "a1"})
        assert isinstance(feedback, Feedback)
        return feedback

    with pipeline.flow("retention"):
        pipeline.send(consent(forgetful, "consent_given", False))
        pipeline.send(consent(keeper, "consent_given", True))
        pipeline.send(graded(forgetful))
        pipeline.send(graded(keeper))
        _until(lambda: not store.exists(wav_key(forgetful, "a1")))
        _until(lambda: store.exists(kept_key(keeper, "a1")))
        assert not store.exists(wav_key(keeper, "a1"))
        assert not store.exists(kept_key(forgetful, "a1"))

        pipeline.send(consent(keeper, "consent_withdrawn", None))
        _until(lambda: not store.exists(kept_key(keeper, "a1")))
