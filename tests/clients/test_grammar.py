"""The grammar client against the stack's real LanguageTool server."""

from __future__ import annotations

import socket
import time

import pytest

from clients.grammar import GrammarClient, GrammarUnavailable
from clients.settings import GrammarConnection
from flows.feedback.grammar import check
from stack.settings import StackSettings

pytestmark = pytest.mark.stack


def test_matches_come_back_typed_and_in_text_order(stack: StackSettings) -> None:
    client = GrammarClient(GrammarConnection(url=stack.grammar_url))
    text = "He go to work every day. They could finished the report."
    matches = client.check(text)
    assert [m.offset for m in matches] == sorted(m.offset for m in matches)
    by_word = {text[m.offset : m.offset + m.length]: m for m in matches}
    assert by_word["go"].category == "GRAMMAR"
    assert "goes" in by_word["go"].replacements
    assert by_word["finished"].rule == "MD_BASEFORM"


def test_the_flow_quotes_errors_from_the_real_checker(stack: StackSettings) -> None:
    client = GrammarClient(GrammarConnection(url=stack.grammar_url))
    result = check(client.check, "Um, in my opinion, uh, a team bring more ideas. He go home.")
    assert result.errors is not None
    quotes = {(e.said, e.correction) for e in result.errors}
    assert ("a team bring", "a team brings") in quotes
    assert any(said.endswith("He go") and str(fix).endswith("He goes") for said, fix in quotes)


def test_a_checker_that_does_not_answer_is_unavailable_after_its_retry_window() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    client = GrammarClient(GrammarConnection(url=f"http://127.0.0.1:{port}", retry_s=1.5))
    started = time.monotonic()
    with pytest.raises(GrammarUnavailable, match="not answering"):
        client.check("He go home.")
    assert 1.5 <= time.monotonic() - started < 10
    # Known down: the next check fails at once instead of waiting again.
    started = time.monotonic()
    with pytest.raises(GrammarUnavailable):
        client.check("He go home.")
    assert time.monotonic() - started < 1.0
