"""The OpenAI recogniser against a local fake of the API, through the real `openai` client."""

from __future__ import annotations

import socket
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from clients.openai import OpenAISettings, openai_client
from flows.transcription.engines.base import EngineUnavailable, RecognizedSpeech
from flows.transcription.engines.openai import OpenAIRecognizer, language_code
from schemas.events.transcript import Word
from tests.fakes.openai_api import (
    TRANSCRIPTIONS,
    FakeOpenAI,
    Reply,
    delayed,
    json_reply,
    rate_limited,
    raw_reply,
    server_error,
    transcription_reply,
)

pytestmark = pytest.mark.timeout(30)

MAX_RETRIES = 2
TIMEOUT_S = 0.3


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _settings(fake: FakeOpenAI, **overrides: object) -> OpenAISettings:
    return OpenAISettings(
        api_key=SecretStr("sk-test-transcription"),
        base_url=fake.base_url,
        timeout_s=TIMEOUT_S,
        max_retries=MAX_RETRIES,
    ).model_copy(update=overrides)


def _recognizer(settings: OpenAISettings) -> OpenAIRecognizer:
    return OpenAIRecognizer(openai_client(settings), settings.transcription_model)


@pytest.fixture
def recognizer(fake: FakeOpenAI) -> OpenAIRecognizer:
    return _recognizer(_settings(fake))


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    """Half a second of 16 kHz mono 16-bit audio; the bytes include CR LF pairs, which a
    careless multipart encoder or parser would mangle."""
    path = tmp_path / "answer.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(b"\r\n" * 8_000)
    return path


HELLO = transcription_reply(
    " Hello, world.",
    [(" Hello", 0.1, 0.5), ("world.", 0.6, 1.2)],
    duration_s=1.5,
)


def _reason(recognizer: OpenAIRecognizer, wav: Path) -> str:
    with pytest.raises(EngineUnavailable) as caught:
        recognizer.transcribe(wav)
    return caught.value.reason


def test_success_maps_text_words_language_and_duration(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, HELLO)

    heard = recognizer.transcribe(wav)

    assert heard == RecognizedSpeech(
        text="Hello, world.",
        words=(
            Word(word="Hello", start_s=0.1, end_s=0.5),
            Word(word="world.", start_s=0.6, end_s=1.2),
        ),
        language="en",
        duration_s=1.5,
    )
    assert recognizer.name == "openai:whisper-1"


def test_request_asks_for_word_timestamps_and_carries_the_wav(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, HELLO)

    recognizer.transcribe(wav)

    (request,) = fake.requests(TRANSCRIPTIONS)
    assert request.headers["authorization"] == "Bearer sk-test-transcription"
    fields = request.form()
    values = {name: field.text for name, field in fields if name != "file"}
    assert values == {
        "model": "whisper-1",
        "response_format": "verbose_json",
        "timestamp_granularities[]": "word",
    }
    (upload,) = [field for name, field in fields if name == "file"]
    assert upload.filename == "answer.wav"
    assert upload.value == wav.read_bytes()


def test_word_times_are_kept_inside_the_audio_and_blank_words_dropped(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(
        TRANSCRIPTIONS,
        transcription_reply(
            "so yes",
            [("so", 0.2, 0.1), ("  ", 0.3, 0.4), ("yes", 0.9, 1.04)],
            duration_s=1.0,
        ),
    )

    words = recognizer.transcribe(wav).words

    assert words == (
        Word(word="so", start_s=0.2, end_s=0.2),
        Word(word="yes", start_s=0.9, end_s=1.0),
    )


def test_rate_limit_then_success_is_retried(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, rate_limited(), HELLO)

    assert recognizer.transcribe(wav).text == "Hello, world."
    assert len(fake.requests(TRANSCRIPTIONS)) == 2


def test_persistent_rate_limit_is_unavailable_after_the_retries(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, *[rate_limited()] * (MAX_RETRIES + 1), HELLO)

    assert _reason(recognizer, wav) == "openai_rate_limited"
    assert len(fake.requests(TRANSCRIPTIONS)) == MAX_RETRIES + 1
    assert fake.pending(TRANSCRIPTIONS) == 1


def test_server_error_then_success_is_retried(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, server_error(), HELLO)

    assert recognizer.transcribe(wav).words[0].word == "Hello"


def test_persistent_server_error_is_unavailable(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, *[server_error(500)] * (MAX_RETRIES + 1))

    assert _reason(recognizer, wav) == "openai_error_500"
    assert len(fake.requests(TRANSCRIPTIONS)) == MAX_RETRIES + 1


def test_client_error_is_not_retried(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, json_reply({"error": {"message": "bad audio"}}, status=400))

    assert _reason(recognizer, wav) == "openai_error_400"
    assert len(fake.requests(TRANSCRIPTIONS)) == 1


def test_reply_slower_than_the_timeout_is_unavailable(fake: FakeOpenAI, wav: Path) -> None:
    recognizer = _recognizer(_settings(fake, max_retries=1))
    fake.script(TRANSCRIPTIONS, delayed(HELLO, 5.0), delayed(HELLO, 5.0))

    started = time.monotonic()
    assert _reason(recognizer, wav) == "openai_timeout"
    elapsed = time.monotonic() - started

    assert len(fake.requests(TRANSCRIPTIONS)) == 2
    # Two attempts of TIMEOUT_S plus one backoff (at most 0.5 s), far below the delay.
    assert 2 * TIMEOUT_S <= elapsed < 3.0


def test_timeout_then_success_is_retried(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path
) -> None:
    fake.script(TRANSCRIPTIONS, delayed(HELLO, 5.0), HELLO)

    assert recognizer.transcribe(wav).duration_s == 1.5


def test_unreachable_server_is_unavailable(wav: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = OpenAISettings(
        api_key=SecretStr("sk-test"),
        base_url=f"http://127.0.0.1:{port}/v1",
        timeout_s=TIMEOUT_S,
        max_retries=0,
    )

    assert _reason(_recognizer(settings), wav) == "openai_unreachable"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(raw_reply(b"<html>gateway</html>", content_type="text/html"), id="html"),
        pytest.param(raw_reply(b'{"text": "Hello", "language": "en"'), id="truncated"),
        pytest.param(json_reply({"text": "Hello", "language": "english"}), id="no-words"),
        pytest.param(
            json_reply(
                {"text": "a", "language": "english", "duration": 1, "words": [{"word": "a"}]}
            ),
            id="word-without-times",
        ),
        pytest.param(transcription_reply("a", [("a", -0.5, 0.2)]), id="negative-start"),
        pytest.param(transcription_reply("a", [("a" * 101, 0.0, 0.2)]), id="word-too-long"),
        pytest.param(json_reply([1, 2, 3]), id="not-an-object"),
    ],
)
def test_malformed_reply_is_unavailable(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, wav: Path, reply: Reply
) -> None:
    fake.script(TRANSCRIPTIONS, reply)

    assert _reason(recognizer, wav) == "openai_invalid_response"


def test_unreadable_wav_is_unavailable_without_a_request(
    fake: FakeOpenAI, recognizer: OpenAIRecognizer, tmp_path: Path
) -> None:
    assert _reason(recognizer, tmp_path / "missing.wav") == "wav_unreadable"
    assert fake.requests() == []


@pytest.mark.parametrize(
    ("reported", "code"),
    [("english", "en"), ("Russian", "ru"), ("en", "en"), ("cantonese", "yue"), ("klingon", "und")],
)
def test_language_code(reported: str, code: str) -> None:
    assert language_code(reported) == code
