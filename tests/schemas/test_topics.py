"""The topic registry: redpanda/topics.yaml read and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.events.base import Event
from schemas.registry import EVENT_TYPES
from schemas.topics import TOPICS_FILE, load_topics, topic_for


def test_every_event_type_has_one_learner_keyed_topic() -> None:
    specs = {spec.name: spec for spec in load_topics()}
    for event_type, event_cls in EVENT_TYPES.items():
        assert issubclass(event_cls, Event)
        spec = specs[topic_for(event_type)]
        assert spec.co_partition == "learners", f"{spec.name} is keyed by user_id"


def test_every_topic_declares_its_partition_count() -> None:
    text = TOPICS_FILE.read_text()
    assert "partitions" not in text.split("topics:")[0].split("defaults:")[1]
    assert text.count("\n    partitions: ") == len(load_topics())


def test_a_group_with_unequal_partition_counts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(
        "defaults: {replication_factor: 1}\n"
        "topics:\n"
        "  - {name: a, event: null, description: a, partitions: 3, co_partition: g,"
        " config: {}}\n"
        "  - {name: b, event: null, description: b, partitions: 6, co_partition: g,"
        " config: {}}\n"
        "  - {name: c, event: null, description: c, partitions: 1, config: {}}\n"
    )
    with pytest.raises(ValueError, match=r"group 'g' has unequal partition counts \(a: 3, b: 6\)"):
        load_topics(path)
