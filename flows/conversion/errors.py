"""Why conversion refuses an answer: stable machine codes and a message for the learner.

The code goes into `Rejected.code` (stage "conversion"); the bot localizes by code, so codes
never change meaning once released. The English message is the fallback text.

| code                 | when                                                                 |
|----------------------|----------------------------------------------------------------------|
| `empty_file`         | the upload has no bytes                                              |
| `too_large`          | the upload is larger than `max_bytes` (checked before reading it)    |
| `unsupported_format` | the declared MIME type maps to no container we decode                |
| `wrong_container`    | the file is not in the container its MIME type declares (the probe   |
|                      | fails with the format forced but finds another format unforced)      |
| `corrupt_audio`      | neither the forced nor an unforced probe can read it, or the decoder |
|                      | fails on it                                                          |
| `no_audio_stream`    | the container holds no audio stream                                  |
| `probe_timeout`      | ffprobe did not finish within `probe_timeout_s`                      |
| `duration_mismatch`  | declared and probed durations differ by more than the tolerance (2 s |
|                      | or 10 %), or more audio decodes than declared (else probed)          |
| `audio_truncated`    | the recording was cut short: an Ogg file that ends inside a page or  |
|                      | without the end-of-stream flag, or less audio decodes than declared  |
|                      | (else probed) beyond the tolerance                                   |
| `too_long`           | declared or probed duration exceeds `max_duration_s` (+ the margin)  |
| `too_short`          | less than `min_duration_s` (0.3 s) of audio decoded                  |
| `decode_limit`       | decoding reached the decode cap: the audio is longer than its        |
|                      | container claims (a decompression bomb)                              |
| `decode_timeout`     | ffmpeg did not finish decoding within `convert_timeout_s`            |
| `resource_limit`     | ffmpeg ran out of its CPU-time or address-space allowance            |
| `audio_missing`      | the original is gone from storage and no converted copy exists       |
"""

from __future__ import annotations

from enum import StrEnum


class RejectionCode(StrEnum):
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    UNSUPPORTED_FORMAT = "unsupported_format"
    WRONG_CONTAINER = "wrong_container"
    CORRUPT_AUDIO = "corrupt_audio"
    NO_AUDIO_STREAM = "no_audio_stream"
    PROBE_TIMEOUT = "probe_timeout"
    DURATION_MISMATCH = "duration_mismatch"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    DECODE_LIMIT = "decode_limit"
    DECODE_TIMEOUT = "decode_timeout"
    RESOURCE_LIMIT = "resource_limit"
    AUDIO_TRUNCATED = "audio_truncated"
    AUDIO_MISSING = "audio_missing"


class AudioRejected(Exception):
    """The answer's audio cannot be used.

    `message` is fit to show the learner; `detail` (e.g. ffmpeg's last error lines) is for
    logs only, since it can echo attacker-controlled bytes.
    """

    def __init__(self, code: RejectionCode, message: str, detail: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code: str = code.value
        self.message = message
        self.detail = detail
