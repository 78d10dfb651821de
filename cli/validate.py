"""`speech-coach validate`: a perturbation suite showing that each rubric dimension moves for
its own reason, on the real flows.

A clean base answer to one question of the bank, and variants of it that each make ONE
controlled change, are spoken by espeak-ng in several voices and submitted exactly as
`speech-coach practice` submits a recording (upload + AnswerSubmitted, then the outcome
read off the feedback topic). Each variant's rubric scores are compared with the base of
the same voice:

| variant     | the one change                                              | should drop       |
|-------------|-------------------------------------------------------------|-------------------|
| fillers     | 18 "um"/"uh", each set off by commas, between words         | delivery          |
| long_pauses | 5 silences of 2.5 s at sentence boundaries                  | delivery          |
| slow        | spoken at SLOW_WPM instead of BASE_WPM                      | delivery          |
| fast        | spoken at FAST_WPM                                          | delivery          |
| grammar     | six agreement and verb-form errors                          | language use      |
| off_topic   | another answer of the same length and vocabulary level,     | topic development |
|             | about something else, for the same question                 |                   |
| short       | the base's leading sentences, at most 45 % of its words     | topic development |

Pass rule per voice and variant: the intended dimension drops by at least 0.3 and each of
the two others moves by at most 0.2 (scores are reported to one decimal). Beside the
table: each answer's speaking-rate error (the feedback's words per minute against the true
rate: the known word count over the speech span measured on the synthesized WAV; target
within 10 %) and the recogniser's word error rate per voice, pooled over its answers.

The pure parts (texts, variants, deltas, pass rule, rate error, WER) need no broker;
`run_suite` does the synthesis and submission.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.practice import submit_and_wait
from clients.kafka import DeliveryFailed, producer
from clients.keyring import Keyring
from clients.objectstore import StorageFailed
from clients.settings import KafkaConnection, S3Connection
from flows.language.wordlists import HESITATIONS
from flows.transcription.synth import encode_voice_note, speech_span, synthesize_parts
from flows.transcription.wer import normalize, word_errors
from questionbank.catalog import CatalogNotLoaded, QuestionCatalog
from questionbank.connector import CDC_TOPIC
from schemas.events import Feedback, Rejected

# "Would you prefer to work for a large company or a small one? Give specific reasons for
# your preference." Its key lemmas (prefer, work, large, company, small, preference) are all
# used by the base answer, five of them in its first three sentences (the short variant),
# none by the off-topic answer.
QUESTION_ID = "independent-009"

# 111 words, spoken style, correct grammar, a few less common words in every part (the
# rare-word share stays above the curve's top of 0.15 in the short variant too). The
# phrases the grammar variant breaks are written so that each occurs once.
BASE_ANSWER: tuple[str, ...] = (
    "I would prefer to work for a small company rather than a large one.",
    "In a small company, a team brings together people with diverse talents, and everyone "
    "learns remarkably quickly.",
    "My cousin joined a modest architecture studio, and within months he could finish "
    "elaborate projects alone.",
    "His manager trusts him, and every week he goes to meetings with important clients.",
    "Large corporations often have rigid hierarchies, and managers rarely share information "
    "with newcomers.",
    "Besides, I think employers reward initiative, and a modest workplace lets you "
    "demonstrate it daily.",
    "The salary might be lower at first, but the experience is priceless.",
    "That is why my preference is clearly a smaller firm.",
)
# About as long, as many less common words, and none of the question's key words.
OFF_TOPIC_ANSWER: tuple[str, ...] = (
    "Last autumn my brother and I climbed a mountain near our village.",
    "We left before sunrise, because the forecast promised heavy rain in the afternoon.",
    "The path was steep and muddy, and we crossed a narrow bridge above a roaring stream.",
    "Halfway up, we met an elderly shepherd who told us legends about the valley.",
    "At the summit the view was breathtaking: lakes, forests and distant glaciers under a "
    "pale sky.",
    "We ate sandwiches, took photographs and listened to the wind.",
    "On the way down the rain finally arrived, so we sheltered in an abandoned hut.",
    "That journey taught me patience, and I still remember it vividly.",
)
# (correct, wrong): determiner + singular noun + base verb, a plural of a plural noun,
# modal + past form, plural noun + -s verb, third person without -s, an uncountable noun
# made plural.
GRAMMAR_ERRORS: tuple[tuple[str, str], ...] = (
    ("a team brings", "a team bring"),
    ("together people", "together peoples"),
    ("could finish", "could finished"),
    ("employers reward", "employers rewards"),
    ("he goes", "he go"),
    ("share information", "share informations"),
)
FILLERS = ("um", "uh")
FILLER_COUNT = 18
PAUSE_COUNT = 5
PAUSE_S = 2.5
# The rubric's evidence cap is words / 10: a short answer under 40 words would be capped on
# every dimension, not only on topic development.
SHORT_SHARE = 0.45
SHORT_MIN_WORDS = 45
# espeak-ng's -s. Measured here (base answer, en-us and en-gb, Whisper tiny.en): 150 speaks
# 147 wpm over the speech span; 80 is espeak-ng's floor (lower asks speak at 80), 82 wpm;
# 220 is the fastest rate whose word error rate stayed under 10 % for both voices
# (220: 6-8 %, 230: 9-11 %, 250: 5-21 %, 280: 14-31 %; the base: 2-3 %).
BASE_WPM = 150
SLOW_WPM = 80
FAST_WPM = 220
DEFAULT_VOICES = ("en-us", "en-gb+f3")

DIMENSIONS = ("delivery", "language_use", "topic_development")
INTENDED_DROP = 0.3  # the intended dimension falls by at least this much
OTHERS_MOVE = 0.2  # the others move by at most this much, either way
RATE_TARGET = 0.10  # speaking-rate error within +/- 10 %
# Scores carry one decimal; deltas are compared with this much slack for float noise.
_EPSILON = 1e-9
# Where a filler is most natural: at a clause boundary, before these words.
_CLAUSE_STARTS = frozenset({"and", "but", "because", "so", "with", "to", "within", "rather"})


class ValidateError(Exception):
    """The suite cannot run (the question is unknown to the flows, no voice given, ...)."""


@dataclass(frozen=True)
class Variant:
    """One answer of the suite: `parts` spoken one after another at `wpm`, `gap_s` of
    silence between two parts; `dimension` is the one it should lower (None: the base)."""

    name: str
    dimension: str | None
    change: str
    parts: tuple[str, ...]
    wpm: int = BASE_WPM
    gap_s: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def sentence_words(sentences: Iterable[str]) -> int:
    return sum(len(sentence.split()) for sentence in sentences)


def with_fillers(text: str, count: int = FILLER_COUNT, fillers: Sequence[str] = FILLERS) -> str:
    """`count` fillers ("um", "uh" in turn) inserted between words, each set off by commas
    as a hesitation is: first at existing punctuation, then before words that start a
    clause, then anywhere, spread evenly over each kind of place."""
    words = text.split()
    places = range(1, len(words))  # before words[i]
    after_punctuation = [i for i in places if words[i - 1][-1] in ",.;:!?"]
    clause_starts = [
        i for i in places if i not in after_punctuation and words[i].lower() in _CLAUSE_STARTS
    ]
    elsewhere = [i for i in places if i not in after_punctuation and i not in clause_starts]
    chosen: list[int] = []
    for kind in (after_punctuation, clause_starts, elsewhere):
        wanted = min(count - len(chosen), len(kind))
        chosen.extend(_spread(kind, wanted))
    if len(chosen) < count:
        raise ValueError(f"{count} fillers do not fit between {len(words)} words")
    out: list[str] = []
    inserted = 0
    for index, word in enumerate(words):
        if index in chosen:
            filler = fillers[inserted % len(fillers)]
            inserted += 1
            if out[-1][-1] in ".!?":
                filler = filler.capitalize()
            elif out[-1][-1] not in ",;:":
                out[-1] += ","
            out.append(f"{filler},")
        out.append(word)
    return " ".join(out)


def _spread(items: Sequence[int], wanted: int) -> list[int]:
    """`wanted` of `items`, evenly spaced."""
    if wanted <= 0:
        return []
    return [items[int((k + 0.5) * len(items) / wanted)] for k in range(wanted)]


def with_grammar_errors(text: str, errors: Sequence[tuple[str, str]] = GRAMMAR_ERRORS) -> str:
    """The text with each correct phrase replaced by its wrong form; each must occur once."""
    for correct, wrong in errors:
        found = len(re.findall(rf"\b{re.escape(correct)}\b", text))
        if found != 1:
            raise ValueError(f"{correct!r} occurs {found} times in the text, not once")
        text = re.sub(rf"\b{re.escape(correct)}\b", wrong, text)
    return text


def errors_heard(transcript: str, errors: Sequence[tuple[str, str]] = GRAMMAR_ERRORS) -> int:
    """How many of the wrong phrases the transcript carries (normalised, as spoken)."""
    heard = f" {' '.join(normalize(transcript))} "
    return sum(f" {' '.join(normalize(wrong))} " in heard for _, wrong in errors)


def with_pauses(sentences: Sequence[str], count: int = PAUSE_COUNT) -> tuple[str, ...]:
    """The sentences grouped into `count` + 1 parts, split at the sentence boundaries
    nearest to evenly spaced points of the text (by words)."""
    if count >= len(sentences):
        raise ValueError(f"{count} pauses need more than {len(sentences)} sentences")
    ends = [sentence_words(sentences[: i + 1]) for i in range(len(sentences) - 1)]
    total = sentence_words(sentences)
    cuts: set[int] = set()
    for k in range(1, count + 1):
        target = k * total / (count + 1)
        free = [i for i in range(len(ends)) if i not in cuts]
        cuts.add(min(free, key=lambda i: abs(ends[i] - target)))
    parts: list[str] = []
    start = 0
    for cut in sorted(cuts):
        parts.append(" ".join(sentences[start : cut + 1]))
        start = cut + 1
    parts.append(" ".join(sentences[start:]))
    return tuple(parts)


def leading_sentences(
    sentences: Sequence[str], share: float = SHORT_SHARE, min_words: int = SHORT_MIN_WORDS
) -> tuple[str, ...]:
    """The first sentences holding at most `share` of the words, and at least `min_words`."""
    total = sentence_words(sentences)
    taken: list[str] = []
    for sentence in sentences:
        if sentence_words([*taken, sentence]) > share * total and taken:
            break
        taken.append(sentence)
    if sentence_words(taken) < min_words:
        raise ValueError(
            f"the first {share:.0%} of the answer holds {sentence_words(taken)} words, "
            f"under {min_words}"
        )
    return tuple(taken)


def variants(
    base: Sequence[str] = BASE_ANSWER,
    off_topic: Sequence[str] = OFF_TOPIC_ANSWER,
    *,
    wpm: int = BASE_WPM,
    slow_wpm: int = SLOW_WPM,
    fast_wpm: int = FAST_WPM,
) -> tuple[Variant, ...]:
    """The base answer first, then each variant: one change each."""
    text = " ".join(base)
    short = " ".join(leading_sentences(base))
    return (
        Variant("base", None, "the clean answer", (text,), wpm),
        Variant("fillers", "delivery", f"{FILLER_COUNT} fillers", (with_fillers(text),), wpm),
        Variant(
            "long_pauses",
            "delivery",
            f"{PAUSE_COUNT} silences of {PAUSE_S} s",
            with_pauses(base),
            wpm,
            gap_s=PAUSE_S,
        ),
        Variant("slow", "delivery", f"espeak-ng at {slow_wpm} wpm", (text,), slow_wpm),
        Variant("fast", "delivery", f"espeak-ng at {fast_wpm} wpm", (text,), fast_wpm),
        Variant(
            "grammar",
            "language_use",
            f"{len(GRAMMAR_ERRORS)} grammar errors",
            (with_grammar_errors(text),),
            wpm,
        ),
        Variant("off_topic", "topic_development", "another subject", (" ".join(off_topic),), wpm),
        Variant("short", "topic_development", "its leading sentences", (short,), wpm),
    )


def known_words(text: str) -> int:
    """Words of a spoken text as the rubric counts them: hesitations are not words."""
    return sum(1 for word in normalize(text) if word not in HESITATIONS)


def true_rate(words: int, speech_s: float) -> float:
    """Words per minute over the speech span."""
    return words / speech_s * 60 if speech_s > 0 else 0.0


def rate_error(measured_wpm: float, true_wpm: float) -> float:
    """Relative error of the measured speaking rate."""
    return (measured_wpm - true_wpm) / true_wpm


def deltas(base: Mapping[str, float], other: Mapping[str, float]) -> dict[str, float]:
    """Change of each dimension from the base, to the scores' one decimal."""
    return {d: round(other[d] - base[d], 1) for d in DIMENSIONS}


def verdict(dimension: str, moved: Mapping[str, float]) -> str | None:
    """Why a variant fails the pass rule; None when it passes."""
    reasons = []
    if moved[dimension] > -INTENDED_DROP + _EPSILON:
        reasons.append(f"{dimension} moved {moved[dimension]:+.1f}, not by -{INTENDED_DROP}")
    for other in DIMENSIONS:
        if other != dimension and abs(moved[other]) > OTHERS_MOVE + _EPSILON:
            reasons.append(f"{other} moved {moved[other]:+.1f} (at most {OTHERS_MOVE})")
    return "; ".join(reasons) or None


@dataclass(frozen=True)
class Spoken:
    """One synthesized answer and its ground truth."""

    voice: str
    variant: Variant
    wav: Path
    voice_note: Path
    words: int  # known word count
    speech_s: float  # speech span measured on the synthesized WAV

    @property
    def true_wpm(self) -> float:
        return true_rate(self.words, self.speech_s)


@dataclass(frozen=True)
class Graded:
    """What the flows made of one answer: feedback, or why there is none."""

    spoken: Spoken
    feedback: Feedback | None
    error: str | None = None
    latency_s: float | None = None


@dataclass(frozen=True)
class Row:
    voice: str
    variant: str
    dimension: str
    moved: dict[str, float] | None  # None: the variant or its base got no feedback
    failure: str | None

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class WerSummary:
    edits: int
    reference_words: int

    @property
    def rate(self) -> float:
        return self.edits / self.reference_words if self.reference_words else 0.0


def table(graded: Sequence[Graded]) -> list[Row]:
    """Each variant against the base of its voice, in the order given."""
    bases = {g.spoken.voice: g for g in graded if g.spoken.variant.dimension is None}
    rows = []
    for answer in graded:
        variant = answer.spoken.variant
        if variant.dimension is None:
            continue
        voice = answer.spoken.voice
        base = bases.get(voice)
        if base is None or base.feedback is None:
            why = base.error if base else "not submitted"
            rows.append(Row(voice, variant.name, variant.dimension, None, f"no base: {why}"))
        elif answer.feedback is None:
            rows.append(Row(voice, variant.name, variant.dimension, None, answer.error))
        else:
            moved = deltas(base.feedback.scores.model_dump(), answer.feedback.scores.model_dump())
            failure = verdict(variant.dimension, moved)
            rows.append(Row(voice, variant.name, variant.dimension, moved, failure))
    return rows


def pooled_wer(pairs: Iterable[tuple[str, str]]) -> WerSummary:
    """Word errors of (spoken text, transcript) pairs, summed: longer answers weigh more."""
    edits = reference = 0
    for spoken, transcript in pairs:
        errors = word_errors(spoken, transcript)
        edits += errors.edits
        reference += errors.reference_words
    return WerSummary(edits, reference)


def wer_by_voice(graded: Sequence[Graded]) -> dict[str, WerSummary]:
    voices = dict.fromkeys(g.spoken.voice for g in graded)
    return {
        voice: pooled_wer(
            (g.spoken.variant.text, g.feedback.transcript)
            for g in graded
            if g.spoken.voice == voice and g.feedback is not None
        )
        for voice in voices
    }


@dataclass(frozen=True)
class Report:
    question_id: str
    voices: tuple[str, ...]
    graded: tuple[Graded, ...]
    rows: tuple[Row, ...]
    wer: dict[str, WerSummary]
    elapsed_s: float

    @classmethod
    def of(cls, graded: Sequence[Graded], elapsed_s: float) -> Report:
        voices = tuple(dict.fromkeys(g.spoken.voice for g in graded))
        return cls(
            QUESTION_ID, voices, tuple(graded), tuple(table(graded)), wer_by_voice(graded),
            elapsed_s,
        )  # fmt: skip

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)

    @property
    def failed(self) -> list[str]:
        return [f"{r.voice}/{r.variant}: {r.failure}" for r in self.rows if not r.passed]

    def answers(self) -> list[dict[str, Any]]:
        return [answer_json(g) for g in self.graded]

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "voices": list(self.voices),
            "rule": {
                "intended_drop_at_least": INTENDED_DROP,
                "others_move_at_most": OTHERS_MOVE,
                "rate_error_target": RATE_TARGET,
            },
            "rows": [
                {
                    "voice": r.voice,
                    "variant": r.variant,
                    "dimension": r.dimension,
                    "delta": r.moved,
                    "pass": r.passed,
                    "failure": r.failure,
                }
                for r in self.rows
            ],
            "answers": self.answers(),
            "wer": {
                voice: {"rate": round(w.rate, 4), "edits": w.edits, "words": w.reference_words}
                for voice, w in self.wer.items()
            },
            "passed": self.passed,
            "failed": self.failed,
            "elapsed_s": round(self.elapsed_s, 1),
        }


def answer_json(graded: Graded) -> dict[str, Any]:
    spoken, feedback = graded.spoken, graded.feedback
    out: dict[str, Any] = {
        "voice": spoken.voice,
        "variant": spoken.variant.name,
        "change": spoken.variant.change,
        "espeak_wpm": spoken.variant.wpm,
        "words": spoken.words,
        "speech_s": round(spoken.speech_s, 2),
        "true_wpm": round(spoken.true_wpm, 1),
        "error": graded.error,
    }
    if feedback is None:
        return out
    measured = feedback.metrics.words_per_minute
    error = rate_error(measured, spoken.true_wpm)
    out |= {
        "measured_wpm": round(measured, 1),
        "rate_error": round(error, 4),
        "rate_within_target": abs(error) <= RATE_TARGET,
        "scores": feedback.scores.model_dump(),
        "metrics": feedback.metrics.model_dump(),
        "wer": round(word_errors(spoken.variant.text, feedback.transcript).rate, 4),
        "transcript": feedback.transcript,
        "latency_s": None if graded.latency_s is None else round(graded.latency_s, 2),
    }
    # The grammar checker's findings: None when it was unavailable.
    if feedback.grammar is not None:
        out["grammar_errors_found"] = [error.said for error in feedback.grammar.errors]
    if spoken.variant.name == "fillers":
        out["fillers_spoken"] = FILLER_COUNT
    if spoken.variant.name == "grammar":
        out["grammar_errors_spoken"] = len(GRAMMAR_ERRORS)
        out["grammar_errors_heard"] = errors_heard(feedback.transcript)
    return out


def speak(voice: str, variant: Variant, workdir: Path) -> Spoken:
    """Synthesize one answer as a Telegram-like voice note, with its ground truth."""
    stem = f"{re.sub(r'[^A-Za-z0-9]+', '_', voice)}-{variant.name}"
    wav = synthesize_parts(
        variant.parts, workdir / f"{stem}.wav", gap_s=variant.gap_s, wpm=variant.wpm, voice=voice
    )
    start, end = speech_span(wav)
    note = encode_voice_note(wav, workdir / f"{stem}.ogg")
    return Spoken(voice, variant, wav, note, known_words(variant.text), end - start)


def learner_id(prefix: str, voice: str, variant: str) -> str:
    """One learner per voice and variant, the same each run: the answers go through the
    flows side by side, and repeated runs add no learners."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9]+', '-', voice)}-{variant}"


def check_question(kafka: KafkaConnection, namespace: str, question_id: str) -> None:
    """The feedback flow must know the question, or it grades without one: no relevance."""
    try:
        with QuestionCatalog(kafka, namespace + CDC_TOPIC) as catalog:
            catalog.wait_until_loaded(30)
            known = catalog.get(question_id) is not None
    except CatalogNotLoaded as exc:
        raise ValidateError(f"the question bank could not be read: {exc}") from exc
    if not known:
        raise ValidateError(
            f"question {question_id} is not in the question bank topic "
            f"({namespace + CDC_TOPIC}); `speech-coach init` loads the bank"
        )


def run_suite(
    voices: Sequence[str], *, kafka: KafkaConnection, s3: S3Connection, namespace: str,
    user: str = "validate", timeout_s: float = 300.0, workers: int = 3,
    workdir: Path | None = None, progress: Callable[[str], None] = lambda _: None,
) -> Report:  # fmt: skip
    """Synthesizes every voice's answers, submits them as `practice` does (`workers` at a
    time, each waiting at most `timeout_s` for its outcome) and compares the feedback."""
    if not voices:
        raise ValidateError("no voice given")
    started = time.monotonic()
    check_question(kafka, namespace, QUESTION_ID)
    with tempfile.TemporaryDirectory(prefix="validate-") as tmp:
        directory = workdir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        spoken = [speak(voice, variant, directory) for voice in voices for variant in variants()]
        progress(f"synthesized {len(spoken)} answers in {time.monotonic() - started:.1f} s")
        writer = producer(kafka)
        with Keyring(kafka, namespace) as keyring:

            def grade(answer: Spoken) -> Graded:
                label = f"{answer.voice}/{answer.variant.name}"
                try:
                    outcome = submit_and_wait(
                        answer.voice_note, kafka=kafka, s3=s3, namespace=namespace,
                        user_id=learner_id(user, answer.voice, answer.variant.name),
                        question_id=QUESTION_ID, timeout_s=timeout_s,
                        progress=lambda line: progress(f"[{label}] {line}"),
                        writer=writer, keyring=keyring,
                    )  # fmt: skip
                except (DeliveryFailed, StorageFailed, TimeoutError) as exc:
                    return Graded(answer, None, f"not graded: {exc}")
                if isinstance(outcome.event, Rejected):
                    event = outcome.event
                    return Graded(answer, None, f"rejected ({event.code}): {event.message}")
                return Graded(answer, outcome.event, None, outcome.latency_ms / 1000)

            with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                futures = [pool.submit(grade, answer) for answer in spoken]
                for future in as_completed(futures):
                    progress(_outcome_line(future.result()))
                graded = [future.result() for future in futures]
    return Report.of(graded, time.monotonic() - started)


def _outcome_line(graded: Graded) -> str:
    label = f"[{graded.spoken.voice}/{graded.spoken.variant.name}]"
    if graded.feedback is None:
        return f"{label} {graded.error}"
    scores = graded.feedback.scores
    return (
        f"{label} delivery {scores.delivery}, language use {scores.language_use}, "
        f"topic development {scores.topic_development}"
    )
