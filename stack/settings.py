"""Settings of the native stack: where it lives and which ports it takes.

Built once at the edge (the CLI or a test fixture) from `SPEECH_COACH_STACK_*` variables and
passed down; nothing below reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.registry import FLOWS

REPO_ROOT = Path(__file__).resolve().parent.parent
# Transcription is the slow step of an answer: two workers keep up with a crowd on 2 cores.
DEFAULT_SCALE = {"transcription": 2}


class Ports(BaseModel):
    """Loopback ports, chosen away from the services' defaults so a system Postgres or
    ClickHouse on the same machine does not collide with ours."""

    model_config = {"frozen": True}

    kafka: int = 19092
    kafka_controller: int = 19093
    connect: int = 18083
    postgres: int = 15432
    clickhouse_tcp: int = 19000
    clickhouse_http: int = 18123
    s3: int = 19900
    grammar: int = 18010

    @model_validator(mode="after")
    def _distinct(self) -> Ports:
        values = list(self.model_dump().values())
        if len(set(values)) != len(values):
            raise ValueError(f"stack ports must be distinct, got {self.model_dump()}")
        return self


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_STACK_", env_nested_delimiter="__", frozen=True
    )

    home: Path = Field(
        default=REPO_ROOT / ".stack",
        description="Data, logs, configs and the supervisor socket of one stack instance.",
    )
    install_dir: Path = Field(
        default=REPO_ROOT / ".stack-opt",
        description="Jars and binaries fetched by `stack install`; shared by stack instances.",
    )
    ports: Ports = Ports()
    host: str = "127.0.0.1"
    postgres_user: str = "speechcoach"
    postgres_password: str = "speechcoach"  # noqa: S105 - loopback-only development default
    postgres_db: str = "speechcoach"
    s3_access_key: str = "speechcoach"
    s3_secret_key: str = "speechcoach-secret"  # noqa: S105 - loopback-only development default
    s3_bucket: str = "voice"
    kafka_heap: str = "768m"
    connect_heap: str = "1g"
    grammar_heap: str = "512m"
    ready_timeout_s: float = Field(default=120.0, gt=0)
    # `stack up --apps` runs each flow at this scale (docs/scaling.md): worker threads of a
    # Bytewax flow, processes of a Quix flow; what is not named keeps DEFAULT_SCALE.
    app_scale: dict[str, int] = Field(default_factory=dict)
    # With a token, `stack up --apps` runs the Telegram bot too.
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )

    @field_validator("app_scale")
    @classmethod
    def _scale(cls, scale: dict[str, int]) -> dict[str, int]:
        unknown = set(scale) - set(FLOWS)
        if unknown:
            raise ValueError(f"no flow named {sorted(unknown)}; flows: {', '.join(FLOWS)}")
        if any(count < 1 for count in scale.values()):
            raise ValueError(f"a flow runs at least once, got {scale}")
        return {**DEFAULT_SCALE, **scale}

    @field_validator("home", "install_dir")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        # A relative path would move with the caller's working directory.
        return path.expanduser().resolve()

    # Layout under `home` and `install_dir`, in one place.
    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def jars_dir(self) -> Path:
        return self.install_dir / "jars"

    @property
    def plugins_dir(self) -> Path:
        return self.install_dir / "plugins"

    @property
    def bin_dir(self) -> Path:
        return self.install_dir / "bin"

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.ports.kafka}"

    @property
    def connect_url(self) -> str:
        return f"http://{self.host}:{self.ports.connect}"

    @property
    def postgres_dsn(self) -> str:
        return (
            f"postgresql://{self.postgres_user}:{self.postgres_password}"
            f"@{self.host}:{self.ports.postgres}/{self.postgres_db}"
        )

    @property
    def s3_endpoint(self) -> str:
        return f"{self.host}:{self.ports.s3}"

    @property
    def grammar_url(self) -> str:
        return f"http://{self.host}:{self.ports.grammar}"

    def app_environment(self) -> dict[str, str]:
        """SPEECH_COACH_* variables pointing the bot, the flows and the CLI at this stack."""
        return {
            "SPEECH_COACH_KAFKA__BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "SPEECH_COACH_S3__ENDPOINT": self.s3_endpoint,
            "SPEECH_COACH_S3__ACCESS_KEY": self.s3_access_key,
            "SPEECH_COACH_S3__SECRET_KEY": self.s3_secret_key,
            "SPEECH_COACH_S3__BUCKET": self.s3_bucket,
            "SPEECH_COACH_POSTGRES__DSN": self.postgres_dsn,
            "SPEECH_COACH_CLICKHOUSE__HOST": self.host,
            "SPEECH_COACH_CLICKHOUSE__PORT": str(self.ports.clickhouse_tcp),
            "SPEECH_COACH_CONNECT__URL": self.connect_url,
            "SPEECH_COACH_GRAMMAR__URL": self.grammar_url,
        }
