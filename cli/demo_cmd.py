"""`speech-coach demo`: the learner loop, offline, on the native stack.

Brings the stack up with the dataflows, then answers questions from the bank with synthetic
speech (espeak-ng) through the same path as the bot (upload + AnswerSubmitted), and shows
the feedback each answer gets: transcript, measured figures, rubric scores, advice.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cli.practice import submit_and_wait
from cli.practice_cmd import print_feedback
from clients.settings import KafkaConnection, S3Connection
from flows.transcription.synth import encode_voice_note, synthesize_parts
from flows.transcription.wer import word_errors
from schemas.events import Feedback
from stack import launcher
from stack.services import all_services
from stack.settings import StackSettings


@dataclass(frozen=True)
class DemoAnswer:
    title: str
    question_id: str
    sentences: tuple[str, ...]
    gap_s: float  # silence between sentences
    wpm: int


ANSWERS = (
    DemoAnswer(
        "A fluent answer",
        "independent-001",
        (
            "I prefer to live in a big city, mainly because of the opportunities it offers.",
            "In a city there are more jobs, better universities and many cultural events.",
            "For example, when I moved to the capital I found an internship within a month.",
            "I could also visit museums and concerts every weekend, which I really enjoy.",
            "So for a young person like me, a big city is the better choice.",
        ),
        gap_s=0.45,
        wpm=150,
    ),
    DemoAnswer(
        "The same ideas, hesitant: long silences, slow speech",
        "independent-001",
        (
            "I prefer a big city.",
            "Because there are jobs.",
            "And universities.",
            "I found an internship there.",
            "So a city is better.",
        ),
        gap_s=3.5,
        wpm=110,
    ),
    DemoAnswer(
        "An off-topic answer",
        "independent-001",
        (
            "My favourite food is pasta with tomato sauce and fresh basil.",
            "I usually cook it on Friday evenings for my family and friends.",
            "The secret is to use good olive oil and to salt the water well.",
        ),
        gap_s=0.45,
        wpm=150,
    ),
)


def register(parser: argparse.ArgumentParser) -> None:
    demo = parser
    demo.set_defaults(run=_demo)


def _speak(answer: DemoAnswer, directory: Path) -> Path:
    """The answer as a Telegram-like Opus voice note."""
    joined = synthesize_parts(
        answer.sentences, directory / "answer.wav", gap_s=answer.gap_s, wpm=answer.wpm
    )
    return encode_voice_note(joined, directory / "answer.ogg")


def _demo(_: argparse.Namespace) -> int:
    settings = StackSettings()
    print("== stack up, with the dataflows", flush=True)
    try:
        names = [s.name for s in all_services(settings)]
        launcher.up(settings, lambda line: print(line, flush=True), names)
    except launcher.StackError as exc:
        print(f"stack up failed: {exc}")
        return 1
    if settings.telegram_bot_token is None:
        print(
            "(no TELEGRAM_BOT_TOKEN: the bot is not started; answers go in as the CLI sends them)"
        )
    kafka = KafkaConnection(bootstrap_servers=settings.bootstrap_servers)
    s3 = S3Connection(
        endpoint=settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        bucket=settings.s3_bucket,
    )
    for answer in ANSWERS:
        print(f"\n== {answer.title} (question {answer.question_id})", flush=True)
        with tempfile.TemporaryDirectory(prefix="demo-") as tmp:
            voice = _speak(answer, Path(tmp))
            outcome = submit_and_wait(
                voice, kafka=kafka, s3=s3, namespace="", user_id="demo-learner",
                question_id=answer.question_id, timeout_s=300,
                progress=lambda line: print(f"   {line}", flush=True),
            )  # fmt: skip
        if not isinstance(outcome.event, Feedback):
            print(f"rejected: {outcome.event.code}: {outcome.event.message}")
            return 1
        print_feedback(outcome.event, outcome.latency_ms)
        errors = word_errors(" ".join(answer.sentences), outcome.event.transcript)
        print(f"Recogniser check: word error rate {errors.rate:.1%} against the script")
    print("\nThe stack keeps running: `speech-coach stack status`, `speech-coach stack down`.")
    return 0
