"""Typed connection settings shared by every service's settings object.

Each service (bot, each flow, the CLI) declares one `BaseSettings` with these as nested
fields, read from `SPEECH_COACH_<FIELD>__<SUBFIELD>` variables at its edge.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KafkaConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    bootstrap_servers: str = "127.0.0.1:19092"
    client_id: str = "speech-coach"


class S3Connection(BaseModel):
    model_config = ConfigDict(frozen=True)

    endpoint: str = "127.0.0.1:19900"
    access_key: str = "speechcoach"
    secret_key: str = "speechcoach-secret"  # noqa: S105 - loopback-only development default
    secure: bool = False
    bucket: str = Field(default="voice", min_length=3)


class PostgresConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    dsn: str = "postgresql://speechcoach:speechcoach@127.0.0.1:15432/speechcoach"


class ClickHouseConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = 19000
    user: str = "default"
    password: str = ""
    database: str = "default"


class ConnectConnection(BaseModel):
    """Kafka Connect's REST API, where connectors are registered and watched."""

    model_config = ConfigDict(frozen=True)

    url: str = "http://127.0.0.1:18083"


class GrammarConnection(BaseModel):
    """The grammar checker's HTTP API (LanguageTool's `/v2/check`), a stack service."""

    model_config = ConfigDict(frozen=True)

    url: str = "http://127.0.0.1:18010"
    language: str = "en-US"
    # LanguageTool checks a two-minute transcript in well under a second once warm.
    timeout_s: float = Field(default=10.0, gt=0)
    # A restarted checker answers again within about 15 s here; an answer waits that long
    # and more before it is graded without grammar.
    retry_s: float = Field(default=30.0, ge=0)
