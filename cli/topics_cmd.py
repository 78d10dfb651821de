"""`speech-coach topics apply`: create or update the declared topics on any Kafka-API broker
(used by the compose `init` service; `stack up` does the same natively)."""

from __future__ import annotations

import argparse

from confluent_kafka.admin import AdminClient
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.settings import KafkaConnection
from schemas.topics import load_topics
from stack.topics import apply_topics


class TopicsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPEECH_COACH_", env_nested_delimiter="__")

    kafka: KafkaConnection = KafkaConnection()


def register(parser: argparse.ArgumentParser) -> None:
    topics = parser
    actions = topics.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("apply", help="create missing topics, update configs").set_defaults(
        run=_apply
    )


def _apply(_: argparse.Namespace) -> int:
    settings = TopicsSettings()
    apply_topics(
        AdminClient({"bootstrap.servers": settings.kafka.bootstrap_servers}), load_topics()
    )
    return 0
