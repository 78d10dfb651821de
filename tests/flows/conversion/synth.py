"""Test audio with known ground truth: espeak-ng speech with inserted silences, and a
decompression bomb whose container lies. Speech and voice notes come from the project's
own synthesizer (flows.transcription.synth)."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from flows.transcription.synth import synthesize
from flows.transcription.wav import SAMPLE_RATE, read_samples


def speak(text: str, workdir: Path, wpm: int = 150) -> NDArray[np.int16]:
    """16 kHz espeak-ng speech trimmed to its first and last non-zero sample.

    espeak-ng pads with digital zeros, so the trim is exact: speech starts and ends where
    the samples say, independently of the detector under test.
    """
    name = hashlib.sha256(f"{wpm}:{text}".encode()).hexdigest()[:16]
    wav = synthesize(text, workdir / f"speech-{name}.wav", wpm=wpm)
    samples = pcm16(read_samples(wav))
    voiced = np.flatnonzero(samples)
    return samples[voiced[0] : voiced[-1] + 1]


def pcm16(scaled: NDArray[np.float32]) -> NDArray[np.int16]:
    """Back to 16-bit integers from read_samples' [-1, 1) scale; exact for 16-bit input."""
    return np.round(scaled * 32768).astype(np.int16)


def write_wav(path: Path, samples: NDArray[np.int16]) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path


def silence(seconds: float) -> NDArray[np.int16]:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.int16)


def ffmpeg(*args: str, timeout_s: float = 120) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=timeout_s,
    )


def divide_ogg_granules(src: Path, dst: Path, factor: int) -> Path:
    """Rewrite every OGG page's granule position divided by `factor` (CRCs recomputed), so
    the container claims 1/factor of the audio it holds."""
    data = src.read_bytes()
    out = bytearray()
    offset = 0
    while offset < len(data):
        assert data[offset : offset + 4] == b"OggS", f"no OGG page at {offset}"
        segments = data[offset + 26]
        body = sum(data[offset + 27 : offset + 27 + segments])
        page = bytearray(data[offset : offset + 27 + segments + body])
        (granule,) = struct.unpack_from("<q", page, 6)
        if granule > 0:  # -1 marks a page where no packet ends
            struct.pack_into("<q", page, 6, granule // factor)
        struct.pack_into("<I", page, 22, 0)
        struct.pack_into("<I", page, 22, _ogg_crc(page))
        out += page
        offset += len(page)
    dst.write_bytes(bytes(out))
    return dst


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC_TABLE = _crc_table()


def _ogg_crc(page: bytes | bytearray) -> int:
    """OGG's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0."""
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc
