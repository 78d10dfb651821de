"""The grammar checker's client: LanguageTool's `/v2/check`, its matches as typed values.

The checker is a stack service (`stack/services/grammar.py`, compose's `grammar`); a
failure to reach it or an answer of another shape is `GrammarUnavailable`, which the
feedback flow records instead of a grammar figure.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from clients.settings import GrammarConnection

ENGINE = "languagetool"
RETRY_PAUSE_S = 1.0


class GrammarUnavailable(Exception):
    """The checker did not answer, or answered something other than a check result."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _NotAnswering(Exception):
    pass


@dataclass(frozen=True, slots=True)
class GrammarMatch:
    """One problem the checker found; `offset` and `length` index the checked text."""

    rule: str
    category: str
    offset: int
    length: int
    message: str
    replacements: tuple[str, ...]


class _Category(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    category: _Category


class _Replacement(BaseModel):
    model_config = ConfigDict(frozen=True)
    value: str


class _Match(BaseModel):
    model_config = ConfigDict(frozen=True)
    offset: int = Field(ge=0)
    length: int = Field(ge=0)
    message: str
    replacements: tuple[_Replacement, ...] = ()
    rule: _Rule


class _Check(BaseModel):
    model_config = ConfigDict(frozen=True)
    matches: tuple[_Match, ...]


class GrammarClient:
    def __init__(self, connection: GrammarConnection) -> None:
        self._connection = connection
        # After a check that found the checker down, the next is tried once: a checker that
        # stays down must not hold every answer up for `retry_s`.
        self._answering = True

    def check(self, text: str) -> tuple[GrammarMatch, ...]:
        """The checker's matches for `text`, in text order. A checker that does not answer is
        asked again for up to `retry_s` (it may be restarting), then it is unavailable."""
        deadline = time.monotonic() + (self._connection.retry_s if self._answering else 0)
        while True:
            try:
                matches = self._check(text)
            except _NotAnswering as exc:
                if time.monotonic() >= deadline:
                    self._answering = False
                    raise GrammarUnavailable(f"checker not answering: {exc}") from exc
                time.sleep(RETRY_PAUSE_S)
            else:
                self._answering = True
                return matches

    def _check(self, text: str) -> tuple[GrammarMatch, ...]:
        form = urllib.parse.urlencode({"text": text, "language": self._connection.language})
        request = urllib.request.Request(  # noqa: S310 - the configured checker's URL
            f"{self._connection.url.rstrip('/')}/v2/check", data=form.encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._connection.timeout_s) as rsp:  # noqa: S310
                body = rsp.read()
        except (urllib.error.URLError, OSError) as exc:
            raise _NotAnswering(str(exc)) from exc
        try:
            check = _Check.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            raise GrammarUnavailable(f"checker answered something else: {exc}") from exc
        return tuple(
            GrammarMatch(
                rule=m.rule.id,
                category=m.rule.category.id,
                offset=m.offset,
                length=m.length,
                message=m.message,
                replacements=tuple(r.value for r in m.replacements),
            )
            for m in sorted(check.matches, key=lambda m: m.offset)
        )
