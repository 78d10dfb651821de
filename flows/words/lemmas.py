"""The lemmas of one answer, counted: the words a learner used, in dictionary form.

Pure and deterministic: spaCy's English tokenizer and lookup lemmatizer, offline (see
flows/language/lexicon.py). The rules:

- Recognisers' non-speech notes ("[BLANK_AUDIO]", "(laughs)") are removed, the apostrophe
  variants (U+2019, U+2018, U+02BC) become ' and the hyphens U+2010, U+2011 become -, and the
  text is lowercased: every lemma is lowercase ("I" is "i", a stop word; "John" is "john").
- Contractions and possessives split as spaCy's tokenizer splits them, and each piece counts
  in the form spaCy normalises it to: "don't" → do + not, "can't" → can + not, "I'm" →
  i + am, "we'll" → we + will, "it's" → it + 's, "John's" → john + 's. All of those pieces
  but "john" are stop words.
- A hyphenated word is one word ("well-known", "e-mail"): spaCy splits it, and the parts
  are joined again when the hyphen has no space on either side. Its lemma is the lookup
  table's entry for the whole word ("e-mails" → "e-mail"), else the word itself
  ("self-driving"). A hyphen at a word's edge is dropped ("well- known" → well + known).
- A word is letters with inner apostrophes or hyphens; anything else is not counted:
  punctuation, abbreviations with dots ("p.m."), and every token with a digit ("45",
  "1990s", "mp3", "covid-19", "3-year-old").
- Numbers are not vocabulary, in digits or in words: number words ("seventeen", "hundreds",
  "twenty-one", ordinals such as "first" and "tenth": spaCy's `like_num` on every part) are
  dropped too, so "45" and "forty-five" are treated alike. This also drops "second" and
  "seconds" as units of time.
- A word counts only when neither it nor its lemma is a stop word (spaCy's list), a
  hesitation ("um", "uh", "er": wordlists.HESITATIONS) or a number. Checking the lemma keeps
  every form of a stop word out ("went" → go, "ones" → one) and the table's odd entries for
  stop forms ("does" → doe); the price is "better" and "best", which the table maps to the
  stop word "well".
- Discourse markers ("like", "actually") do count: they are words the learner knows;
  whether one served as a filler is a delivery measure (the feedback flow's).

Tokens never span whitespace, so the text is counted chunk by chunk (the runs between
whitespace), and each distinct chunk is tokenized and lemmatized once per process: answers
repeat words, and this is what makes the words flow keep up on replay.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.lex_attrs import like_num

from flows.language.lexicon import ENGLISH_STOP_WORDS, lemmatize, load_english
from flows.language.wordlists import HESITATIONS, NON_SPEECH

# The bound of schemas.events.word_stats.Lemma: a longer "word" is not one anyway.
MAX_LEMMA_CHARS = 100

_UNIFY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"})
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def lemma_counts(text: str) -> dict[str, int]:
    """How often each lemma occurs in `text`, by the rules of the module docstring."""
    text = NON_SPEECH.sub(" ", text)
    if not text.isascii():  # the variants unified are not ASCII; most answers are
        text = text.translate(_UNIFY)
    # One count over every lemma: a Counter counts a list in C, one update at a time not.
    return dict(
        Counter([lemma for chunk in text.lower().split() for lemma in _chunk_lemmas(chunk)])
    )


@lru_cache(maxsize=1 << 17)  # bounded: a few MB however much text goes by
def _chunk_lemmas(chunk: str) -> tuple[str, ...]:
    """The counted lemmas of one whitespace-free run of (normalised) text."""
    forms = [form for form in _forms(chunk) if _counts(form)]
    return tuple(lemma for lemma in lemmatize(load_english(), forms) if _counts(lemma))


def _forms(chunk: str) -> list[str]:
    """The chunk's tokens as spaCy normalises them, hyphenated words joined again."""
    # Token objects are costly to make: read each one once.
    tokens = [(t.text, t.norm_) for t in load_english().make_doc(chunk)]
    forms: list[str] = []
    glue = False  # the previous token was a hyphen inside a word
    for i, (text_, norm) in enumerate(tokens):
        # A dash at a word's edge ("well- known", "-start") is not part of it.
        form = norm.strip("-")
        if glue:
            forms[-1] = f"{forms[-1]}-{form}"
            glue = False
        elif text_ == "-" and 0 < i < len(tokens) - 1:
            glue = True
        else:
            forms.append(form)
    return forms


@lru_cache(maxsize=1 << 16)  # word frequencies are Zipfian: most checks are repeats
def _counts(word: str) -> bool:
    return (
        len(word) <= MAX_LEMMA_CHARS
        and _WORD.fullmatch(word) is not None
        and word not in ENGLISH_STOP_WORDS
        and word not in HESITATIONS
        and not all(like_num(part) for part in word.split("-"))  # type: ignore[no-untyped-call]
    )


@dataclass(frozen=True)
class Throughput:
    tokens: int  # spaCy tokens of the texts, punctuation included
    seconds: float

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


def measure_throughput(texts: Sequence[str]) -> Throughput:
    """Wall-clock time of `lemma_counts` over `texts` (the pipeline is loaded beforehand)."""
    nlp = load_english()
    tokens = sum(len(nlp.make_doc(text)) for text in texts)
    start = time.perf_counter()
    for text in texts:
        lemma_counts(text)
    return Throughput(tokens, time.perf_counter() - start)
