"""The transcription flow on the real stack with OpenAI configured (its API played by a local
server): a learner's credit pays for a whisper-1 request, charged on the ledger; without a
credit the local recogniser transcribes, free."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients.objectstore import ObjectStore, wav_key
from flows.transcription.synth import synthesize
from schemas.events import AudioConverted, CreditEvent, Transcript
from stack.settings import StackSettings
from tests.fakes.openai_api import TRANSCRIPTIONS, FakeOpenAI, transcription_reply
from tests.pipeline import Pipeline

pytestmark = pytest.mark.stack

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def test_a_credit_pays_for_one_paid_transcription(
    stack: StackSettings, unique: str, tmp_path: Path, fake: FakeOpenAI
) -> None:
    pipeline = Pipeline(stack, f"stt{unique}-", tmp_path / "state")
    store = ObjectStore(pipeline.s3)
    user = f"payer-{unique}"
    wav = synthesize("I like to walk in the park near my house.", tmp_path / "speech.wav")
    answers = []
    for index in range(2):
        answer_id = f"cli-{uuid.uuid4().hex}-{index}"
        key = wav_key(user, answer_id)
        store.put_file(key, wav, "audio/wav")
        answers.append(
            AudioConverted(
                event_id=f"converted-{answer_id}",
                occurred_at=AT,
                user_id=user,
                answer_id=answer_id,
                wav_bucket=store.bucket,
                wav_key=key,
                duration_s=3.0,
                sample_rate=16000,
                pauses=(),
                speech_duration_s=3.0,
            )
        )
    fake.script(TRANSCRIPTIONS, transcription_reply("Paid words.", [("Paid", 0.1, 0.4)]))
    top_up = CreditEvent(
        event_id=f"top-up-{unique}", occurred_at=AT, user_id=user, kind="top_up", amount=1,
        reason="test",
    )  # fmt: skip

    environment = {
        "SPEECH_COACH_OPENAI__API_KEY": "sk-test",
        "SPEECH_COACH_OPENAI__BASE_URL": fake.base_url,
    }
    # The flow reads credits and answers as two inputs, in no order between them: the top-up
    # is on the ledger before the flow starts, and an answer of someone else's goes through
    # first, by which time every input has been read from its start.
    pipeline.send(top_up)
    other = answers[0].model_copy(
        update={"user_id": f"other-{unique}", "answer_id": f"other-{unique}",
                "event_id": f"converted-other-{unique}"}
    )  # fmt: skip
    store.put_file(wav_key(other.user_id, other.answer_id), wav, "audio/wav")
    other = other.model_copy(update={"wav_key": wav_key(other.user_id, other.answer_id)})
    with pipeline.flow("transcription", **environment):
        pipeline.send(other)
        pipeline.collect(Transcript, until=lambda found: len(found) >= 1, timeout_s=90)
        pipeline.send(answers[0])
        found = pipeline.collect(Transcript, until=lambda found: len(found) >= 2, timeout_s=60)
        [first] = [t for t in found if t.answer_id == answers[0].answer_id]
        # The charge is back on the ledger before the credit-less answer is sent.
        pipeline.collect(CreditEvent, until=lambda found: len(found) >= 2, timeout_s=30)
        pipeline.send(answers[1])
        transcripts = pipeline.collect(Transcript, until=lambda found: len(found) >= 3)

    by_answer = {t.answer_id: t for t in transcripts}
    paid, free = by_answer[answers[0].answer_id], by_answer[answers[1].answer_id]
    assert (paid.engine, paid.text) == ("openai:whisper-1", "Paid words.")
    assert free.engine == "faster-whisper:tiny.en"
    assert "park" in free.text.lower()
    assert len(fake.requests(TRANSCRIPTIONS)) == 1  # the second never reached OpenAI
    ledger = pipeline.collect(CreditEvent, until=lambda found: len(found) >= 2, timeout_s=10)
    [charge] = [e for e in ledger if e.kind == "charge"]
    assert (charge.event_id, charge.answer_id, charge.amount) == (
        f"charge-stt-{answers[0].answer_id}",
        answers[0].answer_id,
        1,
    )
    assert charge.reason == "transcribed by openai:whisper-1"
    assert first.answer_id == answers[0].answer_id
