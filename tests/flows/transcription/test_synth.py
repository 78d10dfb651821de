from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from flows.transcription.synth import (
    SynthesisError,
    decode_voice_note,
    encode_voice_note,
    speech_span,
    synthesize,
)

TEXT = "I would rather live in a big city, because there are more jobs and better schools."


def _layout(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as reader:
        frames, rate = reader.getnframes(), reader.getframerate()
        return reader.getnchannels(), reader.getsampwidth(), rate, frames / rate


def test_synthesis_is_16k_mono_pcm16_and_deterministic(tmp_path: Path) -> None:
    first = synthesize(TEXT, tmp_path / "a.wav", wpm=150)
    second = synthesize(TEXT, tmp_path / "b.wav", wpm=150)
    channels, width, rate, seconds = _layout(first)
    assert (channels, width, rate) == (1, 2, 16_000)
    # 15 words at about 150 wpm: about 6 s.
    assert 4 < seconds < 9
    assert first.read_bytes() == second.read_bytes()


def test_rate_sets_the_speech_length(tmp_path: Path) -> None:
    slow = speech_span(synthesize(TEXT, tmp_path / "slow.wav", wpm=120))
    fast = speech_span(synthesize(TEXT, tmp_path / "fast.wav", wpm=240))
    ratio = (slow[1] - slow[0]) / (fast[1] - fast[0])
    assert 1.6 < ratio < 2.4  # twice the rate, about half the time


def test_empty_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SynthesisError, match="empty"):
        synthesize("  \n", tmp_path / "a.wav")


def test_voice_note_round_trip(tmp_path: Path) -> None:
    wav = synthesize(TEXT, tmp_path / "a.wav")
    ogg = encode_voice_note(wav, tmp_path / "a.ogg")
    head = ogg.read_bytes()[:64]
    assert head.startswith(b"OggS")
    assert b"OpusHead" in head
    seconds = _layout(wav)[3]
    # 24 kbit/s, plus container overhead.
    assert 0.5 * 3000 * seconds < ogg.stat().st_size < 1.5 * 3000 * seconds
    assert encode_voice_note(wav, tmp_path / "b.ogg").read_bytes() == ogg.read_bytes()
    decoded = decode_voice_note(ogg, tmp_path / "b.wav")
    channels, width, rate, decoded_seconds = _layout(decoded)
    assert (channels, width, rate) == (1, 2, 16_000)
    assert decoded_seconds == pytest.approx(seconds, abs=0.05)


def test_decoding_something_else_fails_typed(tmp_path: Path) -> None:
    fake = tmp_path / "a.ogg"
    fake.write_bytes(b"not a voice note")
    with pytest.raises(SynthesisError, match="ffmpeg"):
        decode_voice_note(fake, tmp_path / "a.wav")


def test_speech_span_finds_speech_between_silences(tmp_path: Path) -> None:
    speech = synthesize("Hello there.", tmp_path / "a.wav")
    with wave.open(str(speech), "rb") as reader:
        frames = reader.readframes(reader.getnframes())
    padded = tmp_path / "padded.wav"
    silence = bytes(2 * 16_000)  # one second
    with wave.open(str(padded), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(silence + frames + silence)
    start, end = speech_span(speech)
    padded_start, padded_end = speech_span(padded)
    assert padded_start == pytest.approx(start + 1.0, abs=0.011)
    assert padded_end == pytest.approx(end + 1.0, abs=0.011)


def test_speech_span_of_silence_fails_typed(tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(np.zeros(16_000, dtype="<i2").tobytes())
    with pytest.raises(SynthesisError, match="no speech"):
        speech_span(path)
