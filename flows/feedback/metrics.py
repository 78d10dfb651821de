"""Measured features of one answer, SpeechRater-style: rate, pauses, fillers, vocabulary.

Definitions (all deterministic; the rubric and the recommendations read `Features`):

- **Tokens**: maximal runs of letters/digits in the transcript, with inner apostrophes or
  hyphens ("don't", "well-known"), lowercased. Hesitations ("um", "uh": see wordlists.py)
  are not words.
- **words**: tokens that are not hesitations (discourse-marker fillers such as a
  comma-delimited "like" are spoken words, so they count here and as fillers).
- **Speech span**: the audio duration minus leading and trailing silence. Leading silence
  is `leading_silence_s` when conversion measured it, else a pause starting at 0, else the
  first word's start; trailing silence is a pause ending at the end of the audio, else the
  time after the last word. Audio-measured silences are preferred: recogniser word times
  drift by tenths of a second.
  An answer without words has a span of 0.
- **words_per_minute** = words / speech span * 60 (0 for an empty span). Leading and
  trailing silence are excluded so that thinking before speaking, or a late stop of the
  recording, does not read as slow speech; pauses inside the answer do count against it.
- **Pauses**: conversion's silences (≥ 0.25 s, the threshold De Jong & Bosker 2013 found
  best for fluency measures) inside the speech span. **Long pauses** are those of
  `LONG_PAUSE_S` = 1.0 s or more. SpeechRater's "long pause" is 0.5 s, but with a 0.25 s
  floor that would count the ordinary clause-boundary pauses of fluent speakers (mostly
  0.5 to 1.0 s) as long; a pause of a second or more is the hesitation a listener notices.
  Pause frequency and mean pause length cover the shorter ones.
- **Repetitions**: a word immediately repeated ("I I think", also across a filler: "I um I");
  fillers repeated are fillers, not repetitions.
- **type_token_ratio**: distinct / all lexical tokens (tokens without fillers). TTR falls as
  answers get longer, so the rubric uses **MATTR** (moving-average TTR over windows of
  `MATTR_WINDOW` = 50 tokens, Covington & McFall 2010), which is length-independent once an
  answer has 50 tokens; shorter answers get their plain TTR.
- **rare_word_ratio**: share of content-word tokens (alphabetic, not stop words) whose lemma
  is outside the 2000 most frequent lemmas (lexicon.py). Names count as rare: a lookup
  lemmatizer cannot tell them apart.
- **relevance**: share of the question's key lemmas (content words minus task words such
  as "describe", "explain") that the answer uses. Synonyms do not match.
- **length_ratio** = speech span / the task's answer time.
- **grammar_errors_per_100_words**: the grammar checker's errors (grammar.py: fillers
  removed, only grammar categories kept) per 100 words; None when it was not checked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from flows.feedback.engines.base import GradingInput
from flows.language.lexicon import Lexicon
from flows.language.wordlists import DISCOURSE_MARKERS, HESITATIONS, TASK_WORDS
from schemas.events.audio_converted import Pause
from schemas.events.feedback import GrammarError, Metrics

LONG_PAUSE_S = 1.0
MATTR_WINDOW = 50
# Conversion's pause edges and the audio's ends agree to within a frame or two.
EDGE_TOLERANCE_S = 0.05
# A content lemma used this often is worth suggesting alternatives for.
OVERUSE_COUNT = 3

# Recognisers' notes on non-speech ("[BLANK_AUDIO]", "(laughs)") are not words.
_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# Commas, sentence ends, ellipses and dashes (en, em) set words off.
_DELIMITER = re.compile("[,.!?;:\u2026\u2013\u2014]")
_LONGEST_MARKER = max(len(marker) for marker in DISCOURSE_MARKERS)


@dataclass(frozen=True, slots=True)
class Features:
    """Everything measured about one answer."""

    duration_s: float
    speech_span_s: float
    words: int
    words_per_minute: float
    pause_durations_s: tuple[float, ...]
    long_pause_count: int
    filler_count: int
    fillers: tuple[tuple[str, int], ...]  # filler and count, most frequent first
    repetition_count: int
    repeated_words: tuple[str, ...]  # distinct, in order of first repetition
    type_token_ratio: float
    mattr: float
    content_words: int
    rare_words: int
    overused: tuple[str, int] | None  # most frequent content lemma, if used OVERUSE_COUNT+
    question_keywords: tuple[str, ...]
    matched_keywords: tuple[str, ...]
    answer_time_s: float | None
    time_to_answer_s: float | None
    grammar_errors: tuple[GrammarError, ...] | None = None  # None: not checked

    @property
    def pause_count(self) -> int:
        return len(self.pause_durations_s)

    @property
    def mean_pause_s(self) -> float:
        return sum(self.pause_durations_s) / self.pause_count if self.pause_count else 0.0

    @property
    def longest_pause_s(self) -> float:
        return max(self.pause_durations_s, default=0.0)

    @property
    def pauses_per_minute(self) -> float:
        return _per_minute(self.pause_count, self.speech_span_s)

    @property
    def long_pauses_per_minute(self) -> float:
        return _per_minute(self.long_pause_count, self.speech_span_s)

    @property
    def fillers_per_100_words(self) -> float:
        return _per_100(self.filler_count, self.words)

    @property
    def repetitions_per_100_words(self) -> float:
        return _per_100(self.repetition_count, self.words)

    @property
    def grammar_errors_per_100_words(self) -> float | None:
        if self.grammar_errors is None:
            return None
        return _per_100(len(self.grammar_errors), self.words)

    @property
    def rare_word_ratio(self) -> float | None:
        return self.rare_words / self.content_words if self.content_words else None

    @property
    def relevance(self) -> float | None:
        if not self.question_keywords:
            return None
        return len(self.matched_keywords) / len(self.question_keywords)

    @property
    def length_ratio(self) -> float | None:
        return None if self.answer_time_s is None else self.speech_span_s / self.answer_time_s

    def to_metrics(self) -> Metrics:
        """The figures the Feedback event carries."""
        return Metrics(
            duration_s=self.duration_s,
            words=self.words,
            words_per_minute=self.words_per_minute,
            pause_count=self.pause_count,
            mean_pause_s=self.mean_pause_s,
            long_pause_count=self.long_pause_count,
            filler_count=self.filler_count,
            type_token_ratio=self.type_token_ratio,
            time_to_answer_s=self.time_to_answer_s,
            repetition_count=self.repetition_count,
            rare_word_ratio=self.rare_word_ratio,
            relevance=self.relevance,
            length_ratio=self.length_ratio,
        )


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    delimited_before: bool  # a comma, sentence boundary or the start precedes it
    delimited_after: bool


def measure(answer: GradingInput, lexicon: Lexicon) -> Features:
    """Measure one answer."""
    tokens = _tokenize(answer.text or " ".join(word.word for word in answer.words))
    fillers, lexical = _split_fillers(tokens)
    spoken = [t.text for t in tokens if t.text not in HESITATIONS]
    start_s, end_s = _speech_edges(answer)
    # Without a word there is no speech to time, whatever the silence detector missed.
    span_s = max(end_s - start_s, 0.0) if spoken else 0.0
    # Milliseconds: finer is below the detector's resolution and only float noise.
    pauses = tuple(
        round(p.end_s - p.start_s, 3)
        for p in answer.pauses
        if p.start_s >= start_s - EDGE_TOLERANCE_S and p.end_s <= end_s + EDGE_TOLERANCE_S
    )
    repeated = [b for a, b in pairwise(lexical) if a == b]
    lemmas = lexicon.lemmas(lexical)
    content = [
        lemma for word, lemma in zip(lexical, lemmas, strict=True) if lexicon.is_content(word)
    ]
    overused = Counter(content).most_common(1)
    keywords = _question_keywords(answer, lexicon)
    used = set(content)
    return Features(
        duration_s=answer.duration_s,
        speech_span_s=span_s,
        words=len(spoken),
        words_per_minute=_per_minute(len(spoken), span_s),
        pause_durations_s=pauses,
        long_pause_count=sum(1 for d in pauses if d >= LONG_PAUSE_S),
        filler_count=len(fillers),
        fillers=tuple(Counter(fillers).most_common()),
        repetition_count=len(repeated),
        repeated_words=tuple(dict.fromkeys(repeated)),
        type_token_ratio=len(set(lexical)) / len(lexical) if lexical else 0.0,
        mattr=_mattr(lexical, MATTR_WINDOW),
        content_words=len(content),
        rare_words=sum(1 for lemma in content if lexicon.is_rare(lemma)),
        overused=overused[0] if overused and overused[0][1] >= OVERUSE_COUNT else None,
        question_keywords=keywords,
        matched_keywords=tuple(k for k in keywords if k in used),
        answer_time_s=answer.question.answer_time_s if answer.question else None,
        time_to_answer_s=answer.time_to_answer_s,
        grammar_errors=None if answer.grammar is None else answer.grammar.errors,
    )


def _tokenize(text: str) -> list[_Token]:
    text = _ANNOTATION.sub(".", text.replace("\u2019", "'"))
    matches = list(_TOKEN.finditer(text))
    gaps = [text[a.end() : b.start()] for a, b in pairwise(matches)]
    delimited = [True, *(bool(_DELIMITER.search(gap)) for gap in gaps), True]
    return [
        _Token(m.group().lower(), delimited_before=delimited[i], delimited_after=delimited[i + 1])
        for i, m in enumerate(matches)
    ]


def _split_fillers(tokens: Sequence[_Token]) -> tuple[list[str], list[str]]:
    """Fillers (hesitations, delimited discourse markers) and the remaining lexical words."""
    fillers: list[str] = []
    lexical: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].text in HESITATIONS:
            fillers.append(tokens[i].text)
            i += 1
            continue
        length = _marker_length(tokens, i)
        if length:
            fillers.append(" ".join(t.text for t in tokens[i : i + length]))
            i += length
            continue
        lexical.append(tokens[i].text)
        i += 1
    return fillers, lexical


def _marker_length(tokens: Sequence[_Token], i: int) -> int:
    """Length of the longest discourse marker set off on both sides at i, else 0."""

    def set_off_before(j: int) -> bool:
        return tokens[j].delimited_before or tokens[j - 1].text in HESITATIONS

    def set_off_after(j: int) -> bool:
        return tokens[j].delimited_after or tokens[j + 1].text in HESITATIONS

    for length in range(min(_LONGEST_MARKER, len(tokens) - i), 0, -1):
        words = tuple(t.text for t in tokens[i : i + length])
        if (
            words in DISCOURSE_MARKERS
            and set_off_before(i)
            and set_off_after(i + length - 1)
            # a marker is only that when the words inside it run on without a break
            and not any(t.delimited_after for t in tokens[i : i + length - 1])
        ):
            return length
    return 0


def _speech_edges(answer: GradingInput) -> tuple[float, float]:
    """Start and end of speech within the audio (see the module docstring)."""
    duration = answer.duration_s
    pauses = answer.pauses
    words = answer.words
    if answer.leading_silence_s is not None:
        start = answer.leading_silence_s
    elif pauses and pauses[0].start_s <= EDGE_TOLERANCE_S:
        start = pauses[0].end_s
    else:
        start = words[0].start_s if words else 0.0
    if pauses and _is_trailing(pauses[-1], duration):
        end = pauses[-1].start_s
    else:
        end = words[-1].end_s if words else duration
    return start, min(end, duration)


def _is_trailing(pause: Pause, duration_s: float) -> bool:
    return pause.end_s >= duration_s - EDGE_TOLERANCE_S and pause.start_s > 0


def _question_keywords(answer: GradingInput, lexicon: Lexicon) -> tuple[str, ...]:
    if answer.question is None:
        return ()
    words = [t.text for t in _tokenize(answer.question.text)]
    keywords = (
        lemma
        for word, lemma in zip(words, lexicon.lemmas(words), strict=True)
        if lexicon.is_content(word) and word not in TASK_WORDS and lemma not in TASK_WORDS
    )
    return tuple(dict.fromkeys(keywords))


def _mattr(tokens: Sequence[str], window: int) -> float:
    """Moving-average type-token ratio; the plain TTR for fewer than `window` tokens."""
    if len(tokens) <= window:
        return len(set(tokens)) / len(tokens) if tokens else 0.0
    counts = Counter(tokens[:window])
    total = len(counts)
    for left, right in zip(tokens, tokens[window:], strict=False):
        counts[left] -= 1
        if not counts[left]:
            del counts[left]
        counts[right] += 1
        total += len(counts)
    return total / (len(tokens) - window + 1) / window


def _per_minute(count: float, seconds: float) -> float:
    return count / seconds * 60 if seconds > 0 else 0.0


def _per_100(count: int, words: int) -> float:
    return count / words * 100 if words else 0.0
