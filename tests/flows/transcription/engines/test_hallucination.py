from __future__ import annotations

import numpy as np
import pytest

from flows.transcription.engines.hallucination import Decoded, invented

# 3 s of audio: sound from 0.5 s to 2.5 s, silence around it (10 ms frames).
LOUD = np.array([False] * 50 + [True] * 200 + [False] * 50)


def _segment(start_s: float, end_s: float, *, window_s: float = 0.0, ratio: float = 1.5) -> Decoded:
    return Decoded(window_s=window_s, start_s=start_s, end_s=end_s, compression_ratio=ratio)


def test_a_segment_over_sound_is_believed() -> None:
    assert not invented(_segment(0.4, 1.2), LOUD, 3.0)


def test_one_loud_frame_is_enough() -> None:
    assert not invented(_segment(2.49, 2.9), LOUD, 3.0)


@pytest.mark.parametrize(("start", "end"), [(0.0, 0.5), (2.5, 3.0), (3.0, 3.0), (4.0, 5.0)])
def test_a_segment_over_silence_or_past_the_end_is_invented(start: float, end: float) -> None:
    assert invented(_segment(start, end), LOUD, 3.0)


def test_a_loop_is_invented() -> None:
    assert invented(_segment(0.5, 2.5, ratio=2.5), LOUD, 3.0)
    assert not invented(_segment(0.5, 2.5, ratio=2.4), LOUD, 3.0)


def test_a_window_of_less_than_a_second_left_over_is_invented() -> None:
    # Whisper stopped its first window at 2.1 s and decoded the last 0.9 s again.
    assert invented(_segment(2.1, 2.6, window_s=2.1), LOUD, 3.0)
    assert not invented(_segment(1.9, 2.6, window_s=1.9), LOUD, 3.0)


def test_a_short_first_window_is_not_a_leftover() -> None:
    assert not invented(_segment(0.5, 0.8), LOUD[:80], 0.8)
