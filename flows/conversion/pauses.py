"""Pauses in a recording: an energy-based voice activity detector on the decoded samples.

The recording is cut into 10 ms frames and each frame's RMS level taken in dBFS. Levels are
judged against the recording itself, so a quiet microphone and a loud one give the same
pauses:

- speech level: the level of the loudest half second of frames (or of the loudest 5 % when
  the recording is shorter than 10 s), i.e. the recording's loud vowels;
- noise level: the 10th percentile of all frame levels;
- a frame is speech when it is louder than all of: 35 dB below the speech level (quiet
  consonants are 20-30 dB below vowels), halfway between noise and speech level in dB (for
  noisy rooms), and -55 dBFS (nothing quieter is audible speech on a phone microphone).
  A recording whose speech level is below -55 dBFS holds no speech at all.

Then speech runs closer than `min_pause_s` (0.25 s, the usual pause threshold in fluency
research) are joined, since shorter gaps are stop closures and word boundaries; runs that
are still shorter than `min_speech_s` (60 ms) are clicks, not speech. The gaps left between
speech runs are the pauses. Silence before the first run and after the last is reported
separately, never as a pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from schemas.events.audio_converted import Pause

FULL_SCALE = 32768.0
# Keeps log10 finite on digital silence: -120 dBFS, far below any threshold.
_POWER_FLOOR = 1e-12


@dataclass(frozen=True)
class VadThresholds:
    """The detector's settings; see the module docstring for why these values."""

    frame_s: float = 0.01
    speech_window_s: float = 0.5
    speech_share: float = 0.05
    noise_percentile: float = 10.0
    dynamic_range_db: float = 35.0
    silence_floor_dbfs: float = -55.0
    min_pause_s: float = 0.25
    min_speech_s: float = 0.06


@dataclass(frozen=True)
class SpeechActivity:
    """Where the speaker spoke; all times in seconds from the start of the recording."""

    pauses: tuple[Pause, ...]
    speech_duration_s: float
    leading_silence_s: float
    trailing_silence_s: float


def detect_speech(
    samples: NDArray[np.int16], sample_rate: int, thresholds: VadThresholds | None = None
) -> SpeechActivity:
    """Find the pauses between speech in mono 16-bit samples."""
    t = thresholds or VadThresholds()
    duration_s = len(samples) / sample_rate
    frame = max(1, round(t.frame_s * sample_rate))
    frame_s = frame / sample_rate
    levels = _frame_levels_dbfs(samples, frame)
    runs = _speech_runs(levels, t, frame_s)
    if not runs:
        return SpeechActivity((), 0.0, duration_s, 0.0)
    leading_s = runs[0][0] * frame_s
    trailing_s = max(0.0, duration_s - runs[-1][1] * frame_s)
    pauses = tuple(
        Pause(start_s=round(end * frame_s, 3), end_s=round(next_start * frame_s, 3))
        for (_, end), (next_start, _) in pairwise(runs)
    )
    silent_s = leading_s + trailing_s + sum(p.end_s - p.start_s for p in pauses)
    return SpeechActivity(
        pauses=pauses,
        speech_duration_s=round(max(0.0, duration_s - silent_s), 3),
        leading_silence_s=round(leading_s, 3),
        trailing_silence_s=round(trailing_s, 3),
    )


def _frame_levels_dbfs(samples: NDArray[np.int16], frame: int) -> NDArray[np.float64]:
    count = len(samples) // frame  # a last partial frame (< 10 ms) joins the trailing edge
    frames = samples[: count * frame].astype(np.float64).reshape(count, frame) / FULL_SCALE
    power = np.mean(frames * frames, axis=1)
    levels: NDArray[np.float64] = 10.0 * np.log10(power + _POWER_FLOOR)
    return levels


def _speech_runs(
    levels: NDArray[np.float64], t: VadThresholds, frame_s: float
) -> list[tuple[int, int]]:
    """Speech as [start, end) frame ranges, after joining short gaps and dropping clicks."""
    if levels.size == 0:
        return []
    loud_frames = max(
        1, min(round(t.speech_window_s / frame_s), round(t.speech_share * levels.size))
    )
    speech_level = float(np.partition(levels, levels.size - loud_frames)[levels.size - loud_frames])
    if speech_level < t.silence_floor_dbfs:
        return []
    noise_level = float(np.percentile(levels, t.noise_percentile))
    threshold = max(
        speech_level - t.dynamic_range_db,
        (speech_level + noise_level) / 2,
        t.silence_floor_dbfs,
    )
    voiced = np.concatenate(([0], (levels > threshold).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(voiced))
    runs: list[tuple[int, int]] = []
    for start, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        if runs and (start - runs[-1][1]) * frame_s < t.min_pause_s:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return [(start, end) for start, end in runs if (end - start) * frame_s >= t.min_speech_s]
