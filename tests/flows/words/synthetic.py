"""Synthetic answers with known lemmas: the expected counts come from this table, not spaCy.

Each entry is a surface form and the lemma it must count as, or None for a form that must
not count at all (stop words, contractions of stop words, numbers, fillers, notes).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

LEMMAS: tuple[tuple[str, str | None], ...] = (
    # irregular and regular inflections
    ("children", "child"),
    ("mice", "mouse"),
    ("studies", "study"),
    ("studying", "study"),
    ("geese", "goose"),
    ("feet", "foot"),
    ("teeth", "tooth"),
    ("women", "woman"),
    ("bought", "buy"),
    ("thought", "think"),
    ("taught", "teach"),
    ("written", "write"),
    ("ran", "run"),
    ("swam", "swim"),
    ("began", "begin"),
    ("cities", "city"),
    ("countries", "country"),
    ("analyses", "analysis"),
    ("phenomena", "phenomenon"),
    ("felt", "feel"),
    ("spoke", "speak"),
    ("spoken", "speak"),
    ("languages", "language"),
    ("friends", "friend"),
    ("friend", "friend"),
    ("music", "music"),
    ("travelled", "travel"),
    # possessives and apostrophe variants
    ("John's", "john"),
    ("John\u2019s", "john"),
    ("teacher's", "teacher"),
    ("students'", "student"),
    ("children's", "child"),
    # hyphenated words
    ("well-known", "well-known"),
    ("e-mail", "e-mail"),
    ("e-mails", "e-mail"),
    # contractions: every piece is a stop word
    ("don't", None),
    ("don\u2019t", None),
    ("can't", None),
    ("won't", None),
    ("I'm", None),
    ("I\u2019m", None),
    ("we'll", None),
    ("it's", None),
    ("they're", None),
    ("I've", None),
    ("she'd", None),
    # stop words, and forms whose lemma is one ("went" → go, "saw" → see)
    ("the", None),
    ("because", None),
    ("very", None),
    ("I", None),
    ("went", None),
    ("saw", None),
    # numbers, in digits and in words
    ("45", None),
    ("3.5", None),
    ("1990s", None),
    ("seventeen", None),
    ("twenty-one", None),
    ("hundreds", None),
    ("first", None),
    # fillers and recognisers' notes
    ("um", None),
    ("uh", None),
    ("er", None),
    ("hmm", None),
    ("[BLANK_AUDIO]", None),
    ("(laughs)", None),
)

# Never glue two entries into one word: each separator ends in a space.
SEPARATORS = (" ", " ", " ", ", ", ". ", "! ", "? ", "; ", ": ", " - ", " \u2014 ", "... ", '" ')
CASES = (str.lower, str.capitalize, str.upper, lambda word: word)


@dataclass(frozen=True)
class Answer:
    text: str
    expected: Counter[str]  # lemma counts summed from the table


def compose(entries: Sequence[int], cases: Sequence[int], separators: Sequence[int]) -> Answer:
    """The text of table entries (by index) in the given case styles and separators."""
    parts: list[str] = []
    expected: Counter[str] = Counter()
    for entry, case, separator in zip(entries, cases, separators, strict=True):
        surface, lemma = LEMMAS[entry]
        parts.append(CASES[case](surface) + SEPARATORS[separator])
        if lemma is not None:
            expected[lemma] += 1
    return Answer("".join(parts), expected)


@st.composite
def answers(draw: st.DrawFn, max_words: int = 40) -> Answer:
    size = draw(st.integers(0, max_words))
    indices = st.lists(st.integers(0, len(LEMMAS) - 1), min_size=size, max_size=size)
    cases = st.lists(st.integers(0, len(CASES) - 1), min_size=size, max_size=size)
    separators = st.lists(st.integers(0, len(SEPARATORS) - 1), min_size=size, max_size=size)
    return compose(draw(indices), draw(cases), draw(separators))


def seeded_answer(rng: random.Random, words: int) -> Answer:
    """An answer drawn with a seeded RNG (for the flow test, outside Hypothesis)."""
    return compose(
        [rng.randrange(len(LEMMAS)) for _ in range(words)],
        [rng.randrange(len(CASES)) for _ in range(words)],
        [rng.randrange(len(SEPARATORS)) for _ in range(words)],
    )
