"""The bot's settings: one object built at the edge (the CLI or a test) and passed down."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.settings import KafkaConnection, PostgresConnection, S3Connection

# Telegram bots may download files of at most 20 MB.
TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True
    )

    kafka: KafkaConnection = KafkaConnection()
    s3: S3Connection = S3Connection()
    postgres: PostgresConnection = PostgresConnection()

    # BotFather's name for it, without our prefix; the second choice lets code pass it by name.
    telegram_bot_token: SecretStr = Field(
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )
    telegram_api_base: str | None = Field(
        default=None,
        description="Bot API server base URL; None means Telegram's official server.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="X-Telegram-Bot-Api-Secret-Token expected on every webhook request.",
    )
    webhook_url: str | None = Field(
        default=None,
        description="Public URL Telegram posts updates to; set, it is registered at startup.",
    )
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/")

    max_answer_s: float = Field(default=300.0, gt=0)
    max_voice_bytes: int = Field(default=TELEGRAM_DOWNLOAD_LIMIT_BYTES, gt=0)
    # Telegram waits 60 s for a webhook answer: broker, download and upload must fit in it.
    # A restarted broker served again after about 17 s here; the bot waits that out.
    delivery_timeout_s: float = Field(default=30.0, gt=0, le=35)
    download_timeout_s: int = Field(default=20, gt=0, le=25)

    # What one learner may ask for (bot/quotas.py); beyond it the request is refused politely.
    # A voice answer takes a question, some preparation and up to max_answer_s of speaking:
    # four a minute leaves room for re-recording a short one; forty an hour bounds grading.
    voice_per_minute: int = Field(default=4, ge=1)
    voice_per_hour: int = Field(default=40, ge=1)
    # A /stats chart costs a few hundred milliseconds of CPU and a read-model snapshot.
    stats_per_minute: int = Field(default=3, ge=1)

    topic_namespace: str = ""
    reply_group_id: str = "speech-coach-bot-replies"
    reply_rebuild_timeout_s: float = Field(default=60.0, gt=0)
