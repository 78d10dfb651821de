"""The perturbation suite (cli/validate.py, cli/validate_cmd.py): its texts and variants, the
delta table and pass rule, rate error and WER, with no broker; and one run of the whole
command on the real stack and the real flows, with one voice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from cli.validate import (
    BASE_ANSWER,
    FILLER_COUNT,
    GRAMMAR_ERRORS,
    OFF_TOPIC_ANSWER,
    PAUSE_COUNT,
    PAUSE_S,
    QUESTION_ID,
    SHORT_MIN_WORDS,
    SHORT_SHARE,
    Graded,
    Report,
    Spoken,
    Variant,
    deltas,
    errors_heard,
    known_words,
    leading_sentences,
    pooled_wer,
    rate_error,
    table,
    true_rate,
    variants,
    verdict,
    with_fillers,
    with_grammar_errors,
    with_pauses,
)
from cli.validate_cmd import render
from flows.feedback.engines.base import GradingInput, QuestionInfo
from flows.feedback.metrics import Features, measure
from flows.language.lexicon import Lexicon, load_lexicon
from flows.language.wordlists import HESITATIONS
from flows.transcription.wer import normalize
from questionbank.connector import cdc_topic
from questionbank.model import Question
from questionbank.seed import read_seed
from schemas.events import Feedback
from schemas.events.feedback import RubricScores
from stack.settings import REPO_ROOT, StackSettings
from tests.pipeline import Pipeline
from tests.questionbank.records import key, row, value
from tests.schemas.samples import SAMPLES

BASE = " ".join(BASE_ANSWER)
VARIANTS = {variant.name: variant for variant in variants()}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def question() -> Question:
    return next(q for q in read_seed() if q.question_id == QUESTION_ID)


def _features(text: str, question: Question, lexicon: Lexicon) -> Features:
    info = QuestionInfo(
        question.question_id, question.text, question.category, question.answer_time_s,
        question.preparation_s,
    )  # fmt: skip
    answer = GradingInput(
        text=text, words=(), duration_s=45.0, pauses=(), speech_duration_s=45.0, question=info
    )
    return measure(answer, lexicon)


# --- the texts --------------------------------------------------------------------------


def test_the_base_answers_the_question_with_all_its_key_words(
    question: Question, lexicon: Lexicon
) -> None:
    features = _features(BASE, question, lexicon)
    assert 100 <= known_words(BASE) <= 120
    assert features.matched_keywords == features.question_keywords
    assert len(features.question_keywords) >= 5
    # less common words above the rubric curve's top (0.15), so vocabulary is no variable
    assert features.rare_words / features.content_words >= 0.2


def test_the_off_topic_answer_is_as_long_and_rich_and_shares_no_key_word(
    question: Question, lexicon: Lexicon
) -> None:
    text = " ".join(OFF_TOPIC_ANSWER)
    features = _features(text, question, lexicon)
    assert features.matched_keywords == ()
    assert known_words(text) == pytest.approx(known_words(BASE), rel=0.1)
    assert features.rare_words / features.content_words >= 0.2


def test_the_short_answer_keeps_its_relevance_and_vocabulary(
    question: Question, lexicon: Lexicon
) -> None:
    short = VARIANTS["short"].text
    assert BASE.startswith(short)
    assert SHORT_MIN_WORDS <= known_words(short) <= SHORT_SHARE * known_words(BASE)
    features = _features(short, question, lexicon)
    # relevance stays at the curve's top (0.4): only length and word count move
    assert len(features.matched_keywords) / len(features.question_keywords) >= 0.5
    assert features.rare_words / features.content_words >= 0.2


# --- the variants: one change each ------------------------------------------------------


def test_every_variant_changes_one_thing_of_the_base() -> None:
    assert list(VARIANTS) == [
        "base", "fillers", "long_pauses", "slow", "fast", "grammar", "off_topic", "short",
    ]  # fmt: skip
    base = VARIANTS["base"]
    assert base.dimension is None
    assert base.parts == (BASE,)
    for name in ("fillers", "grammar", "off_topic", "short"):
        assert VARIANTS[name].wpm == base.wpm
        assert VARIANTS[name].gap_s == 0
    assert VARIANTS["slow"].text == VARIANTS["fast"].text == BASE
    assert VARIANTS["slow"].wpm < base.wpm < VARIANTS["fast"].wpm
    assert VARIANTS["long_pauses"].text == BASE
    assert VARIANTS["long_pauses"].gap_s == PAUSE_S
    assert len(VARIANTS["long_pauses"].parts) == PAUSE_COUNT + 1
    assert {v.dimension for v in VARIANTS.values()} == {
        None, "delivery", "language_use", "topic_development",
    }  # fmt: skip


def test_fillers_are_the_only_words_added() -> None:
    spoken = normalize(VARIANTS["fillers"].text)
    assert sum(word in HESITATIONS for word in spoken) == FILLER_COUNT
    assert [word for word in spoken if word not in HESITATIONS] == normalize(BASE)
    assert known_words(VARIANTS["fillers"].text) == known_words(BASE)


def test_fillers_go_to_clause_boundaries_first_set_off_by_commas() -> None:
    text = "I like tea. It is warm, and it is cheap but rare"
    assert with_fillers(text, 3) == "I like tea. Um, It is warm, uh, and it is cheap, um, but rare"
    assert with_fillers(text, 2) == "I like tea. Um, It is warm, uh, and it is cheap but rare"
    with pytest.raises(ValueError, match="do not fit"):
        with_fillers("two words", 2)


def test_grammar_errors_replace_six_words_one_for_one() -> None:
    wrong = normalize(VARIANTS["grammar"].text)
    right = normalize(BASE)
    assert len(wrong) == len(right)
    changed = [(r, w) for r, w in zip(right, wrong, strict=True) if r != w]
    assert changed == [
        ("brings", "bring"), ("people", "peoples"), ("finish", "finished"), ("goes", "go"),
        ("information", "informations"), ("reward", "rewards"),
    ]  # fmt: skip
    assert len(GRAMMAR_ERRORS) == 6
    with pytest.raises(ValueError, match="occurs 0 times"):
        with_grammar_errors("nothing to break here")


def test_errors_heard_counts_the_wrong_phrases_the_transcript_kept() -> None:
    assert errors_heard(VARIANTS["grammar"].text) == 6
    assert errors_heard(BASE) == 0
    assert errors_heard("So a team bring together people, and he go there.") == 2


def test_pauses_split_at_sentence_boundaries_spread_over_the_text() -> None:
    sentences = ("One two three.", "Four five.", "Six seven eight nine.", "Ten.", "Eleven.")
    # 11 words: the cuts nearest to words 3.7 and 7.3 fall after words 3 and 9
    assert with_pauses(sentences, 2) == (
        "One two three.", "Four five. Six seven eight nine.", "Ten. Eleven.",
    )  # fmt: skip
    with pytest.raises(ValueError, match="need more than"):
        with_pauses(sentences, 5)


def test_the_short_answer_takes_leading_sentences_up_to_the_share() -> None:
    sentences = tuple(" ".join(["word"] * 10) + "." for _ in range(10))
    assert len(leading_sentences(sentences, 0.45, 20)) == 4
    assert len(leading_sentences(sentences, 0.05, 5)) == 1  # at least one sentence
    with pytest.raises(ValueError, match="under 45"):
        leading_sentences(sentences, 0.3, 45)


# --- rate, deltas, pass rule, WER --------------------------------------------------------


def test_rate_error_is_relative_to_the_true_rate() -> None:
    assert true_rate(110, 44.0) == pytest.approx(150.0)
    assert true_rate(10, 0.0) == 0.0
    assert rate_error(165.0, 150.0) == pytest.approx(0.1)
    assert rate_error(135.0, 150.0) == pytest.approx(-0.1)
    assert known_words("Um, I think, uh, that twenty-five is fine.") == 7


def test_deltas_are_rounded_to_the_scores_decimal() -> None:
    base = {"delivery": 4.0, "language_use": 3.7, "topic_development": 3.9, "overall": 3.9}
    other = {"delivery": 3.7, "language_use": 3.9, "topic_development": 3.9, "overall": 3.8}
    assert deltas(base, other) == {
        "delivery": -0.3, "language_use": 0.2, "topic_development": 0.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("moved", "failure"),
    [
        ({"delivery": -0.3, "language_use": 0.2, "topic_development": -0.2}, None),
        ({"delivery": -2.0, "language_use": 0.0, "topic_development": 0.0}, None),
        (
            {"delivery": -0.2, "language_use": 0.0, "topic_development": 0.0},
            "delivery moved -0.2, not by -0.3",
        ),
        (
            {"delivery": 0.5, "language_use": 0.0, "topic_development": 0.0},
            "delivery moved +0.5, not by -0.3",
        ),
        (
            {"delivery": -0.8, "language_use": 0.0, "topic_development": -0.3},
            "topic_development moved -0.3 (at most 0.2)",
        ),
        (
            {"delivery": -0.1, "language_use": 0.3, "topic_development": 0.0},
            "delivery moved -0.1, not by -0.3; language_use moved +0.3 (at most 0.2)",
        ),
    ],
)
def test_pass_rule(moved: dict[str, float], failure: str | None) -> None:
    assert verdict("delivery", moved) == failure


def test_wer_is_pooled_over_words_not_averaged_over_answers() -> None:
    pooled = pooled_wer([("one two three four", "one two three four"), ("five six", "five")])
    assert (pooled.edits, pooled.reference_words) == (1, 6)
    assert pooled.rate == pytest.approx(1 / 6)
    assert pooled_wer([]).rate == 0.0


def _graded(voice: str, variant: str, scores: tuple[float, float, float] | None) -> Graded:
    chosen = VARIANTS[variant]
    spoken = Spoken(voice, chosen, Path("a.wav"), Path("a.ogg"), known_words(chosen.text), 44.0)
    if scores is None:
        return Graded(spoken, None, "rejected (corrupt_audio): broken")
    delivery, language, topic = scores
    sample = SAMPLES["feedback"]
    assert isinstance(sample, Feedback)
    feedback = sample.model_copy(
        update={
            "transcript": chosen.text,
            "scores": RubricScores(
                delivery=delivery, language_use=language, topic_development=topic, overall=3.0
            ),
            "metrics": sample.metrics.model_copy(update={"words_per_minute": 160.0}),
        }
    )
    return Graded(spoken, feedback, None, 1.5)


def test_the_table_compares_each_variant_with_the_base_of_its_voice() -> None:
    graded = [
        _graded("en-us", "base", (4.0, 4.0, 4.0)),
        _graded("en-us", "fillers", (3.2, 4.0, 4.0)),
        _graded("en-us", "grammar", (4.0, 4.0, 4.0)),
        _graded("en-us", "short", None),
        _graded("en-gb", "fillers", (3.0, 4.0, 4.0)),  # no base for this voice
    ]
    rows = table(graded)
    assert [(r.voice, r.variant, r.dimension, r.passed) for r in rows] == [
        ("en-us", "fillers", "delivery", True),
        ("en-us", "grammar", "language_use", False),
        ("en-us", "short", "topic_development", False),
        ("en-gb", "fillers", "delivery", False),
    ]
    assert rows[0].moved == {"delivery": -0.8, "language_use": 0.0, "topic_development": 0.0}
    assert rows[1].failure == "language_use moved +0.0, not by -0.3"
    assert rows[2].moved is None
    assert rows[2].failure == "rejected (corrupt_audio): broken"
    assert rows[3].failure == "no base: not submitted"


def test_the_report_as_json_and_as_text() -> None:
    graded = [
        _graded("en-us", "base", (4.0, 4.0, 4.0)),
        _graded("en-us", "fillers", (3.2, 4.0, 4.0)),
        _graded("en-us", "grammar", (4.0, 3.9, 4.0)),
    ]
    report = Report.of(graded, elapsed_s=12.3)
    out = report.to_json()
    assert json.loads(json.dumps(out)) == out
    assert out["question_id"] == QUESTION_ID
    assert out["voices"] == ["en-us"]
    assert not out["passed"]
    assert out["failed"] == ["en-us/grammar: language_use moved -0.1, not by -0.3"]
    base = out["answers"][0]
    assert base["variant"] == "base"
    assert base["true_wpm"] == pytest.approx(known_words(BASE) / 44.0 * 60, abs=0.1)
    assert base["measured_wpm"] == 160.0
    assert base["rate_within_target"] == (abs(base["rate_error"]) <= 0.1)
    assert base["wer"] == 0.0
    assert out["answers"][1]["fillers_spoken"] == FILLER_COUNT
    assert out["answers"][2]["grammar_errors_heard"] == 6
    assert out["wer"]["en-us"]["rate"] == 0.0

    text = render(report)
    assert "en-us       fillers      delivery" in text
    assert "fillers heard" in text
    assert "1 of 2 variants failed" in text
    assert "en-us/grammar: language_use moved -0.1" in text


def test_variant_text_joins_its_parts() -> None:
    assert Variant("x", None, "", ("a.", "b.")).text == "a. b."


# --- the whole command on the real stack -------------------------------------------------


@pytest.fixture(scope="module")
def pipeline(
    stack: StackSettings, tmp_path_factory: pytest.TempPathFactory, question: Question
) -> Iterator[Pipeline]:
    state = tmp_path_factory.mktemp("validate")
    # Short: Quix names the feedback flow's changelog topic after all its input topics.
    pipeline = Pipeline(stack, f"val{uuid.uuid4().hex[:10]}-", state)
    # The question as Debezium captures it from the bank (the feedback flow reads it there).
    writer = Producer({"bootstrap.servers": stack.bootstrap_servers})
    record = row(
        question.question_id, category=question.category, text=question.text,
        answer_time_s=question.answer_time_s, preparation_s=question.preparation_s,
    )  # fmt: skip
    writer.produce(
        cdc_topic(pipeline.namespace).name,
        key=key(question.question_id),
        value=value("c", None, record),
    )
    assert writer.flush(10) == 0
    with ExitStack() as flows:
        for name in ("conversion", "transcription", "feedback"):
            flows.enter_context(pipeline.flow(name))
        yield pipeline


@pytest.mark.stack
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_suite_on_the_real_flows_with_one_voice(pipeline: Pipeline, tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "validate", "--voices", "en-us", "--json",
         "--keep-audio", str(tmp_path)],
        cwd=REPO_ROOT, env=pipeline.env(SPEECH_COACH_TIMEOUT_S="180"), capture_output=True,
        text=True, timeout=850, check=False,
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.stdout, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    print(f"validate, one voice: {took:.0f} s\n{json.dumps(out['rows'], indent=1)}")

    rows = {r["variant"]: r for r in out["rows"]}
    assert list(rows) == [name for name in VARIANTS if name != "base"]
    for entry in rows.values():
        assert entry["voice"] == "en-us"
        assert set(entry["delta"]) == {"delivery", "language_use", "topic_development"}

    answers = {a["variant"]: a for a in out["answers"]}
    assert all(a["error"] is None for a in answers.values()), answers
    assert abs(answers["base"]["rate_error"]) <= 0.10, answers["base"]
    assert answers["base"]["rate_within_target"]
    assert out["wer"]["en-us"]["rate"] < 0.15

    # Each controlled change moves its own dimension by 0.3 or more and no other by more
    # than 0.2: the pass rule of the suite, on the real flows.
    failed = {name: entry["delta"] for name, entry in rows.items() if not entry["pass"]}
    assert not failed, failed
    assert out["passed"]
    assert result.returncode == 0
