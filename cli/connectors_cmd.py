"""`speech-coach connectors apply`: read-model tables, seeded question bank and the Kafka
Connect connectors, on any deployment (the compose `init` service runs it)."""

from __future__ import annotations

import argparse

from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.settings import ConnectConnection, PostgresConnection
from connectors.bootstrap import prepare


class ConnectorsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    postgres: PostgresConnection = PostgresConnection()
    connect: ConnectConnection = ConnectConnection()
    topic_namespace: str = ""


def register(parser: argparse.ArgumentParser) -> None:
    connectors = parser
    actions = connectors.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "apply", help="create read-model tables, seed the question bank, register connectors"
    ).set_defaults(run=_apply)


def _apply(_: argparse.Namespace) -> int:
    settings = ConnectorsSettings()
    prepare(settings.postgres.dsn, settings.connect.url, print, settings.topic_namespace)
    return 0
