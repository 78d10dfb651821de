"""The topic registry: which topic carries which event type, as declared in redpanda/topics.yaml."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

TOPICS_FILE = Path(__file__).resolve().parent.parent / "redpanda" / "topics.yaml"


class TopicSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    event: str | None  # None: a topic whose values are not ours (Debezium's envelope)
    description: str
    partitions: int = Field(ge=1)
    replication_factor: int = Field(ge=1)
    config: dict[str, str]
    # Topics of one group are keyed alike and joined per partition: equal counts required.
    co_partition: str | None = None


@cache
def load_topics(path: Path = TOPICS_FILE) -> tuple[TopicSpec, ...]:
    raw = yaml.safe_load(path.read_text())
    defaults = raw.get("defaults", {})
    specs = tuple(
        TopicSpec.model_validate(
            {**defaults, **entry, "config": {k: str(v) for k, v in entry["config"].items()}}
        )
        for entry in raw["topics"]
    )
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: a topic is declared twice")
    unequal = unequal_groups({spec.name: spec.partitions for spec in specs}, specs)
    if unequal:
        raise ValueError(f"{path}: {unequal}")
    return specs


def unequal_groups(partitions: dict[str, int], specs: Iterable[TopicSpec]) -> str:
    """What breaks co-partitioning, given each topic's partition count ('' if nothing):
    every topic of a `co_partition` group must have the same count."""
    groups: dict[str, dict[str, int]] = {}
    for spec in specs:
        if spec.co_partition is not None and spec.name in partitions:
            groups.setdefault(spec.co_partition, {})[spec.name] = partitions[spec.name]
    problems = [
        f"co-partitioned group {group!r} has unequal partition counts ("
        + ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
        + ")"
        for group, counts in sorted(groups.items())
        if len(set(counts.values())) > 1
    ]
    return "; ".join(problems)


@cache
def topic_for(event_type: str, namespace: str = "") -> str:
    """The one topic that carries `event_type`.

    A namespace prefixes every topic name: tests run whole pipelines on their own topics.
    """
    for spec in load_topics():
        if spec.event == event_type:
            return namespace + spec.name
    raise KeyError(f"no topic in {TOPICS_FILE.name} carries {event_type!r}")


def namespaced(namespace: str) -> tuple[TopicSpec, ...]:
    """The declared topics under a namespace, for `stack.topics.apply_topics`."""
    return tuple(spec.model_copy(update={"name": namespace + spec.name}) for spec in load_topics())
