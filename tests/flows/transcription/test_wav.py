from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from flows.transcription.wav import WavFormatError, duration_s, loud_frames, read_samples


def _write(
    path: Path, frames: bytes, *, channels: int = 1, width: int = 2, rate: int = 16_000
) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return path


def test_reads_pcm16_scaled_to_unit_range(tmp_path: Path) -> None:
    values = np.array([0, 16384, -32768, 32767], dtype="<i2")
    samples = read_samples(_write(tmp_path / "a.wav", values.tobytes()))
    assert samples.tolist() == pytest.approx([0.0, 0.5, -1.0, 32767 / 32768])
    assert duration_s(samples) == pytest.approx(4 / 16_000)


@pytest.mark.parametrize(
    ("channels", "width", "rate", "message"),
    [(2, 2, 16_000, "2 channel"), (1, 1, 16_000, "8-bit"), (1, 2, 44_100, "44100 Hz")],
)
def test_other_layouts_are_refused(
    tmp_path: Path, channels: int, width: int, rate: int, message: str
) -> None:
    path = _write(tmp_path / "a.wav", bytes(8), channels=channels, width=width, rate=rate)
    with pytest.raises(WavFormatError, match=message):
        read_samples(path)


@pytest.mark.parametrize("content", [b"", b"OggS not a wav at all"])
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(content)
    with pytest.raises(WavFormatError, match="not a readable WAV"):
        read_samples(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WavFormatError):
        read_samples(tmp_path / "absent.wav")


def test_loud_frames_flag_10ms_frames_above_minus_40_dbfs() -> None:
    # 50 ms silence, 30 ms tone at amplitude 0.1 (-23 dBFS RMS), 20 ms at 0.005 (-49 dBFS).
    t = np.arange(480) / 16_000
    tone = 0.1 * np.sin(2 * np.pi * 440 * t)
    faint = 0.005 * np.sin(2 * np.pi * 440 * t[:320])
    samples = np.concatenate([np.zeros(800), tone, faint, np.zeros(5)]).astype(np.float32)
    assert loud_frames(samples).tolist() == [False] * 5 + [True] * 3 + [False] * 2
