"""The Debezium source that captures `public.questions` into the question-bank topic.

Its config is connectors/questionbank-source.json; this module fills the file's
placeholders from the Postgres DSN and a namespace. The namespace prefixes the topic, the
connector name, the replication slot and the publication, so isolated tests (or two
deployments) can share one Connect cluster and one Postgres server.
"""

from __future__ import annotations

import re
from pathlib import Path

from clients.connect import database_variables, load_connector_config
from schemas.topics import TopicSpec, namespaced

SOURCE_FILE = Path(__file__).resolve().parent.parent / "connectors" / "questionbank-source.json"
# Debezium names it <topic.prefix>.<schema>.<table>; declared in redpanda/topics.yaml.
CDC_TOPIC = "questionbank.public.questions"


def cdc_topic(namespace: str = "") -> TopicSpec:
    """The declared spec of the question-bank topic under `namespace`."""
    [spec] = [spec for spec in namespaced(namespace) if spec.name == namespace + CDC_TOPIC]
    return spec


def source_name(namespace: str = "") -> str:
    return f"{namespace}questionbank-source"


def source_config(postgres_dsn: str, namespace: str = "") -> dict[str, str]:
    """The connector's config for the database behind `postgres_dsn`, as Connect sees it."""
    return load_connector_config(
        SOURCE_FILE,
        {
            **database_variables(postgres_dsn),
            "TOPIC_NAMESPACE": namespace,
            # Slot and publication names are Postgres identifiers: [a-z0-9_] only.
            "SLOT_NAMESPACE": re.sub(r"[^a-z0-9_]", "_", namespace.lower()),
        },
    )
