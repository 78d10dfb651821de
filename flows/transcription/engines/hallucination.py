"""Which of Whisper's decoded segments were invented rather than heard.

Decoding is greedy/beam at temperature 0 only, so a replayed answer gets the same
transcript; Whisper's own remedy for a failed decode (re-sampling at higher temperatures)
is random. Its failures are dropped instead. Seen with tiny.en on synthetic answers:
- leftovers: Whisper reads 30 s windows and starts the next one at its last timestamp, so
  after the final words it decodes what is left, often a fraction of a second of
  trailing silence or one syllable, and invents there ("Thank you.", "That's good.", a
  loop repeating the answer: 3 of the 10 `measure` samples);
- loops: "Yeah. Yeah. Yeah. ..." over 3 s of silence, "I don't know, I don't know, ..."
  over 20 s; their text compresses far better than speech does;
- words over silence: a segment whose whole span is quieter than speech.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from flows.transcription.wav import FRAME_S

# A window holding less audio than this is a leftover.
MIN_WINDOW_S = 1.0
# Whisper's own threshold (gzip ratio of the text) above which it deems a decode a loop.
MAX_COMPRESSION_RATIO = 2.4


@dataclass(frozen=True)
class Decoded:
    """What the filter needs to know of one decoded segment."""

    window_s: float  # start of the 30 s window it was decoded from
    start_s: float
    end_s: float
    compression_ratio: float


def invented(segment: Decoded, loud: NDArray[np.bool_], duration_s: float) -> bool:
    """True when the segment should not be believed; `loud` is `wav.loud_frames`."""
    if segment.window_s > 0 and duration_s - segment.window_s < MIN_WINDOW_S:
        return True
    if segment.compression_ratio > MAX_COMPRESSION_RATIO:
        return True
    first = int(segment.start_s / FRAME_S)
    last = max(first + 1, int(np.ceil(segment.end_s / FRAME_S)))
    return not loud[first:last].any()
