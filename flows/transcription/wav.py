"""Read the WAV files conversion writes: 16 kHz, mono, signed 16-bit PCM."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

SAMPLE_RATE = 16_000
FRAME_S = 0.01
# A 10 ms frame louder than -40 dBFS (RMS) holds sound: speech, or noise as loud as speech.
LOUD_RMS = 0.01


class WavFormatError(Exception):
    """The file is not a readable 16 kHz mono 16-bit PCM WAV."""


def read_samples(path: Path) -> NDArray[np.float32]:
    """Samples scaled to [-1, 1), as recognisers expect them."""
    try:
        with wave.open(str(path), "rb") as reader:
            layout = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate())
            if layout != (1, 2, SAMPLE_RATE):
                raise WavFormatError(
                    f"{path}: expected mono 16-bit {SAMPLE_RATE} Hz, got "
                    f"{layout[0]} channel(s), {8 * layout[1]}-bit, {layout[2]} Hz"
                )
            frames = reader.readframes(reader.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise WavFormatError(f"{path}: not a readable WAV file ({exc})") from exc
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def duration_s(samples: NDArray[np.float32]) -> float:
    return len(samples) / SAMPLE_RATE


def loud_frames(samples: NDArray[np.float32]) -> NDArray[np.bool_]:
    """One flag per whole 10 ms frame: is its RMS above -40 dBFS?"""
    frame = round(FRAME_S * SAMPLE_RATE)
    count = len(samples) // frame
    frames = samples[: count * frame].reshape(count, frame)
    loud: NDArray[np.bool_] = np.sqrt(np.mean(frames**2, axis=1)) > LOUD_RMS
    return loud
