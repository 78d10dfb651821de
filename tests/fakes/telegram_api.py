"""A local server speaking the Telegram Bot API, for the real aiogram client.

It serves `POST /bot<token>/<method>` for the methods the bot uses and
`GET /file/bot<token>/<file_path>` for voice notes registered with `add_voice`, records every
call in order (with the bytes of uploaded files, e.g. sendPhoto's photo), and can answer a
method's next call with 429 (flood control). Messages it returns are dated by its own clock
(`time.time` unless a test gives another: Telegram's clock is not the bot host's). It runs its
own event loop on a thread, so tests of any kind (sync or async) can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

TOKEN = "123456:TEST-fake-bot-token"
BOT_ID = 123456
LONG_POLL_CAP_S = 2.0  # getUpdates waits at most this long, so a stopping poller ends fast


STATIC_RESULTS: Mapping[str, object] = {
    "getMe": {"id": BOT_ID, "is_bot": True, "first_name": "Coach", "username": "coach_bot"},
    "answerCallbackQuery": True,
    "setWebhook": True,
    "deleteWebhook": True,
    "setMyCommands": True,
    "getUpdates": [],  # replaced by the queued updates when the call is served
}


@dataclass(frozen=True)
class Call:
    """One request as the server received it; `params` are the form fields as text."""

    method: str  # Bot API method, or "file" for a download
    params: Mapping[str, str]
    at: float  # time.monotonic() when it arrived
    status: int  # HTTP status the server answered
    files: Mapping[str, bytes] = field(default_factory=dict)  # multipart uploads by form field

    def upload(self, param: str) -> bytes:
        """The bytes of a file sent as `param`, which names its form field `attach://<field>`."""
        return self.files[self.params[param].removeprefix("attach://")]


def _ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, **parameters: int) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


class FakeTelegram:
    def __init__(self, token: str = TOKEN, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._voices: dict[str, bytes] = {}
        self._flood: dict[str, deque[int]] = defaultdict(deque)
        self._updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-telegram")
        self._runner: web.AppRunner | None = None
        self._new_update: asyncio.Event | None = None
        self.base_url = ""

    # -- test side -------------------------------------------------------------------------

    def start(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def close(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def add_voice(self, file_id: str, data: bytes) -> None:
        with self._lock:
            self._voices[file_id] = data

    def fail_once(self, method: str, retry_after: int) -> None:
        """The next call of `method` gets 429 Too Many Requests with this retry_after."""
        with self._lock:
            self._flood[method].append(retry_after)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queues an update for getUpdates (polling mode)."""
        with self._lock:
            self._updates.append(update)
        if self._new_update is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts of the messages accepted for `chat_id`, in order."""
        return [
            c.params["text"]
            for c in self.calls("sendMessage")
            if c.status == 200 and c.params.get("chat_id") == str(chat_id)
        ]

    async def wait_for(
        self, method: str, count: int = 1, timeout_s: float = 20.0, chat_id: int | None = None
    ) -> list[Call]:
        """The accepted calls of `method` (to `chat_id`), once there are `count` of them."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = [
                c
                for c in self.calls(method)
                if c.status == 200 and (chat_id is None or c.params.get("chat_id") == str(chat_id))
            ]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} {method} calls within {timeout_s}s")
            await asyncio.sleep(0.05)

    # -- server side -----------------------------------------------------------------------

    async def _serve(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def _record(
        self,
        method: str,
        params: Mapping[str, str],
        status: int,
        files: Mapping[str, bytes] | None = None,
    ) -> None:
        with self._lock:
            self._calls.append(
                Call(method, dict(params), time.monotonic(), status, dict(files or {}))
            )

    async def _method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        params = {
            k: v if isinstance(v, str) else f"<file {getattr(v, 'filename', '')}>"
            for k, v in form.items()
        }
        files = {k: v.file.read() for k, v in form.items() if isinstance(v, web.FileField)}
        response = self._answer(request.match_info["token"], method, params)
        if method == "getUpdates" and response.status == 200:
            response = await self._get_updates(params)
        self._record(method, params, response.status, files)
        return response

    def _answer(self, token: str, method: str, params: Mapping[str, str]) -> web.Response:
        if token != self.token:
            return _error(401, "Unauthorized")
        with self._lock:
            flood = self._flood[method]
            retry_after = flood.popleft() if flood else None
        if retry_after is not None:
            return _error(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        if method in {"sendMessage", "sendPhoto", "editMessageText"}:
            return _ok(self._message(params))
        if method == "getFile":
            return self._get_file(params.get("file_id", ""))
        if method in STATIC_RESULTS:
            return _ok(STATIC_RESULTS[method])
        return _error(404, "Not Found: method not found")

    def _message(self, params: Mapping[str, str]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(self._clock()),
            "chat": {"id": int(params.get("chat_id", "0")), "type": "private"},
        }
        if "text" in params:
            message["text"] = params["text"]
        return message

    def _get_file(self, file_id: str) -> web.Response:
        with self._lock:
            data = self._voices.get(file_id)
        if data is None:
            return _error(400, "Bad Request: invalid file_id")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(data),
                "file_path": f"voice/{file_id}.oga",
            }
        )

    async def _get_updates(self, params: Mapping[str, str]) -> web.Response:
        offset = int(params.get("offset", "0"))
        wait_s = min(float(params.get("timeout", "0")), LONG_POLL_CAP_S)
        if self._new_update is not None:
            # Cleared before looking: an update pushed after the look sets it again.
            self._new_update.clear()
        with self._lock:
            # An offset confirms every update before it: Telegram forgets them.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            pending = list(self._updates)
        if not pending and wait_s > 0 and self._new_update is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), wait_s)
            with self._lock:
                pending = [u for u in self._updates if u["update_id"] >= offset]
        return _ok(pending)

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        file_id = path.removeprefix("voice/").removesuffix(".oga")
        with self._lock:
            data = self._voices.get(file_id)
        status = 200 if request.match_info["token"] == self.token and data is not None else 404
        self._record("file", {"path": path}, status)
        if status != 200 or data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="audio/ogg")
