"""The source connector's config, filled for a namespace, names what the rest expects."""

from __future__ import annotations

import re

import pytest

from questionbank.connector import CDC_TOPIC, cdc_topic, source_config, source_name
from schemas.topics import load_topics

DSN = "postgresql://bank:s3cret@db.internal:6543/speech"


@pytest.mark.parametrize("namespace", ["", "test-0a1b2c-"])
def test_debezium_writes_to_the_declared_topic_of_the_namespace(namespace: str) -> None:
    config = source_config(DSN, namespace)
    # Debezium names the topic <topic.prefix>.<schema>.<table>.
    schema_table = config["table.include.list"]
    assert f"{config['topic.prefix']}.{schema_table}" == cdc_topic(namespace).name
    assert cdc_topic(namespace).name == namespace + CDC_TOPIC
    assert CDC_TOPIC in {spec.name for spec in load_topics()}


def test_the_database_comes_from_the_dsn_and_nothing_is_left_unfilled() -> None:
    config = source_config(DSN)
    assert (
        config["database.hostname"],
        config["database.port"],
        config["database.user"],
        config["database.password"],
        config["database.dbname"],
    ) == ("db.internal", "6543", "bank", "s3cret", "speech")
    assert not any("${" in value for value in config.values())


def test_namespaces_give_distinct_valid_slot_and_publication_names() -> None:
    names = set()
    for namespace in ["", "test-0a1b2c-", "test-ffffff-"]:
        config = source_config(DSN, namespace)
        for key in ("slot.name", "publication.name"):
            # Postgres replication slot names: lower-case letters, digits, underscores.
            assert re.fullmatch(r"[a-z0-9_]{1,63}", config[key]), config[key]
        names.add((config["slot.name"], source_name(namespace)))
    assert len(names) == 3


def test_the_capture_is_configured_as_the_design_says() -> None:
    config = source_config(DSN)
    assert config["connector.class"] == "io.debezium.connector.postgresql.PostgresConnector"
    assert config["plugin.name"] == "pgoutput"
    assert config["publication.autocreate.mode"] == "filtered"
    assert config["snapshot.mode"] == "initial"
    assert config["value.converter.schemas.enable"] == "true"


def test_a_socket_dsn_is_refused_because_connect_needs_a_host() -> None:
    with pytest.raises(ValueError, match="TCP host"):
        source_config("dbname=speech host=/var/run/postgresql")
