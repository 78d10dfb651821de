"""`speech-coach init`: everything a deployment needs before the bot and the flows start —
topics, the voice bucket, read-model tables, the seeded question bank, the connectors.
Idempotent; the compose `init` service runs it on every `up`."""

from __future__ import annotations

import argparse

from confluent_kafka.admin import AdminClient
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.objectstore import minio_client
from clients.settings import ConnectConnection, KafkaConnection, PostgresConnection, S3Connection
from connectors.bootstrap import prepare
from schemas.topics import namespaced
from stack.topics import apply_topics


class InitSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaConnection = KafkaConnection()
    s3: S3Connection = S3Connection()
    postgres: PostgresConnection = PostgresConnection()
    connect: ConnectConnection = ConnectConnection()
    topic_namespace: str = ""


def register(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=_init)


def _init(_: argparse.Namespace) -> int:
    settings = InitSettings()
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap_servers})
    apply_topics(admin, namespaced(settings.topic_namespace))
    store = minio_client(settings.s3)
    if not store.bucket_exists(settings.s3.bucket):
        store.make_bucket(settings.s3.bucket)
    print(f"bucket {settings.s3.bucket}: ready")
    prepare(settings.postgres.dsn, settings.connect.url, print, settings.topic_namespace)
    return 0
