"""Flows scaled out the way their engines intend give exactly the outputs of one process:
a Bytewax cluster of two processes, two Quix processes in one consumer group, two
transcription workers in one process (docs/scaling.md)."""

from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clients.objectstore import ObjectStore, wav_key
from flows.scoring.step import logic as scoring
from flows.transcription.engines.local import LocalWhisper
from flows.transcription.synth import decode_voice_note, encode_voice_note, synthesize
from flows.transcription.wav import duration_s, read_samples
from flows.words.step import LOGIC as WORDS
from schemas.events import AudioConverted, Event, Progress, Transcript, WordStats
from stack.settings import StackSettings
from tests.bot.harness import free_port
from tests.flows.scoring.feedbacks import feedback
from tests.flows.words.synthetic import seeded_answer
from tests.pipeline import Pipeline

pytestmark = [pytest.mark.stack, pytest.mark.slow]

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
LEARNERS = 6


def _reference(events: list[Event], fold: object) -> dict[str, Event]:
    """What one process emits: the pure step over each learner's events in order."""
    states: dict[str, object] = {}
    out: dict[str, Event] = {}
    for event in events:
        states[event.user_id], emitted = fold(states.get(event.user_id), event)  # type: ignore[operator]
        out.update({e.event_id: e for e in emitted})
    return out


def test_a_two_process_bytewax_cluster_scores_like_one(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"cluster{unique}-", tmp_path / "state")
    sent: list[Event] = [
        feedback(
            f"tg-{unique}-{learner}-{day}", T0 + timedelta(days=day, hours=learner),
            delivery=(day + learner) % 4, overall=(day * 0.7 + learner) % 4,
            user_id=f"u{learner}-{unique}",
        )
        for day in range(5)
        for learner in range(LEARNERS)
    ]  # fmt: skip
    expected = _reference(sent, scoring(3).fold)
    addresses = f"127.0.0.1:{free_port()};127.0.0.1:{free_port()}"
    with ExitStack() as cluster:
        for process in ("0", "1"):
            cluster.enter_context(
                pipeline.flow(
                    "scoring",
                    SPEECH_COACH_WINDOW_SIZE="3",
                    SPEECH_COACH_CLUSTER_ADDRESSES=addresses,
                    SPEECH_COACH_PROCESS_ID=process,
                )
            )
        for event in sent:
            pipeline.send(event)
        pipeline.collect(Progress, until=lambda found: len(found) >= len(expected), timeout_s=120)
        found = pipeline.collect(Progress, until=lambda _: False, timeout_s=5)

    assert sorted(p.event_id for p in found) == sorted(expected)  # each once
    assert {p.event_id: p for p in found} == expected


def test_two_quix_processes_in_one_group_count_words_like_one(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"group{unique}-", tmp_path / "state")
    rng = random.Random(20261127)  # noqa: S311 - seeded test data
    sent: list[Event] = [
        Transcript(
            event_id=f"transcript-{unique}-{i}", occurred_at=T0 + timedelta(minutes=i),
            user_id=f"u{i % LEARNERS}-{unique}", answer_id=f"{unique}-{i}",
            text=seeded_answer(rng, 30).text, language="en", engine="test", words=(),
            duration_s=20.0,
        )
        for i in range(4 * LEARNERS)
    ]  # fmt: skip
    expected = _reference(sent, WORDS.fold)
    with (
        pipeline.flow("words", SPEECH_COACH_PROCESS_ID="0"),
        pipeline.flow("words", SPEECH_COACH_PROCESS_ID="1"),
    ):
        for event in sent:
            pipeline.send(event)
        pipeline.collect(WordStats, until=lambda found: len(found) >= len(expected), timeout_s=120)
        found = pipeline.collect(WordStats, until=lambda _: False, timeout_s=5)

    assert sorted(s.event_id for s in found) == sorted(expected)
    assert {s.event_id: s for s in found} == expected


def test_two_transcription_workers_hear_what_one_engine_hears(
    stack: StackSettings, unique: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(stack, f"workers{unique}-", tmp_path / "state")
    store = ObjectStore(pipeline.s3)
    texts = (
        "I would choose the city because it has more jobs.",
        "My favourite teacher was patient and kind.",
        "I prefer trains because I can read on the way.",
        "Cooking at home is cheaper than eating out.",
    )
    sent: list[AudioConverted] = []
    wavs = {}
    for i in range(8):
        wav = tmp_path / f"{i}.wav"
        note = encode_voice_note(
            synthesize(texts[i % 4], tmp_path / f"{i}.src.wav"), wav.with_suffix(".ogg")
        )
        decode_voice_note(note, wav)
        user, answer = f"u{i % 4}-{unique}", f"{unique}-{i}"
        key = wav_key(user, answer)
        store.put_file(key, wav, "audio/wav")
        seconds = duration_s(read_samples(wav))
        sent.append(
            AudioConverted(
                event_id=f"converted-{answer}",
                occurred_at=T0,
                user_id=user,
                answer_id=answer,
                wav_bucket=pipeline.s3.bucket,
                wav_key=key,
                duration_s=seconds,
                sample_rate=16000,
                pauses=(),
                speech_duration_s=seconds,
            )
        )
        wavs[answer] = wav
    engine = LocalWhisper()
    heard = {answer: engine.transcribe(wav) for answer, wav in wavs.items()}

    with pipeline.flow("transcription", SPEECH_COACH_WORKERS="2"):
        for event in sent:
            pipeline.send(event)
        found = pipeline.collect(
            Transcript, until=lambda found: len(found) >= len(sent), timeout_s=180
        )

    assert sorted(t.answer_id for t in found) == sorted(wavs)
    for transcript in found:
        expected = heard[transcript.answer_id]
        assert (transcript.text, transcript.words) == (expected.text, expected.words)
