"""`speech-coach replay --flow {scoring,words,feedback} --from {beginning,TIMESTAMP}
--to-topic NAME`: reprocess history into a new topic, with progress, and report counts."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cli.replay import LiveTopic, replay
from clients.openai import OpenAISettings
from clients.settings import GrammarConnection, KafkaConnection
from flows.common.logic import Logic
from flows.feedback import step as feedback
from flows.feedback.dataflow import FeedbackSettings, graders, question_lookup
from flows.scoring import step as scoring
from flows.words import step as words
from questionbank.catalog import QuestionCatalog
from questionbank.connector import CDC_TOPIC


class ReplaySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaConnection = KafkaConnection()
    topic_namespace: str = ""
    window_size: int = Field(default=5, ge=1, le=1000)
    openai: OpenAISettings = OpenAISettings()
    grammar: GrammarConnection = GrammarConnection()


def register(parser: argparse.ArgumentParser) -> None:
    cmd = parser
    cmd.add_argument("--flow", required=True, choices=("scoring", "words", "feedback"))
    cmd.add_argument(
        "--from", dest="since", default="beginning",
        help="'beginning' or an ISO 8601 time (UTC if no offset), e.g. 2026-11-01T00:00",
    )  # fmt: skip
    cmd.add_argument(
        "--to-topic", required=True,
        help="a topic of its own for the recomputed events (never one the live system uses)",
    )  # fmt: skip
    cmd.add_argument(
        "--paid", action="store_true",
        help="feedback: grade with the configured paid engine (OpenAI) rather than the local "
        "one; what it spent is reported, and no learner is charged",
    )  # fmt: skip
    cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    cmd.set_defaults(run=_run)


def parse_since(value: str) -> datetime | None:
    if value == "beginning":
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    settings = ReplaySettings()
    since = parse_since(args.since)
    with ExitStack() as resources:
        flow: Logic[Any, Any]
        if args.flow == "scoring":
            flow = scoring.logic(settings.window_size)
        elif args.flow == "words":
            flow = words.LOGIC
        else:
            catalog = resources.enter_context(
                QuestionCatalog(settings.kafka, settings.topic_namespace + CDC_TOPIC)
            )
            catalog.wait_until_loaded(60)
            # A replay calls no paid engine unless told to.
            engine = "auto" if args.paid else "local"
            engines = graders(
                FeedbackSettings(
                    openai=settings.openai, feedback_engine=engine, grammar=settings.grammar
                )
            )
            flow = feedback.logic(engines, question_lookup(catalog))
        try:
            report = replay(
                args.flow, flow, kafka=settings.kafka, namespace=settings.topic_namespace,
                since=since, to_topic=args.to_topic, progress=progress_bar,
            )  # fmt: skip
        except LiveTopic as refused:
            print(f"replay refused: {refused}", file=sys.stderr)
            return 2
    print(file=sys.stderr)
    summary = {
        "flow": report.flow, "to_topic": report.to_topic, "read": report.read,
        "invalid": report.invalid, "erased": report.erased, "written": report.written,
        "seconds": round(report.seconds, 2), "events_per_s": round(report.events_per_s),
        "spent": report.spent,
    }  # fmt: skip
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"replayed {report.flow}: read {report.read} events ({report.invalid} invalid, "
            f"{report.erased} of erased learners), "
            f"wrote {report.written} to {report.to_topic} in {report.seconds:.1f} s "
            f"({report.events_per_s:.0f} events/s)"
        )
        for engine, credits in report.spent.items():
            print(f"spent on paid requests: {credits} ({engine}); no learner was charged")
    return 0
