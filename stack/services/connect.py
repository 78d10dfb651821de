"""A Kafka Connect distributed worker with the Debezium Postgres source and JDBC sink."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from stack.services.base import Service, ServiceUnhealthy
from stack.services.java import java_command, write_log4j, write_properties
from stack.settings import StackSettings

# The plugins the product's connectors need; the worker is not ready until it lists them.
REQUIRED_PLUGINS = (
    "io.debezium.connector.postgresql.PostgresConnector",
    "io.debezium.connector.jdbc.JdbcSinkConnector",
)


def plugin_classes(settings: StackSettings) -> set[str]:
    url = f"{settings.connect_url}/connector-plugins"
    with urllib.request.urlopen(url, timeout=3) as rsp:  # noqa: S310 - our own http:// URL
        return {plugin["class"] for plugin in json.load(rsp)}


def service(settings: StackSettings) -> Service:
    config = settings.conf_dir / "connect" / "connect-distributed.properties"

    def prepare() -> None:
        write_log4j(settings)
        converter = "org.apache.kafka.connect.json.JsonConverter"
        write_properties(
            config,
            {
                "bootstrap.servers": settings.bootstrap_servers,
                "group.id": "speech-coach-connect",
                "listeners": f"http://{settings.host}:{settings.ports.connect}",
                "rest.advertised.host.name": settings.host,
                "rest.advertised.port": str(settings.ports.connect),
                "key.converter": converter,
                "value.converter": converter,
                # The JDBC sink needs values that carry a Connect schema.
                "key.converter.schemas.enable": "true",
                "value.converter.schemas.enable": "true",
                "config.storage.topic": "_connect-configs",
                "offset.storage.topic": "_connect-offsets",
                "status.storage.topic": "_connect-status",
                "config.storage.replication.factor": "1",
                "offset.storage.replication.factor": "1",
                "status.storage.replication.factor": "1",
                "offset.flush.interval.ms": "1000",
                # A restarted worker's sink consumer rejoins with a new member id: the group
                # waits out the dead one's session before the sink reads again (45 s by default).
                "consumer.session.timeout.ms": "10000",
                "consumer.heartbeat.interval.ms": "3000",
                "plugin.path": str(settings.plugins_dir),
                # Debezium ships ServiceLoader manifests; skipping reflection scanning saves
                # seconds of every start.
                "plugin.discovery": "service_load",
            },
        )

    def probe() -> None:
        try:
            found = plugin_classes(settings)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ServiceUnhealthy(f"REST API not answering: {exc}") from exc
        missing = [name for name in REQUIRED_PLUGINS if name not in found]
        if missing:
            raise ServiceUnhealthy(f"plugins not loaded: {', '.join(missing)}")

    return Service(
        name="connect",
        address=settings.connect_url,
        ports={"connect": settings.ports.connect},
        command=java_command(
            settings,
            settings.connect_heap,
            "org.apache.kafka.connect.cli.ConnectDistributed",
            str(config),
        ),
        prepare=prepare,
        probe=probe,
        after=("kafka",),
    )
