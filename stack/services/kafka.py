"""Apache Kafka 4.x in KRaft single-node mode: the Kafka API that Redpanda serves in production."""

from __future__ import annotations

import base64
import logging
import subprocess
import uuid
from collections.abc import Callable

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from stack.services.base import Service, ServiceUnhealthy
from stack.services.java import java_command, write_log4j, write_properties
from stack.settings import StackSettings

# librdkafka reports every refused connection while the broker starts; the probe says enough.
_quiet = logging.getLogger("stack.kafka.probe")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


def admin(settings: StackSettings) -> AdminClient:
    return AdminClient({"bootstrap.servers": settings.bootstrap_servers, "logger": _quiet})


def cluster_id(random_bytes: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A cluster id as Kafka's own Uuid.randomUuid makes it.

    One in 64 base64 ids starts with "-", which the storage tool's argument parser reads as
    an option; Kafka draws again in that case, and so do we.
    """
    while True:
        text = base64.urlsafe_b64encode(random_bytes()).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def service(settings: StackSettings) -> Service:
    data = settings.data_dir / "kafka"
    config = settings.conf_dir / "kafka" / "server.properties"
    ports = settings.ports

    def prepare() -> None:
        write_log4j(settings)
        write_properties(
            config,
            {
                "process.roles": "broker,controller",
                "node.id": "1",
                "controller.quorum.voters": f"1@{settings.host}:{ports.kafka_controller}",
                "listeners": (
                    f"PLAINTEXT://{settings.host}:{ports.kafka},"
                    f"CONTROLLER://{settings.host}:{ports.kafka_controller}"
                ),
                "advertised.listeners": f"PLAINTEXT://{settings.host}:{ports.kafka}",
                "controller.listener.names": "CONTROLLER",
                "inter.broker.listener.name": "PLAINTEXT",
                "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs": str(data),
                "num.partitions": "1",
                # One node: every internal topic has one replica.
                "offsets.topic.replication.factor": "1",
                "transaction.state.log.replication.factor": "1",
                "transaction.state.log.min.isr": "1",
                "share.coordinator.state.topic.replication.factor": "1",
                "share.coordinator.state.topic.min.isr": "1",
                "group.initial.rebalance.delay.ms": "0",
                # Topics are declared in redpanda/; a typo must fail, not create a topic.
                "auto.create.topics.enable": "false",
                # Erasure waits for compaction to drop a shredded key: look every second
                # (Redpanda compacts every 10 s by default).
                "log.cleaner.backoff.ms": "1000",
            },
        )
        if (data / "meta.properties").exists():
            return
        command = java_command(
            settings,
            "256m",
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            cluster_id(),
            "--config",
            str(config),
        )
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"kafka storage format failed: {exc.stdout}{exc.stderr}") from exc

    def probe() -> None:
        try:
            metadata = admin(settings).list_topics(timeout=2)
        except KafkaException as exc:
            raise ServiceUnhealthy(str(exc)) from exc
        if not metadata.brokers:
            raise ServiceUnhealthy("no broker in the metadata yet")

    return Service(
        name="kafka",
        address=settings.bootstrap_servers,
        ports={"kafka": ports.kafka, "kafka controller": ports.kafka_controller},
        command=java_command(settings, settings.kafka_heap, "kafka.Kafka", str(config)),
        prepare=prepare,
        probe=probe,
    )
