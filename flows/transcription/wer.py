"""Word error rate of a transcript against the text that was spoken.

Both sides are normalised first, so only what was *heard* differently counts: lowercase,
hyphens and slashes split words, punctuation (apostrophes included) dropped, numbers
spelled out as espeak-ng speaks them ("25" and "twenty-five" both become "twenty five").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.transcription.numbers import spoken

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015/]+")
# Edge punctuation goes before a token is read as a number; "%" belongs to the number.
_EDGE_PUNCTUATION = re.compile(r"^[^\w%]+|[^\w%]+$")
_INNER_PUNCTUATION = re.compile(r"[^\w]+")


class EmptyReference(ValueError):
    """The reference has no words, so an error rate is undefined."""


@dataclass(frozen=True)
class WordErrors:
    """Minimum edits turning the reference words into the hypothesis words."""

    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def edits(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        return self.edits / self.reference_words


def normalize(text: str) -> list[str]:
    words: list[str] = []
    for token in _SEPARATORS.split(text.lower()):
        bare = _EDGE_PUNCTUATION.sub("", token)
        number = spoken(bare)
        if number is not None:
            words.extend(number)
        elif word := _INNER_PUNCTUATION.sub("", bare):
            words.append(word)
    return words


def word_errors(reference: str, hypothesis: str) -> WordErrors:
    """Levenshtein alignment over normalised words; raises `EmptyReference`."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        raise EmptyReference("the reference text has no words")
    # row[j]: (edits, substitutions, deletions, insertions) aligning ref[:i] with hyp[:j].
    row = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i, ref_word in enumerate(ref, start=1):
        previous, row = row, [(i, 0, i, 0)]
        for j, hyp_word in enumerate(hyp, start=1):
            edits, s, d, n = previous[j - 1]
            diagonal = (edits, s, d, n) if ref_word == hyp_word else (edits + 1, s + 1, d, n)
            edits, s, d, n = previous[j]
            deletion = (edits + 1, s, d + 1, n)
            edits, s, d, n = row[j - 1]
            insertion = (edits + 1, s, d, n + 1)
            row.append(min(diagonal, deletion, insertion))
    _, substitutions, deletions, insertions = row[-1]
    return WordErrors(substitutions, deletions, insertions, len(ref))
