"""Curated word lists the measures need; frequency data comes from spaCy (see lexicon.py).

Fillers are counted in two tiers, because a word such as "like" is a filler only sometimes:

- HESITATIONS are never words of content ("um", "uh", ...): every occurrence counts.
- DISCOURSE_MARKERS ("like", "you know", "I mean", "so", "well", ...) count only when set
  off on both sides, by a comma or a sentence boundary: "It was, like, huge" and
  "So, I think" count; "sports like football", "I think so, because" and "as well, and"
  do not. Recognisers punctuate parenthetical markers this way; with no punctuation at
  all the marker is not counted, so the measure errs towards fewer fillers.
"""

from __future__ import annotations

import re

# Recognisers' notes on non-speech ("[BLANK_AUDIO]", "(laughs)") are not words.
NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)")

HESITATIONS: frozenset[str] = frozenset(
    {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm"}
)

# Lowercased word sequences; the longest match wins.
DISCOURSE_MARKERS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("like",),
        ("so",),
        ("well",),
        ("actually",),
        ("basically",),
        ("literally",),
        ("you", "know"),
        ("i", "mean"),
    }
)

# Words that shape a task rather than name its topic ("Describe ... and explain why ...");
# they are left out of the question's key words when relevance is measured.
TASK_WORDS: frozenset[str] = frozenset(
    {
        "answer",
        "describe",
        "detail",
        "discuss",
        "example",
        "explain",
        "give",
        "include",
        "question",
        "reason",
        "response",
        "specific",
        "support",
        "talk",
        "tell",
        "use",
    }
)
