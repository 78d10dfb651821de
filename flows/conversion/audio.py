"""Probe an uploaded answer and convert it to 16 kHz mono 16-bit WAV, trusting nothing.

Order of checks in `convert` (each failure is an `AudioRejected`, see errors.py):

1. size from `stat`, before reading a byte: empty, or over `max_bytes`;
2. declared duration over the limit;
3. `probe`: ffprobe with the container forced (a Telegram voice note is `-f ogg`), so a file
   is read only as what it claims to be; an Ogg file must be complete (ogg.py: its last page
   ends the stream at the end of the file), else `audio_truncated`; declared vs probed
   duration (shorter: `audio_truncated`, longer: `duration_mismatch`); probed over the limit;
4. decode with ffmpeg, `-t decode_cap_s` (max_duration_s + 1 s), its output read with a byte
   budget one second longer: the decoded length is counted from the samples, not taken from
   any header, so a file whose container understates its length reaches the cap
   (`decode_limit`) and one whose timestamps defeat `-t` is killed at the budget;
5. decoded vs declared (else probed) duration: an upload cut short decodes to less than it
   declared (`audio_truncated`), a bomb to more (`duration_mismatch`), unless the difference
   is within the tolerance (2 s or 10 %, Telegram declares whole seconds); then too short
   (< 0.3 s);
6. WAV written, pauses detected (pauses.py).

ffprobe and ffmpeg run under CPU-time and address-space limits with wall-clock timeouts
(limits.py), read only local files (`-protocol_whitelist file`) and only the containers we
accept (`-format_whitelist`), so a playlist cannot make them open anything else.
Silence is not refused: it converts, and shows as no speech.
"""

from __future__ import annotations

import json
import os
import stat
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from flows.conversion.errors import AudioRejected, RejectionCode
from flows.conversion.limits import ConversionLimits, ProcessRun, run_limited
from flows.conversion.ogg import truncation
from flows.conversion.pauses import SpeechActivity, detect_speech

SAMPLE_RATE = 16_000
SAMPLE_BYTES = 2  # s16le mono

# MIME type the client declared -> ffmpeg demuxer forced when reading the file.
CONTAINERS: dict[str, str] = {
    "audio/ogg": "ogg",
    "audio/opus": "ogg",
    "application/ogg": "ogg",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
    "audio/vnd.wave": "wav",
    "audio/webm": "webm",
    "audio/mp4": "mp4",
    "audio/m4a": "mp4",
    "audio/x-m4a": "mp4",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
}
_FORMAT_WHITELIST = ",".join(sorted(set(CONTAINERS.values())))
_PROBE_OUTPUT_BYTES = 64 * 1024
# `-t` stops an over-long decode at the cap, give or take a few samples (an Opus file with
# skewed timestamps ended 7 samples short, a concatenated one 67 over). The output budget,
# a second past the cap, stops a decoder that ignores -t: timestamps are the input's to fake.
_CAP_SLACK_S = 0.02
_BUDGET_OVER_CAP_S = 1.0
_N = TypeVar("_N", int, float)
_INPUT_GUARDS = ("-protocol_whitelist", "file", "-format_whitelist", _FORMAT_WHITELIST)


@dataclass(frozen=True)
class ProbeResult:
    """The first audio stream as ffprobe reads it; duration is None when the container
    does not say (e.g. browser-recorded WebM)."""

    format_name: str
    codec: str
    sample_rate: int | None
    channels: int | None
    duration_s: float | None


@dataclass(frozen=True)
class ConvertedAudio:
    """A usable answer: the WAV written, what the probe said, and what the decoder cost."""

    wav_path: Path
    duration_s: float  # counted from the decoded samples
    sample_rate: int
    probe: ProbeResult
    speech: SpeechActivity
    decode_cpu_s: float
    decode_peak_rss_bytes: int


def container_for_mime(mime_type: str) -> str:
    """The ffmpeg demuxer to force for a declared MIME type."""
    container = CONTAINERS.get(mime_type.lower())
    if container is None:
        raise AudioRejected(
            RejectionCode.UNSUPPORTED_FORMAT,
            "This audio format is not supported. Please send a voice message.",
            mime_type,
        )
    return container


def probe(path: Path, container: str | None, limits: ConversionLimits) -> ProbeResult:
    """Read the file's first audio stream with the container forced (None: let ffprobe guess)."""
    run = _ffprobe(path, container, limits)
    if run.returncode != 0:
        if container is not None and _probe_finds_audio(path, limits):
            raise AudioRejected(
                RejectionCode.WRONG_CONTAINER,
                "The file is not in the format it was sent as. Please send a voice message.",
                run.stderr_tail,
            )
        raise _corrupt(run.stderr_tail)
    try:
        report = json.loads(run.stdout)
        format_info: dict[str, Any] = report.get("format", {})
        streams: list[dict[str, Any]] = report.get("streams", [])
    except (ValueError, AttributeError) as exc:
        raise _corrupt(str(exc)) from exc
    if not streams:
        raise AudioRejected(
            RejectionCode.NO_AUDIO_STREAM, "The file contains no sound.", str(format_info)
        )
    stream = streams[0]
    return ProbeResult(
        format_name=str(format_info.get("format_name", "")),
        codec=str(stream.get("codec_name", "")),
        sample_rate=_number(stream.get("sample_rate"), int),
        channels=_number(stream.get("channels"), int),
        duration_s=_number(format_info.get("duration"), float),
    )


def convert(
    path: Path,
    out_wav: Path,
    declared_duration_s: float | None,
    container: str | None,
    limits: ConversionLimits,
) -> ConvertedAudio:
    """Check and decode an upload to `out_wav`; raise AudioRejected for unusable audio."""
    _check_size(path, limits)
    if declared_duration_s is not None and declared_duration_s > limits.decode_cap_s:
        raise _too_long(limits)
    info = probe(path, container, limits)
    cut = truncation(path) if info.format_name == "ogg" else None
    if cut is not None:
        raise _truncated(cut)
    if info.duration_s is not None:
        if declared_duration_s is not None and not limits.durations_agree(
            declared_duration_s, info.duration_s
        ):
            raise _differs(declared_duration_s, info.duration_s, "probed")
        if info.duration_s > limits.decode_cap_s:
            raise _too_long(limits)
    run = _decode(path, container, limits)
    duration_s = len(run.stdout) / (SAMPLE_RATE * SAMPLE_BYTES)  # counted, never read off a header
    reference_s = declared_duration_s if declared_duration_s is not None else info.duration_s
    if reference_s is not None and not limits.durations_agree(reference_s, duration_s):
        raise _differs(reference_s, duration_s, "decoded")
    if duration_s < limits.min_duration_s:
        raise AudioRejected(
            RejectionCode.TOO_SHORT,
            "The recording is too short. Please record a longer answer.",
            f"decoded {duration_s:.3f} s",
        )
    with wave.open(str(out_wav), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_BYTES)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(run.stdout)
    samples = np.frombuffer(run.stdout, dtype="<i2")
    return ConvertedAudio(
        wav_path=out_wav,
        duration_s=duration_s,
        sample_rate=SAMPLE_RATE,
        probe=info,
        speech=detect_speech(samples, SAMPLE_RATE),
        decode_cpu_s=run.cpu_s,
        decode_peak_rss_bytes=run.peak_rss_bytes,
    )


def _check_size(path: Path, limits: ConversionLimits) -> None:
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _corrupt(f"not a regular file: mode {info.st_mode:o}")
    if info.st_size == 0:
        raise AudioRejected(RejectionCode.EMPTY_FILE, "The recording is empty.")
    if info.st_size > limits.max_bytes:
        raise AudioRejected(
            RejectionCode.TOO_LARGE,
            f"The recording is larger than {limits.max_bytes // (1024 * 1024)} MB.",
            f"{info.st_size} bytes",
        )


def _ffprobe(path: Path, container: str | None, limits: ConversionLimits) -> ProcessRun:
    forced = ("-f", container) if container else ()
    run = run_limited(
        [
            "ffprobe",
            "-v",
            "error",
            *_INPUT_GUARDS,
            *forced,
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=codec_name,sample_rate,channels:format=format_name,duration",
            "-of",
            "json",
            "-i",
            _file_url(path),
        ],
        limits,
        timeout_s=limits.probe_timeout_s,
        max_stdout_bytes=_PROBE_OUTPUT_BYTES,
    )
    _raise_if_out_of_resources(run)
    if run.timed_out:
        raise AudioRejected(
            RejectionCode.PROBE_TIMEOUT,
            "The recording could not be read in time. Please send it again.",
            run.stderr_tail,
        )
    if run.output_capped:
        raise _corrupt("probe output over budget")
    return run


def _probe_finds_audio(path: Path, limits: ConversionLimits) -> bool:
    """Whether the file reads as audio in some other accepted container."""
    run = _ffprobe(path, None, limits)
    try:
        return run.returncode == 0 and bool(json.loads(run.stdout).get("streams"))
    except (ValueError, AttributeError):
        return False


def _decode(path: Path, container: str | None, limits: ConversionLimits) -> ProcessRun:
    forced = ("-f", container) if container else ()
    run = run_limited(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            *_INPUT_GUARDS,
            *forced,
            "-i",
            _file_url(path),
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-t",
            f"{limits.decode_cap_s:.3f}",
            "-c:a",
            "pcm_s16le",
            "-f",
            "s16le",
            "pipe:1",
        ],
        limits,
        timeout_s=limits.convert_timeout_s,
        max_stdout_bytes=_pcm_bytes(limits.decode_cap_s + _BUDGET_OVER_CAP_S),
    )
    # Reaching the cap comes first: a bomb stopped at the cap was killed, not broken.
    decoded_s = len(run.stdout) / (SAMPLE_RATE * SAMPLE_BYTES)
    if run.output_capped or decoded_s >= limits.decode_cap_s - _CAP_SLACK_S:
        raise AudioRejected(
            RejectionCode.DECODE_LIMIT,
            f"The recording is longer than {limits.max_duration_s:g} seconds.",
            f"decoding reached the {limits.decode_cap_s:g} s cap ({decoded_s:.3f} s)",
        )
    _raise_if_out_of_resources(run)
    if run.timed_out:
        raise AudioRejected(
            RejectionCode.DECODE_TIMEOUT,
            "The recording took too long to process. Please send it again.",
            run.stderr_tail,
        )
    if run.returncode != 0:
        raise _corrupt(run.stderr_tail)
    return run


def _pcm_bytes(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE) * SAMPLE_BYTES


def _raise_if_out_of_resources(run: ProcessRun) -> None:
    if run.cpu_exhausted or run.memory_exhausted:
        raise AudioRejected(
            RejectionCode.RESOURCE_LIMIT,
            "The recording needs more processing than allowed. Please send a shorter one.",
            f"cpu {run.cpu_s:.2f} s, rc {run.returncode}: {run.stderr_tail}",
        )


def _file_url(path: Path) -> str:
    # The file: protocol stops a name like "concat:a|b" or "http:..." being read as a URL.
    return f"file:{path.absolute()}"


def _number(value: object, kind: Callable[[str], _N]) -> _N | None:
    """A number from ffprobe's JSON, which writes "N/A" or nothing when it does not know."""
    try:
        return kind(str(value)) if value is not None else None
    except ValueError:
        return None


def _corrupt(detail: str) -> AudioRejected:
    return AudioRejected(
        RejectionCode.CORRUPT_AUDIO,
        "The recording could not be read. Please record it again.",
        detail,
    )


def _too_long(limits: ConversionLimits) -> AudioRejected:
    return AudioRejected(
        RejectionCode.TOO_LONG,
        f"The recording is longer than {limits.max_duration_s:g} seconds.",
    )


def _truncated(detail: str) -> AudioRejected:
    return AudioRejected(
        RejectionCode.AUDIO_TRUNCATED,
        "The recording was cut short: only part of it arrived. Please record it again.",
        detail,
    )


def _differs(reference_s: float, measured_s: float, what: str) -> AudioRejected:
    """Less audio than declared is a recording cut short; more is a lie or a bomb."""
    if measured_s < reference_s:
        return _truncated(f"expected {reference_s:.2f} s, {what} {measured_s:.2f} s")
    return AudioRejected(
        RejectionCode.DURATION_MISMATCH,
        "The recording's length does not match what was sent. Please record it again.",
        f"expected {reference_s:.2f} s, {what} {measured_s:.2f} s",
    )
