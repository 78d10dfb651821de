"""`speech-coach forget --user ID [--json] [--timeout S]`: erases a learner (operators)."""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cli.forget import forget
from clients.kafka import DeliveryFailed
from clients.settings import KafkaConnection, PostgresConnection
from schemas.events import ErasureCompleted


class ForgetSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaConnection = KafkaConnection()
    postgres: PostgresConnection = PostgresConnection()
    topic_namespace: str = ""
    # Longer than the erasure flow's own deadline, after which it reports what is left.
    forget_timeout_s: float = Field(default=900.0, gt=0)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help="learner id (the Telegram user id)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--timeout", type=float, help="seconds to wait for the report")
    parser.set_defaults(run=_run)


def print_report(report: ErasureCompleted) -> None:
    took = (report.occurred_at - report.requested_at).total_seconds()
    verdict = "erased" if report.complete else "NOT fully erased"
    print(f"{report.user_id} {verdict} ({report.request_event_id}, {took:.1f} s):")
    for checked in report.stores:
        state = f"clean after {checked.seconds:.1f} s" if checked.clean else "still holds"
        print(
            f"  {checked.store:<18} {state}"
            + (f": {checked.remaining}" if checked.remaining else "")
        )


def _run(args: argparse.Namespace) -> int:
    settings = ForgetSettings()
    timeout_s = args.timeout or settings.forget_timeout_s
    if not args.json:
        print(
            f"asking for the erasure of {args.user}; waiting for the erasure flow", file=sys.stderr
        )
    try:
        report = forget(
            settings.kafka, settings.postgres, settings.topic_namespace, args.user, timeout_s
        )
    except (DeliveryFailed, TimeoutError) as exc:
        error = {"code": "no_report", "message": str(exc)}
        print(json.dumps({"error": error}) if args.json else f"erasure: {exc}")
        return 2
    if args.json:
        print(report.model_dump_json())
    else:
        print_report(report)
    return 0 if report.complete else 1
