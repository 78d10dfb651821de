"""English lemmas, stop words and word frequency, from spaCy and spacy-lookups-data.

Lemmas come from `spacy.blank("en")` with the lemmatizer in lookup mode (DESIGN §5).
Frequency comes from the `en_lexeme_prob` table shipped in spacy-lookups-data (log
probabilities of about a million word forms): the forms' probabilities are summed per
lemma and the `COMMON_LEMMAS` most probable lemmas are "common". The 2000 cut-off follows
the Lexical Frequency Profile (Laufer & Nation 1995), which treats words beyond the 2000
most frequent families as the sign of a sophisticated vocabulary.

Building the lexicon parses the table (about 2 s and 270 MB peak here), so it is done
once per process: use `load_lexicon()`. Code that needs only lemmas and stop words (the
words flow) uses `load_english()`, `lemmatize` and `ENGLISH_STOP_WORDS`, which are cheap.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc
from spacy.util import load_language_data, registry

COMMON_LEMMAS = 2000
# The most probable lowercase forms easily cover the common lemmas' inflections; ranking
# all million forms would only add misspellings and names.
_RANKED_FORMS = 50_000

ENGLISH_STOP_WORDS: frozenset[str] = frozenset(w.lower() for w in STOP_WORDS)


@dataclass(frozen=True)
class Lexicon:
    """Lemmatizer plus the sets the lexical measures look words up in."""

    nlp: spacy.language.Language
    common_lemmas: frozenset[str]
    stop_words: frozenset[str]

    def lemmas(self, words: Sequence[str]) -> tuple[str, ...]:
        """Lemmas of lowercased words, in order (a word without an entry is its own lemma)."""
        return lemmatize(self.nlp, words)

    def is_content(self, word: str) -> bool:
        """A lowercased alphabetic word that is not a stop word."""
        return word.isalpha() and word not in self.stop_words

    def is_rare(self, lemma: str) -> bool:
        """Outside the COMMON_LEMMAS most frequent lemmas."""
        return lemma not in self.common_lemmas


def lemmatize(nlp: spacy.language.Language, words: Sequence[str]) -> tuple[str, ...]:
    """Lookup lemmas of `words`, in order; the table is case-sensitive, so pass lowercase."""
    if not words:
        return ()
    doc = nlp.get_pipe("lemmatizer")(Doc(nlp.vocab, words=list(words)))
    return tuple(token.lemma_ for token in doc)


def _common_lemmas(nlp: spacy.language.Language) -> frozenset[str]:
    probs = load_language_data(registry.lookups.get("en")["lexeme_prob"])
    if not isinstance(probs, dict):
        raise TypeError("spacy-lookups-data en lexeme_prob is not a table of word forms")
    top = heapq.nlargest(
        _RANKED_FORMS, ((p, w) for w, p in probs.items() if w.isalpha() and w.islower())
    )
    del probs
    mass: dict[str, float] = {}
    for (log_prob, _), lemma in zip(top, lemmatize(nlp, [w for _, w in top]), strict=True):
        mass[lemma] = mass.get(lemma, 0.0) + math.exp(log_prob)
    # Ties broken by the lemma itself, so the set never depends on dict order.
    ranked = sorted(mass, key=lambda lemma: (-mass[lemma], lemma))
    return frozenset(ranked[:COMMON_LEMMAS])


@cache
def load_english() -> spacy.language.Language:
    """The process-wide English tokenizer + lookup lemmatizer (built on first use)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@cache
def load_lexicon() -> Lexicon:
    """The process-wide lexicon (built on first use)."""
    nlp = load_english()
    return Lexicon(nlp=nlp, common_lemmas=_common_lemmas(nlp), stop_words=ENGLISH_STOP_WORDS)
