"""`speech-coach practice --audio FILE [--question ID] [--user ID] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cli.practice import Outcome, submit_and_wait
from clients.kafka import DeliveryFailed
from clients.objectstore import StorageFailed
from clients.settings import KafkaConnection, S3Connection
from schemas.events import Feedback, Rejected


class PracticeSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaConnection = KafkaConnection()
    s3: S3Connection = S3Connection()
    topic_namespace: str = ""
    timeout_s: float = Field(default=300.0, gt=0)


def register(parser: argparse.ArgumentParser) -> None:
    practice = parser
    practice.add_argument("--audio", type=Path, required=True, help="OGG/Opus, WAV, MP3, ...")
    practice.add_argument("--question", help="question id from the question bank")
    practice.add_argument("--user", default="cli-learner", help="learner id (default cli-learner)")
    practice.add_argument("--json", action="store_true", help="print one JSON object")
    practice.set_defaults(run=_run)


def feedback_json(outcome: Outcome) -> dict[str, Any]:
    event = outcome.event
    if isinstance(event, Rejected):
        return {
            "answer_id": outcome.answer_id,
            "error": {"code": event.code, "message": event.message},
        }
    metrics = event.metrics.model_dump()
    if metrics.get("time_to_answer_s") is None:
        metrics.pop("time_to_answer_s", None)
    return {
        "answer_id": outcome.answer_id,
        "transcript": event.transcript,
        "metrics": metrics,
        "scores": event.scores.model_dump(),
        "recommendations": list(event.recommendations),
        # The checker's errors (None with the reason when it was unavailable) and GPT's.
        "grammar": None if event.grammar is None else event.grammar.model_dump(),
        "grammar_unavailable": event.grammar_unavailable,
        "gpt_grammar": None if event.gpt_grammar is None else event.gpt_grammar.model_dump(),
        "engines": event.engines.model_dump(),
        "fallback_reason": event.fallback_reason,
        "latency_ms": round(outcome.latency_ms),
        "submit_ms": round(outcome.submit_ms),
    }


def print_feedback(event: Feedback, latency_ms: float) -> None:
    m, s = event.metrics, event.scores
    print(f"\nTranscript: {event.transcript}\n")
    print(
        f"Duration {m.duration_s:.1f} s · {m.words} words · {m.words_per_minute:.0f} wpm · "
        f"{m.pause_count} pauses (mean {m.mean_pause_s:.2f} s, {m.long_pause_count} long) · "
        f"{m.filler_count} fillers · lexical diversity {m.type_token_ratio:.2f}"
        + (
            f" · time to answer {m.time_to_answer_s:.0f} s"
            if m.time_to_answer_s is not None
            else ""
        )
    )
    print(
        f"Scores (0-4): delivery {s.delivery} · language use {s.language_use} · "
        f"topic development {s.topic_development} · overall {s.overall}"
    )
    if event.grammar is not None:
        print(
            f"Grammar: {len(event.grammar.errors)} errors, "
            f"{event.grammar.errors_per_100_words:.1f} per 100 words"
        )
    elif event.grammar_unavailable:
        print(f"Grammar: not checked ({event.grammar_unavailable})")
    print("Recommendations:")
    for line in event.recommendations:
        print(f"  - {line}")
    fallback = f" (fallback: {event.fallback_reason})" if event.fallback_reason else ""
    print(
        f"Engines: {event.engines.stt} / {event.engines.feedback}{fallback} · {latency_ms:.0f} ms"
    )


def _run(args: argparse.Namespace) -> int:
    settings = PracticeSettings()
    if not args.audio.is_file():
        print(json.dumps({"error": {"code": "no_such_file", "message": f"{args.audio} not found"}}))
        return 2
    quiet = args.json
    try:
        outcome = submit_and_wait(
            args.audio,
            kafka=settings.kafka,
            s3=settings.s3,
            namespace=settings.topic_namespace,
            user_id=args.user,
            question_id=args.question,
            timeout_s=settings.timeout_s,
            progress=lambda line: None if quiet else print(line, file=sys.stderr, flush=True),
        )
    except (DeliveryFailed, StorageFailed) as exc:
        error = {"code": "not_submitted", "message": f"the answer was not submitted: {exc}"}
        print(json.dumps({"error": error}) if args.json else error["message"], file=sys.stdout)
        return 1
    if args.json:
        print(json.dumps(feedback_json(outcome), ensure_ascii=False))
    elif isinstance(outcome.event, Feedback):
        print_feedback(outcome.event, outcome.latency_ms)
    else:
        print(f"Rejected ({outcome.event.code}): {outcome.event.message}")
    return 1 if isinstance(outcome.event, Rejected) else 0
