"""The broker's topics are what redpanda/topics.yaml declares, and `apply_topics` keeps them so."""

from __future__ import annotations

import pytest
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
)

from schemas.topics import TopicSpec, load_topics
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.topics import CoPartitioningBroken, apply_topics, broker_config, check_copartitioned

pytestmark = pytest.mark.stack


def _partitions(client: AdminClient, topic: str) -> int:
    return len(client.list_topics(topic, timeout=10).topics[topic].partitions)


def test_every_declared_topic_matches_the_broker(stack: StackSettings) -> None:
    client = admin(stack)
    for spec in load_topics():
        assert _partitions(client, spec.name) == spec.partitions, spec.name
        config = broker_config(client, spec.name)
        for key, value in spec.config.items():
            assert config[key] == value, f"{spec.name}: {key}={config[key]}, declared {value}"


def test_apply_creates_then_repairs_drift_then_grows_partitions(
    stack: StackSettings, unique: str
) -> None:
    client = admin(stack)
    spec = TopicSpec(
        name=f"test-apply-{unique}",
        event=None,
        description="test",
        partitions=1,
        replication_factor=1,
        config={"cleanup.policy": "compact", "retention.ms": "86400000"},
    )
    [created] = apply_topics(client, [spec], report=lambda _: None)
    assert created.action == "created"

    # Someone changes the topic by hand: the next apply puts the declared value back.
    drifted = ConfigResource(
        ConfigResource.Type.TOPIC,
        spec.name,
        incremental_configs=[
            ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET)
        ],
    )
    [future] = client.incremental_alter_configs([drifted]).values()
    future.result(timeout=10)
    assert broker_config(client, spec.name)["retention.ms"] == "1000"

    [repaired] = apply_topics(client, [spec], report=lambda _: None)
    assert repaired.action == "updated"
    assert "retention.ms 1000 -> 86400000" in repaired.detail
    assert broker_config(client, spec.name)["retention.ms"] == "86400000"

    [unchanged] = apply_topics(client, [spec], report=lambda _: None)
    assert unchanged.action == "unchanged"

    grown = spec.model_copy(update={"partitions": 3})
    [change] = apply_topics(client, [grown], report=lambda _: None)
    assert change.detail == "partitions 1 -> 3"
    assert _partitions(client, spec.name) == 3

    with pytest.raises(ValueError, match="cannot remove partitions"):
        apply_topics(client, [spec], report=lambda _: None)
    client.delete_topics([spec.name])


def test_a_co_partitioned_group_unequal_on_the_broker_is_refused(
    stack: StackSettings, unique: str
) -> None:
    client = admin(stack)
    specs = [
        TopicSpec(
            name=f"test-group-{name}-{unique}",
            event=None,
            description="test",
            partitions=partitions,
            replication_factor=1,
            config={},
            co_partition="g",
        )
        for name, partitions in (("a", 3), ("b", 2))
    ]
    # Created behind the declaration's back (a loaded file refuses unequal counts).
    for spec in specs:
        [future] = client.create_topics([NewTopic(spec.name, spec.partitions, 1)]).values()
        future.result(timeout=30)
    try:
        with pytest.raises(CoPartitioningBroken, match=r"\(test-group-a-\w+: 3, test-group-b"):
            check_copartitioned(client, specs, settle_s=0)
        grown = [spec.model_copy(update={"partitions": 3}) for spec in specs]
        apply_topics(client, grown, report=lambda _: None)  # grows b, then the check passes
        check_copartitioned(client, grown, settle_s=0)
    finally:
        client.delete_topics([spec.name for spec in specs])
