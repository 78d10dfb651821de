"""The fake OpenAI server itself: unscripted requests fail fast, stopping never hangs."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse

import pytest

from tests.fakes.openai_api import (
    CHAT_COMPLETIONS,
    FakeOpenAI,
    chat_reply,
    delayed,
    parse_multipart,
)

pytestmark = pytest.mark.timeout(30)


def _post(url: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=5)
    try:
        connection.request("POST", parts.path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_replies_in_order_and_records_requests() -> None:
    with FakeOpenAI() as fake:
        fake.script(CHAT_COMPLETIONS, chat_reply("one"), chat_reply("two"))
        url = fake.base_url + "/chat/completions"

        contents = [
            json.loads(_post(url, b'{"n": %d}' % n)[2])["choices"][0]["message"]["content"]
            for n in (1, 2)
        ]

        assert contents == ["one", "two"]
        assert [r.json() for r in fake.requests(CHAT_COMPLETIONS)] == [{"n": 1}, {"n": 2}]
        assert fake.pending(CHAT_COMPLETIONS) == 0


def test_unscripted_request_gets_an_error_the_client_does_not_retry() -> None:
    with FakeOpenAI() as fake:
        status, headers, body = _post(fake.base_url + "/chat/completions", b"{}")

    assert status == 418
    assert headers["x-should-retry"] == "false"
    assert json.loads(body)["error"]["code"] == "unscripted"


def test_unknown_route_is_404() -> None:
    with FakeOpenAI() as fake:
        status, _, _ = _post(fake.base_url + "/embeddings", b"{}")

    assert status == 404
    assert fake.requests()[0].path == "/v1/embeddings"


def test_stop_does_not_wait_for_a_delayed_reply() -> None:
    fake = FakeOpenAI()
    fake.start()
    fake.script(CHAT_COMPLETIONS, delayed(chat_reply("late"), 60.0))
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            _post(fake.base_url + "/chat/completions", b"{}")
        except http.client.HTTPException as closed:
            outcome.append(closed)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    while not fake.requests():
        time.sleep(0.01)

    started = time.monotonic()
    fake.stop()

    assert time.monotonic() - started < 2.0
    caller.join(timeout=10)
    assert not caller.is_alive()
    # The held request is dropped, never answered.
    assert [type(error) for error in outcome] == [http.client.RemoteDisconnected]


def test_multipart_parsing_is_byte_exact() -> None:
    payload = b"\r\n--x\r\n\x00\xff"
    body = (
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="model"\r\n\r\n'
        b"whisper-1\r\n"
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.wav"\r\n'
        b"Content-Type: audio/wav\r\n\r\n" + payload + b"\r\n"
        b"--b0undary--\r\n"
    )

    fields = parse_multipart('multipart/form-data; boundary="b0undary"', body)

    assert [(name, f.value, f.filename) for name, f in fields] == [
        ("model", b"whisper-1", None),
        ("file", payload, "a.wav"),
    ]
