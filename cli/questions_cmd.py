"""`speech-coach questions load | list | connect`: the question bank in Postgres and its
Debezium source (operators then edit the table with SQL)."""

from __future__ import annotations

import argparse
import sys

import psycopg
from confluent_kafka.admin import AdminClient
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.connect import ConnectError, apply_connector
from clients.settings import ConnectConnection, KafkaConnection, PostgresConnection
from questionbank.connector import cdc_topic, source_config, source_name
from questionbank.load import load_questions
from questionbank.model import CATEGORIES
from questionbank.seed import SeedError, read_seed
from questionbank.table import Connection, select_questions
from stack.topics import apply_topics


class QuestionsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPEECH_COACH_", env_nested_delimiter="__")

    postgres: PostgresConnection = PostgresConnection()
    kafka: KafkaConnection = KafkaConnection()
    connect: ConnectConnection = ConnectConnection()


def register(parser: argparse.ArgumentParser) -> None:
    questions = parser
    actions = questions.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "load", help="create the table, insert seed questions it lacks (edits are kept)"
    ).set_defaults(run=_load)
    listing = actions.add_parser("list", help="the questions in Postgres")
    listing.add_argument("--category", choices=CATEGORIES)
    listing.set_defaults(run=_list)
    actions.add_parser(
        "connect", help="register the Debezium source that captures the table into its topic"
    ).set_defaults(run=_connect)


def _postgres(settings: QuestionsSettings) -> Connection:
    return psycopg.connect(settings.postgres.dsn, autocommit=True, connect_timeout=10)


def _load(_: argparse.Namespace) -> int:
    settings = QuestionsSettings()
    try:
        seed = read_seed()
        with _postgres(settings) as conn:
            report = load_questions(conn, seed)
    except (SeedError, psycopg.Error) as exc:
        print(f"questions load failed: {exc}", file=sys.stderr)
        return 1
    print(f"{len(report.inserted)} inserted, {len(report.kept)} already there")
    if report.differing:
        print(
            f"{len(report.differing)} edited in Postgres since (kept as edited): "
            + ", ".join(report.differing)
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    settings = QuestionsSettings()
    try:
        with _postgres(settings) as conn:
            questions = select_questions(conn, category=args.category)
    except psycopg.Error as exc:
        print(f"questions list failed: {exc}", file=sys.stderr)
        return 1
    for q in questions:
        state = "active  " if q.active else "inactive"
        timing = f"{q.preparation_s:>2}s+{q.answer_time_s:>2}s"
        print(f"{q.question_id:<20} {state} {timing}  {q.text}")
    print(f"{len(questions)} questions ({sum(q.active for q in questions)} active)")
    return 0


def _connect(_: argparse.Namespace) -> int:
    settings = QuestionsSettings()
    try:
        # The broker does not auto-create topics; the connector needs its topic first.
        apply_topics(
            AdminClient({"bootstrap.servers": settings.kafka.bootstrap_servers}), [cdc_topic()]
        )
        status = apply_connector(
            settings.connect.url, source_name(), source_config(settings.postgres.dsn)
        )
    except (ConnectError, RuntimeError, ValueError) as exc:
        print(f"questions connect failed: {exc}", file=sys.stderr)
        return 1
    print(f"{status.name}: {status.describe()}")
    return 0
