"""Pause detection: espeak-ng speech through an Opus voice note, and synthetic signals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from flows.conversion.audio import convert
from flows.conversion.limits import ConversionLimits
from flows.conversion.pauses import SpeechActivity, detect_speech
from flows.transcription.synth import encode_voice_note
from flows.transcription.wav import SAMPLE_RATE
from tests.flows.conversion import synth
from tests.flows.conversion.conftest import PARAGRAPH, VoiceNote

TOLERANCE_S = 0.15
RATE = SAMPLE_RATE


def zero_runs(samples: NDArray[np.int16], rate: int, min_s: float) -> list[tuple[float, float]]:
    """Stretches of exact digital silence, where espeak-ng puts its own pauses."""
    padded = np.concatenate(([0], (samples == 0).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    return [
        (start / rate, end / rate)
        for start, end in zip(edges[0::2], edges[1::2], strict=True)
        if (end - start) / rate >= min_s
    ]


def test_inserted_silences_are_found_in_a_voice_note(audio_dir: Path, tmp_path: Path) -> None:
    phrases = [
        synth.speak("I would like to talk about my favourite book", audio_dir),
        synth.speak("It was written by a famous author many years ago", audio_dir),
        synth.speak("and I have read it three times since then", audio_dir),
    ]
    lead, gaps, tail = 0.7, [0.6, 1.2], 0.5
    parts = [synth.silence(lead), phrases[0]]
    expected: list[tuple[float, float]] = []
    clock = lead + len(phrases[0]) / SAMPLE_RATE
    for gap, phrase in zip(gaps, phrases[1:], strict=True):
        expected.append((clock, clock + gap))
        clock += gap + len(phrase) / SAMPLE_RATE
        parts += [synth.silence(gap), phrase]
    parts.append(synth.silence(tail))
    wav = synth.write_wav(tmp_path / "answer.wav", np.concatenate(parts))
    ogg = encode_voice_note(wav, tmp_path / "answer.ogg")

    audio = convert(ogg, tmp_path / "out.wav", round(clock + tail), "ogg", ConversionLimits())

    found = [(p.start_s, p.end_s) for p in audio.speech.pauses]
    assert len(found) == len(expected), found
    for (start, end), (want_start, want_end) in zip(found, expected, strict=True):
        assert start == pytest.approx(want_start, abs=TOLERANCE_S)
        assert end == pytest.approx(want_end, abs=TOLERANCE_S)
    assert audio.speech.leading_silence_s == pytest.approx(lead, abs=TOLERANCE_S)
    assert audio.speech.trailing_silence_s == pytest.approx(tail, abs=TOLERANCE_S)
    spoken_s = sum(len(p) for p in phrases) / SAMPLE_RATE
    assert audio.speech.speech_duration_s == pytest.approx(spoken_s, abs=3 * TOLERANCE_S)


def test_natural_speech_has_only_its_own_short_sentence_pauses(
    voice_note: VoiceNote, audio_dir: Path, tmp_path: Path
) -> None:
    """Uninterrupted espeak-ng speech pauses only where espeak-ng itself leaves digital
    silence: about 0.4 s at a full stop (always found) and 0.2 s at a comma (found or not,
    depending on the quiet sounds around it); never for long."""
    own_pauses = zero_runs(synth.speak(PARAGRAPH, audio_dir), SAMPLE_RATE, 0.15)
    sentence_ends = [run for run in own_pauses if run[1] - run[0] >= 0.3]
    audio = convert(voice_note.path, tmp_path / "out.wav", None, "ogg", ConversionLimits())

    found = [(p.start_s, p.end_s) for p in audio.speech.pauses]
    assert len(sentence_ends) >= 4  # the paragraph has six sentences
    for start, end in found:
        assert end - start < 0.6
        assert any(start < own_end and own_start < end for own_start, own_end in own_pauses)
    for own_start, own_end in sentence_ends:
        assert any(
            start == pytest.approx(own_start, abs=TOLERANCE_S)
            and end == pytest.approx(own_end, abs=TOLERANCE_S)
            for start, end in found
        ), (own_start, own_end, found)
    assert audio.speech.speech_duration_s > 0.85 * audio.duration_s


def tone(seconds: float, amplitude: float, rate: int = RATE) -> NDArray[np.int16]:
    """A voiced-speech stand-in: a 150 Hz tone with harmonics, slowly modulated."""
    t = np.arange(round(seconds * rate)) / rate
    harmonics = np.sin(2 * np.pi * 150 * np.outer((1, 2, 3), t)) / np.array([[1], [2], [3]])
    voiced = harmonics.sum(axis=0) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    scaled: NDArray[np.float64] = voiced / np.abs(voiced).max() * amplitude * 32767
    return scaled.astype(np.int16)


def gap(seconds: float) -> NDArray[np.int16]:
    return np.zeros(round(seconds * RATE), dtype=np.int16)


def layout(amplitude: float) -> tuple[NDArray[np.int16], list[tuple[float, float]]]:
    """0.5 s lead, speech with a 0.1 s gap (a word boundary), a 0.3 s and a 0.8 s pause,
    0.4 s tail; returns the signal and the pauses it holds."""
    pieces = [gap(0.5), tone(1.0, amplitude), gap(0.1), tone(0.7, amplitude), gap(0.3),
              tone(1.2, amplitude), gap(0.8), tone(0.6, amplitude), gap(0.4)]  # fmt: skip
    return np.concatenate(pieces), [(2.3, 2.6), (3.8, 4.6)]


def assert_pauses(activity: SpeechActivity, expected: list[tuple[float, float]]) -> None:
    found = [(p.start_s, p.end_s) for p in activity.pauses]
    assert len(found) == len(expected), found
    for (start, end), (want_start, want_end) in zip(found, expected, strict=True):
        assert start == pytest.approx(want_start, abs=0.02)
        assert end == pytest.approx(want_end, abs=0.02)


@pytest.mark.parametrize("amplitude", [0.9, 0.3, 0.03])  # -1, -10 and -30 dBFS peaks
def test_pauses_do_not_depend_on_recording_level(amplitude: float) -> None:
    signal, expected = layout(amplitude)
    activity = detect_speech(signal, RATE)
    assert_pauses(activity, expected)
    assert activity.leading_silence_s == pytest.approx(0.5, abs=0.02)
    assert activity.trailing_silence_s == pytest.approx(0.4, abs=0.02)
    assert activity.speech_duration_s == pytest.approx(1.0 + 0.1 + 0.7 + 1.2 + 0.6, abs=0.05)


def test_pauses_are_found_over_background_noise() -> None:
    signal, expected = layout(0.5)
    noise = np.random.default_rng(11).normal(0, 0.003 * 32767, len(signal))  # ~ -50 dBFS
    noisy = np.clip(signal + noise, -32768, 32767).astype(np.int16)
    assert_pauses(detect_speech(noisy, RATE), expected)


def test_a_click_does_not_split_a_pause() -> None:
    signal, expected = layout(0.5)
    click_at = round(4.2 * RATE)
    signal = signal.copy()
    signal[click_at : click_at + 80] = 20000  # 5 ms
    assert_pauses(detect_speech(signal, RATE), expected)


@pytest.mark.parametrize("level", [0.0, 0.0005])  # digital silence, and hiss at -70 dBFS
def test_no_speech(level: float) -> None:
    hiss = np.random.default_rng(5).normal(0, level * 32767, 3 * RATE).astype(np.int16)
    activity = detect_speech(hiss, RATE)
    assert activity.pauses == ()
    assert activity.speech_duration_s == 0
    assert activity.leading_silence_s == pytest.approx(3.0)


@pytest.mark.parametrize("length", [0, 1, 100])
def test_less_than_a_frame_is_all_silence(length: int) -> None:
    activity = detect_speech(np.full(length, 1000, dtype=np.int16), RATE)
    assert activity.pauses == ()
    assert activity.speech_duration_s == 0
