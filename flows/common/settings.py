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
    # Scaling out (docs/scaling.md). A Bytewax flow runs `workers` threads per process, and
    # a cluster of processes when `cluster_addresses` lists them all ("host:port;..."), this
    # one being `process_id`. A Quix flow scales by more processes in its consumer group;
    # `process_id` keeps each one's local state apart.
    workers: int = Field(default=1, ge=1, le=64, description="Bytewax worker threads.")
    cluster_addresses: str | None = Field(
        default=None, description="Every Bytewax process of the flow, 'host:port;...'."
    )
    process_id: int = Field(default=0, ge=0, description="This process among its flow's.")
    poll_timeout_s: float = Field(
        default=0.02,
        gt=0,
        le=1,
        description="How long a Quix flow reading several topics waits for a batch: the most "
        "an event waits for a poll when traffic is low (Quix's default of 1 s, not our 20 ms).",
    )
