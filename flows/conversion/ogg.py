"""Whether an Ogg file (a Telegram voice note) is complete: read to its last page.

An Ogg stream is a chain of pages, each announcing its own length; the last page of a
finished recording carries the end-of-stream flag. A file cut short (an interrupted upload
or download, the first half of a recording) ends inside a page or on a page without that
flag, and decoders play what is there without complaint: ffmpeg decoded the first half of
a 51 s voice note as 24 s of audio and exited 0. This walk tells the two apart.
"""

from __future__ import annotations

import struct
from pathlib import Path

CAPTURE = b"OggS"
HEADER_BYTES = 27  # up to and including the segment count
END_OF_STREAM = 0x04


def truncation(path: Path) -> str | None:
    """Why the Ogg file at `path` is incomplete, or None when its last page ends the stream
    exactly at the end of the file."""
    data = path.read_bytes()
    offset, flags = 0, None
    while offset < len(data):
        if data[offset : offset + 4] != CAPTURE:
            return f"no page starts at byte {offset} of {len(data)}"
        if offset + HEADER_BYTES > len(data):
            return f"the file ends inside a page header at byte {offset}"
        flags = data[offset + 5]
        (segments,) = struct.unpack_from("B", data, offset + 26)
        lacing = data[offset + HEADER_BYTES : offset + HEADER_BYTES + segments]
        if len(lacing) < segments:
            return f"the file ends inside a page's segment table at byte {offset}"
        offset += HEADER_BYTES + segments + sum(lacing)
    if offset > len(data):
        return f"the last page needs {offset - len(data)} more bytes"
    if flags is None or not flags & END_OF_STREAM:
        return "the last page does not end the stream"
    return None
