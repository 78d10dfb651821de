"""Audio built once per session: speech with known timing, and decompression bombs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.transcription.synth import encode_voice_note
from flows.transcription.wav import SAMPLE_RATE
from tests.flows.conversion import synth

# About 42 s of speech at 150 words per minute.
PARAGRAPH = (
    "Public transport matters to me because I live far from the city centre. Every morning "
    "I take the train, and I use the time to read or to plan my day. Buses are slower, but "
    "they are cheap and they stop near my house. If the city invested more in trains, fewer "
    "people would drive, the air would be cleaner, and the streets would be safer for "
    "children. In my opinion, good public transport is one of the most important things a "
    "city can offer, because it gives everyone the same chance to reach work, school and "
    "friends. That is why I always vote for politicians who promise to improve it, even when "
    "it means higher taxes for people like me."
)
BOMB_HOURS = 2


@dataclass(frozen=True)
class VoiceNote:
    path: Path
    duration_s: float  # of the speech encoded, from the sample count


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("conversion-audio")


@pytest.fixture(scope="session")
def voice_note(audio_dir: Path) -> VoiceNote:
    """The paragraph as a Telegram-style Opus voice note (~42 s)."""
    samples = synth.speak(PARAGRAPH, audio_dir)
    wav = synth.write_wav(audio_dir / "paragraph.wav", samples)
    ogg = encode_voice_note(wav, audio_dir / "paragraph.ogg")
    return VoiceNote(ogg, len(samples) / SAMPLE_RATE)


@pytest.fixture(scope="session")
def silence_bomb(audio_dir: Path) -> Path:
    """Two hours of Opus silence at 6 kbit/s (~2.7 MB): a minute encoded, then its OGG
    stream copied end to end with ffmpeg's concat demuxer (about a second, where encoding
    two hours takes ~45 s here). Decoded to 16 kHz it would be 230 MB."""
    minute = audio_dir / "minute.ogg"
    synth.ffmpeg(
        "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "60",
        "-c:a", "libopus", "-b:a", "6k", str(minute),
    )  # fmt: skip
    listing = audio_dir / "minutes.txt"
    listing.write_text(f"file '{minute}'\n" * (60 * BOMB_HOURS))
    bomb = audio_dir / "bomb.ogg"
    synth.ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(bomb))
    return bomb


@pytest.fixture(scope="session")
def lying_bomb(silence_bomb: Path, audio_dir: Path) -> Path:
    """The two-hour bomb with its granule positions divided by 240: its container claims
    30 s, so probing and declaring 30 s agree, and only the decode finds out."""
    return synth.divide_ogg_granules(silence_bomb, audio_dir / "lying-bomb.ogg", 240)
