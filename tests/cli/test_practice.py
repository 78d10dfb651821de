"""The learner loop through `speech-coach practice` on the real stack and the real flows:
synthetic speech with known text in, feedback out."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from flows.transcription.synth import (
    encode_voice_note,
    speech_span,
    synthesize,
    synthesize_parts,
)
from flows.transcription.wer import word_errors
from stack.settings import REPO_ROOT, StackSettings
from tests.pipeline import Pipeline

pytestmark = [pytest.mark.stack, pytest.mark.slow]

SENTENCES = (
    "I think the most important skill for a student is managing time well.",
    "When I started university I had many deadlines and I often worked late at night.",
    "Then I began to plan every week on Sunday evening and my grades improved a lot.",
    "So I believe planning is more useful than talent for most students.",
)


@pytest.fixture(scope="module")
def pipeline(stack: StackSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    state = tmp_path_factory.mktemp("loop")
    pipeline = Pipeline(stack, f"loop{uuid.uuid4().hex[:10]}-", state)
    with ExitStack() as flows:
        for name in ("conversion", "transcription", "feedback"):
            flows.enter_context(pipeline.flow(name))
        yield pipeline


def _practice(
    pipeline: Pipeline, audio: Path, timeout_s: float = 180
) -> tuple[int, dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "practice", "--audio", str(audio), "--json"],
        cwd=REPO_ROOT, env=pipeline.env(), capture_output=True, text=True,
        timeout=timeout_s, check=False,
    )  # fmt: skip
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def _speech(path: Path, sentences: tuple[str, ...], gap_s: float) -> Path:
    """The sentences spoken by espeak-ng, `gap_s` of silence between them."""
    return synthesize_parts(sentences, path, gap_s=gap_s, wpm=150)


def test_synthetic_answer_gets_feedback_with_measured_figures(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    wav = _speech(tmp_path / "answer.wav", SENTENCES, gap_s=0.4)
    code, out = _practice(pipeline, encode_voice_note(wav, tmp_path / "answer.ogg"))
    assert code == 0, out

    text = " ".join(SENTENCES)
    errors = word_errors(text, out["transcript"])
    assert errors.rate <= 0.25, (errors, out["transcript"])

    start, end = speech_span(wav)
    true_wpm = len(text.split()) / (end - start) * 60
    assert out["metrics"]["words_per_minute"] == pytest.approx(true_wpm, rel=0.15)
    assert out["metrics"]["duration_s"] == pytest.approx(end + 0.0, abs=1.0)
    assert out["engines"] == {"stt": "faster-whisper:tiny.en", "feedback": "local"}
    assert set(out["scores"]) == {"delivery", "language_use", "topic_development", "overall"}
    assert all(0 <= s <= 4 for s in out["scores"].values())
    assert out["recommendations"]
    assert out["latency_ms"] > 0
    assert out["answer_id"].startswith("cli-")


def test_long_silences_lower_the_delivery_score(pipeline: Pipeline, tmp_path: Path) -> None:
    fluent = _speech(tmp_path / "fluent.wav", SENTENCES, gap_s=0.4)
    halting = _speech(tmp_path / "halting.wav", SENTENCES, gap_s=3.0)
    _, fluent_out = _practice(pipeline, encode_voice_note(fluent, tmp_path / "fluent.ogg"))
    _, halting_out = _practice(pipeline, encode_voice_note(halting, tmp_path / "halting.ogg"))
    assert halting_out["metrics"]["long_pause_count"] > fluent_out["metrics"]["long_pause_count"]
    assert halting_out["scores"]["delivery"] < fluent_out["scores"]["delivery"]


def test_a_corrupt_recording_is_rejected_and_the_next_one_still_graded(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"OggS" + bytes(range(256)) * 40)
    code, out = _practice(pipeline, broken)
    assert code != 0
    assert out["error"]["code"] == "corrupt_audio"
    assert out["error"]["message"]

    wav = synthesize(SENTENCES[0], tmp_path / "short.wav")
    code, out = _practice(pipeline, encode_voice_note(wav, tmp_path / "short.ogg"))
    assert code == 0, out
    assert "time" in out["transcript"].lower()
