"""A local server speaking the OpenAI HTTP API, scripted per test.

Tests point the real `openai` client at `FakeOpenAI.base_url`, queue the replies each route
gives (rate limits, server errors, replies slower than the client's timeout, refusals,
malformed output, valid answers) and assert on the recorded requests. Nothing scripted means
an error the client does not retry, so a test that forgot a reply fails fast.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

CHAT_COMPLETIONS = "/v1/chat/completions"
TRANSCRIPTIONS = "/v1/audio/transcriptions"
ROUTES = (CHAT_COMPLETIONS, TRANSCRIPTIONS)


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP response; `delay_s` holds it back before the status line is sent."""

    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    delay_s: float = 0.0


@dataclass(frozen=True)
class FormField:
    """One part of a multipart/form-data body."""

    value: bytes
    filename: str | None = None
    content_type: str | None = None

    @property
    def text(self) -> str:
        return self.value.decode("utf-8")


@dataclass(frozen=True)
class Recorded:
    """A request as the server received it; header names are lower-case."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> list[tuple[str, FormField]]:
        """The multipart fields in order (a name repeats for array fields)."""
        return parse_multipart(self.headers.get("content-type", ""), self.body)


def json_reply(
    payload: object, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> Reply:
    return Reply(
        status=status,
        body=json.dumps(payload).encode(),
        headers=(("Content-Type", "application/json"), *headers),
    )


def raw_reply(body: bytes, status: int = 200, content_type: str = "application/json") -> Reply:
    """A reply with any bytes at all, e.g. a truncated or non-JSON body."""
    return Reply(status=status, body=body, headers=(("Content-Type", content_type),))


def _error_body(message: str, kind: str, code: str | None) -> dict[str, object]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def rate_limited(retry_after_s: str = "0.01") -> Reply:
    """429 as OpenAI sends it. The client ignores `Retry-After: 0` (it backs off 0.5 s
    instead) but honours small positive values, so tests stay fast with "0.01"."""
    return json_reply(
        _error_body("Rate limit reached (fake).", "requests", "rate_limit_exceeded"),
        status=429,
        headers=(("Retry-After", retry_after_s),),
    )


def server_error(status: int = 500, retry_after_s: str = "0.01") -> Reply:
    """A 5xx; the short Retry-After spares tests the client's exponential backoff."""
    return json_reply(
        _error_body("The server had an error (fake).", "server_error", None),
        status=status,
        headers=(("Retry-After", retry_after_s),),
    )


def delayed(reply: Reply, delay_s: float) -> Reply:
    return replace(reply, delay_s=delay_s)


def chat_reply(
    content: str | None,
    *,
    refusal: str | None = None,
    finish_reason: str = "stop",
    model: str = "gpt-4o-mini",
) -> Reply:
    """A chat completion with one choice whose message carries `content` or a `refusal`."""
    return json_reply(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


def transcription_reply(
    text: str,
    words: Sequence[tuple[str, float, float]],
    *,
    language: str = "english",
    duration_s: float | None = None,
) -> Reply:
    """A `verbose_json` transcription with word timestamps, as whisper-1 returns it
    (the language is a name such as "english", not a code)."""
    return json_reply(
        {
            "task": "transcribe",
            "language": language,
            "duration": duration_s if duration_s is not None else (words[-1][2] if words else 0),
            "text": text,
            "words": [{"word": w, "start": start, "end": end} for w, start, end in words],
        }
    )


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, FormField]]:
    """Byte-exact multipart/form-data parsing (the email parser may rewrite line endings)."""
    params = dict(part.strip().split("=", 1) for part in content_type.split(";")[1:] if "=" in part)
    boundary = params.get("boundary", "").strip('"')
    if not content_type.startswith("multipart/form-data") or not boundary:
        raise ValueError(f"not a multipart body: {content_type!r}")
    fields: list[tuple[str, FormField]] = []
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, value = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = _part_headers(head.decode("utf-8"))
        disposition = _disposition(headers.get("content-disposition", ""))
        fields.append(
            (
                disposition.get("name", ""),
                FormField(
                    value=value.removesuffix(b"\r\n"),
                    filename=disposition.get("filename"),
                    content_type=headers.get("content-type"),
                ),
            )
        )
    return fields


def _part_headers(head: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return {name.strip().lower(): value.strip() for name, value in pairs}


def _disposition(value: str) -> dict[str, str]:
    pairs = (part.strip().split("=", 1) for part in value.split(";")[1:] if "=" in part)
    return {name: quoted.strip('"') for name, quoted in pairs}


@dataclass
class _Script:
    """Per-route reply queues and the request log, shared with the handler threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    replies: dict[str, deque[Reply]] = field(
        default_factory=lambda: {route: deque() for route in ROUTES}
    )
    recorded: list[Recorded] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def take(self, request: Recorded) -> Reply:
        with self.lock:
            self.recorded.append(request)
            queue = self.replies.get(request.path)
            if queue is None:
                return json_reply(
                    _error_body("Unknown route (fake).", "invalid_request", None), 404
                )
            if queue:
                return queue.popleft()
        # Not retried by the client, so a missing script fails the test at once.
        return json_reply(
            _error_body(f"Nothing scripted for {request.path} (fake).", "fake", "unscripted"),
            status=418,
            headers=(("x-should-retry", "false"),),
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: _Script) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = script


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self._read_body()
        request = Recorded(
            method="POST",
            path=self.path.split("?", 1)[0],
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        script = self.server.script
        reply = script.take(request)
        if reply.delay_s and script.stopping.wait(reply.delay_s):
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its timeout) before the delayed reply was written.
            return

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests assert on recorded requests, not on stderr."""


class FakeOpenAI:
    """The server, running in a background thread on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        self._script = _Script()
        self._server = _Server(self._script)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, route: str, *replies: Reply) -> None:
        """Queue replies for a route; each request takes the next one."""
        with self._script.lock:
            self._script.replies[route].extend(replies)

    def requests(self, route: str | None = None) -> list[Recorded]:
        with self._script.lock:
            return [r for r in self._script.recorded if route is None or r.path == route]

    def pending(self, route: str) -> int:
        """Replies scripted for the route and not yet taken."""
        with self._script.lock:
            return len(self._script.replies[route])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._script.stopping.set()  # wakes handlers holding a delayed reply
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
