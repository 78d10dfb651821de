"""Brings the broker's topics to what redpanda/topics.yaml declares, through the admin API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewPartitions,
    NewTopic,
)

from schemas.topics import TopicSpec, unequal_groups

TIMEOUT_S = 30.0


@dataclass(frozen=True)
class TopicChange:
    topic: str
    action: str  # created | updated | unchanged
    detail: str = ""


def apply_topics(
    admin: AdminClient, specs: Iterable[TopicSpec], report: Callable[[str], None] = print
) -> list[TopicChange]:
    specs = list(specs)
    existing = admin.list_topics(timeout=TIMEOUT_S).topics
    changes: list[TopicChange] = []

    missing = [spec for spec in specs if spec.name not in existing]
    if missing:
        futures = admin.create_topics(
            [
                NewTopic(
                    spec.name,
                    num_partitions=spec.partitions,
                    replication_factor=spec.replication_factor,
                    config=dict(spec.config),
                )
                for spec in missing
            ],
            request_timeout=TIMEOUT_S,
        )
        for name, future in futures.items():
            _result(future, f"creating topic {name}")
            changes.append(TopicChange(name, "created"))

    for spec in specs:
        if spec.name in existing:
            have = len(existing[spec.name].partitions)
            changes.append(_update(admin, spec, have))

    for change in changes:
        detail = f" ({change.detail})" if change.detail else ""
        report(f"topic {change.topic}: {change.action}{detail}")
    check_copartitioned(admin, specs)
    return changes


class CoPartitioningBroken(RuntimeError):
    """Topics that are joined per partition have different partition counts on the broker."""


def check_copartitioned(
    admin: AdminClient, specs: Iterable[TopicSpec], settle_s: float = 10.0
) -> None:
    """Reads the partition counts back from the broker: each co-partitioned group equal.

    Metadata of a topic created a moment ago can lag, so a difference must persist for
    `settle_s` before it counts.
    """
    specs = list(specs)
    deadline = time.monotonic() + settle_s
    while True:
        topics = admin.list_topics(timeout=TIMEOUT_S).topics
        counts = {s.name: len(topics[s.name].partitions) for s in specs if s.name in topics}
        problem = unequal_groups(counts, specs)
        if not problem:
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    raise CoPartitioningBroken(
        f"on the broker, {problem}: one learner's events would land on different "
        "partition numbers; grow the smaller topics (redpanda/README.md)"
    )


def _update(admin: AdminClient, spec: TopicSpec, partitions: int) -> TopicChange:
    details: list[str] = []
    if partitions > spec.partitions:
        raise ValueError(
            f"topic {spec.name} has {partitions} partitions on the broker but {spec.partitions} "
            "declared; Kafka cannot remove partitions: raise the declared count"
        )
    if partitions < spec.partitions:
        [future] = admin.create_partitions(
            [NewPartitions(spec.name, spec.partitions)], request_timeout=TIMEOUT_S
        ).values()
        _result(future, f"adding partitions to {spec.name}")
        details.append(f"partitions {partitions} -> {spec.partitions}")

    current = broker_config(admin, spec.name)
    drift = {key: value for key, value in spec.config.items() if current.get(key) != value}
    if drift:
        resource = ConfigResource(
            ConfigResource.Type.TOPIC,
            spec.name,
            incremental_configs=[
                ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
                for key, value in drift.items()
            ],
        )
        [future] = admin.incremental_alter_configs([resource]).values()
        _result(future, f"altering configs of {spec.name}")
        details.extend(f"{key} {current.get(key)} -> {value}" for key, value in drift.items())
    return TopicChange(spec.name, "updated" if details else "unchanged", "; ".join(details))


def broker_config(admin: AdminClient, topic: str) -> dict[str, str]:
    [future] = admin.describe_configs(
        [ConfigResource(ConfigResource.Type.TOPIC, topic)], request_timeout=TIMEOUT_S
    ).values()
    entries = _result(future, f"describing {topic}")
    return {name: entry.value for name, entry in entries.items()}


def _result(future: Future[Any], what: str) -> Any:
    try:
        return future.result(timeout=TIMEOUT_S)
    except KafkaException as exc:
        raise RuntimeError(f"{what} failed: {exc.args[0]}") from exc
