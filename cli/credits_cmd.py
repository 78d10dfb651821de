"""`speech-coach credits grant --user ID --amount N [--reason TEXT]`: an operator tops up a
learner's credits (one credit pays for one GPT-graded answer). The grant is an event on the
credits ledger like any other; the feedback flow and the read models fold it in."""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime

from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.kafka import producer, send
from clients.settings import KafkaConnection
from schemas.events import CreditEvent
from schemas.topics import topic_for


class CreditsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaConnection = KafkaConnection()
    topic_namespace: str = ""


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    grant = actions.add_parser("grant", help="top up a learner's credits")
    grant.add_argument("--user", required=True, help="learner id (the Telegram user id)")
    grant.add_argument("--amount", type=int, required=True, help="credits to add (> 0)")
    grant.add_argument("--reason", default="granted by an operator")
    grant.add_argument(
        "--grant-id", help="id making the grant idempotent (default: a new one each time)"
    )
    grant.set_defaults(run=_grant)


def _grant(args: argparse.Namespace) -> int:
    settings = CreditsSettings()
    if args.amount <= 0:
        print("--amount must be a positive number of credits")
        return 2
    event = CreditEvent(
        event_id=f"grant-{args.grant_id or uuid.uuid4().hex}",
        occurred_at=datetime.now(UTC),
        user_id=args.user,
        kind="top_up",
        amount=args.amount,
        reason=args.reason,
    )
    send(
        producer(settings.kafka), topic_for(CreditEvent.EVENT_TYPE, settings.topic_namespace), event
    )
    print(f"granted {event.amount} credits to {event.user_id} ({event.event_id})")
    return 0
