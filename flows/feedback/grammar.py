"""Grammar errors of one answer from the checker's matches: what is checked, what is kept,
and how each error is quoted back to the learner.

- **Checked text**: the transcript without hesitations ("um", "uh") and recogniser notes
  ("[BLANK_AUDIO]"), so a filler neither hides an error ("could, um, finished") nor makes
  one; every character keeps its offset in the transcript.
- **Kept**: matches of the grammar categories only. A transcript's capitals, punctuation and
  sentence breaks are the recogniser's choices, not the learner's, and its spelling of
  names is a guess: casing, punctuation, typography, style and spelling matches are noise.
- **Quote**: a one-word match is quoted with up to `QUOTE_CONTEXT` words before it in the
  same clause ("they could finished" -> "they could finish"), so the learner sees the
  words that make it wrong; the correction is the checker's first suggestion in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from clients.grammar import ENGINE, GrammarMatch, GrammarUnavailable
from flows.language.wordlists import HESITATIONS, NON_SPEECH
from schemas.events.feedback import Grammar, GrammarError

# LanguageTool's grammar category, and the project's rules for learner agreement errors
# (stack/languagetool/.../grammar_custom.xml).
CHECKED_CATEGORIES = frozenset({"GRAMMAR", "SPEECH_COACH"})
QUOTE_CONTEXT = 2
MAX_ERRORS = 100

Checker = Callable[[str], Sequence[GrammarMatch]]

_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
# A hesitation with the comma and space after it, so "I think, um, it" reads "I think, it".
_HESITATION = re.compile(
    r"\b(?:" + "|".join(sorted(HESITATIONS, key=len, reverse=True)) + r")\b[,.]?\s*",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,.!?;:\u2026\u2013\u2014]")


@dataclass(frozen=True, slots=True)
class CheckedText:
    """The text sent to the checker, and for each of its characters the transcript offset."""

    text: str
    origin: tuple[int, ...]

    def transcript_offset(self, offset: int) -> int:
        return self.origin[offset] if offset < len(self.origin) else (self.origin[-1] + 1)


def checked_text(transcript: str) -> CheckedText:
    """The transcript without hesitations and recogniser notes (see the module docstring)."""
    dropped = [False] * len(transcript)
    for pattern in (NON_SPEECH, _HESITATION):
        for found in pattern.finditer(transcript):
            dropped[found.start() : found.end()] = [True] * (found.end() - found.start())
    kept = [i for i, gone in enumerate(dropped) if not gone]
    return CheckedText("".join(transcript[i] for i in kept), tuple(kept))


def errors(checked: CheckedText, matches: Sequence[GrammarMatch]) -> tuple[GrammarError, ...]:
    """The kept matches as quoted errors, one per stretch of text, in text order."""
    found: list[GrammarError] = []
    taken_until = 0
    for match in sorted(matches, key=lambda m: m.offset):
        if match.category not in CHECKED_CATEGORIES or match.offset < taken_until:
            continue
        end = match.offset + match.length
        one_word = _WORD.fullmatch(checked.text[match.offset : end]) is not None
        start = _quote_start(checked.text, match.offset) if one_word else match.offset
        prefix = checked.text[start : match.offset]
        said = checked.text[start:end].strip()
        correction = (prefix + match.replacements[0]).strip() if match.replacements else None
        if not said or correction == said:
            continue
        taken_until = end
        found.append(
            GrammarError(
                said=said,
                correction=correction or None,
                rule=match.rule,
                category=match.category,
                offset=checked.transcript_offset(start),
                message=match.message[:500],
            )
        )
    return tuple(found[:MAX_ERRORS])


def _quote_start(text: str, offset: int) -> int:
    """Where the quote of a match at `offset` starts: up to QUOTE_CONTEXT words earlier,
    never across a clause break."""
    before = text[:offset]
    clause = max((m.end() for m in _CLAUSE_BREAK.finditer(before)), default=0)
    words = list(_WORD.finditer(before, clause))
    return words[-QUOTE_CONTEXT].start() if len(words) >= QUOTE_CONTEXT else clause


def per_100_words(count: int, words: int) -> float:
    return round(count / words * 100, 2) if words else 0.0


@dataclass(frozen=True, slots=True)
class GrammarCheck:
    """What grading knows of an answer's grammar: the checker's errors, or why there are none."""

    errors: tuple[GrammarError, ...] | None
    unavailable: str | None = None

    def report(self, words: int) -> Grammar | None:
        if self.errors is None:
            return None
        return Grammar(
            engine=ENGINE,
            errors_per_100_words=per_100_words(len(self.errors), words),
            errors=self.errors,
        )


def check(checker: Checker | None, transcript: str) -> GrammarCheck:
    """Check a transcript; a checker that is not configured or not answering is recorded."""
    if checker is None:
        return GrammarCheck(None, "not_configured")
    text = checked_text(transcript)
    if not text.text.strip():
        return GrammarCheck(())
    try:
        matches = checker(text.text)
    except GrammarUnavailable as exc:
        return GrammarCheck(None, f"checker_unavailable: {exc.reason}"[:200])
    return GrammarCheck(errors(text, matches))
