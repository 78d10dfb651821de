"""What every flow's settings share; each flow subclasses it with its own fields."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.settings import KafkaConnection, S3Connection

# Beside the native stack's data when the flows run from a checkout; deployments set it.
DEFAULT_STATE_DIR = Path(__file__).resolve().parents[2] / ".stack" / "flows"


class FlowSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaConnection = KafkaConnection()
    s3: S3Connection = S3Connection()
    topic_namespace: str = Field(
        default="", description="Prefix of every topic name (tests run on their own topics)."
    )
    state_dir: Path = Field(
        default=DEFAULT_STATE_DIR,
        description="Where flows keep recovery snapshots and local state.",
    )
    snapshot_interval_s: float = Field(default=2.0, gt=0)
