"""Synthetic answers: espeak-ng speech as 16 kHz WAV, and Telegram-like Opus voice notes.

espeak-ng is deterministic, so a synthetic answer carries its ground truth for free: the
text, and its timing (measured from the clean WAV with `speech_span`). The measurement
command, the demo and the tests build their audio here.

    wav = synthesize("I would choose the city.", tmp / "a.wav", wpm=150)
    wav = synthesize_parts(("One.", "Two."), tmp / "b.wav", gap_s=2.0)  # silence between
    ogg = encode_voice_note(wav, tmp / "a.ogg")      # what a Telegram client uploads
    heard = decode_voice_note(ogg, tmp / "b.wav")    # what a recogniser gets back
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from flows.transcription.wav import FRAME_S, SAMPLE_RATE, loud_frames, read_samples

# Synthesis and coding of a few minutes of audio take well under a second here.
_TIMEOUT_S = 60.0
# Telegram voice notes are Opus in OGG; 24 kbit/s mono is typical of what clients send.
VOICE_NOTE_KBPS = 24


class SynthesisError(Exception):
    """espeak-ng or ffmpeg is missing or failed."""


def _run(command: list[str], stdin: bytes | None = None) -> bytes:
    if shutil.which(command[0]) is None:
        raise SynthesisError(f"`{command[0]}` is not installed")
    try:
        result = subprocess.run(
            command, input=stdin, capture_output=True, timeout=_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SynthesisError(f"`{command[0]}` took longer than {_TIMEOUT_S:.0f} s") from exc
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise SynthesisError(f"`{command[0]}` failed ({result.returncode}): {message}")
    return result.stdout


def _ffmpeg(*args: str) -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]


# Keeps encoder version strings out of the files, so outputs are reproducible.
_BITEXACT = ("-fflags", "+bitexact", "-flags:a", "+bitexact")
_PCM16 = ("-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", *_BITEXACT)


def synthesize(text: str, wav: Path, *, wpm: int = 150, voice: str = "en-us") -> Path:
    """Speak `text` at about `wpm` words per minute into a 16 kHz mono 16-bit WAV."""
    if not text.strip():
        raise SynthesisError("nothing to say: the text is empty")
    # Text goes through stdin, so a leading "-" is never read as an option.
    speech = _run(["espeak-ng", "-v", voice, "-s", str(wpm), "--stdin", "--stdout"], text.encode())
    _run(_ffmpeg("-f", "wav", "-i", "pipe:0", *_PCM16, str(wav)), speech)
    return wav


def synthesize_parts(
    parts: Sequence[str], wav: Path, *, gap_s: float, wpm: int = 150, voice: str = "en-us"
) -> Path:
    """Speak each part on its own and join them with `gap_s` of digital silence between two
    parts (a speaker stopping between sentences), into one 16 kHz mono 16-bit WAV."""
    if not parts:
        raise SynthesisError("nothing to say: no parts")
    gap = np.zeros(round(gap_s * SAMPLE_RATE), dtype="<i2")
    pieces: list[np.ndarray[tuple[int], np.dtype[np.int16]]] = []
    for index, text in enumerate(parts):
        part = synthesize(text, wav.with_name(f"{wav.stem}-part{index}.wav"), wpm=wpm, voice=voice)
        with wave.open(str(part)) as reader:
            pieces.extend([gap] if index else [])
            pieces.append(np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2"))
        part.unlink()
    with wave.open(str(wav), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(np.concatenate(pieces).tobytes())
    return wav


def encode_voice_note(wav: Path, ogg: Path, *, kbps: int = VOICE_NOTE_KBPS) -> Path:
    """Encode as a Telegram client does: Opus in OGG, mono, speech-tuned (`voip`)."""
    _run(
        _ffmpeg(
            *("-i", str(wav), "-ac", "1", "-c:a", "libopus", "-b:a", f"{kbps}k"),
            *("-application", "voip", "-map_metadata", "-1", *_BITEXACT, "-f", "ogg", str(ogg)),
        )
    )
    return ogg


def decode_voice_note(ogg: Path, wav: Path) -> Path:
    """Decode an OGG voice note back to the 16 kHz mono 16-bit WAV recognisers read."""
    _run(_ffmpeg("-f", "ogg", "-i", str(ogg), *_PCM16, str(wav)))
    return wav


def speech_span(wav: Path) -> tuple[float, float]:
    """Start and end of speech in seconds: first and last 10 ms frame above -40 dBFS."""
    loud = np.flatnonzero(loud_frames(read_samples(wav)))
    if loud.size == 0:
        raise SynthesisError(f"{wav}: no speech above -40 dBFS")
    return float(loud[0] * FRAME_S), float((loud[-1] + 1) * FRAME_S)
