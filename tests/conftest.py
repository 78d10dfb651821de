"""The test session runs against a real native stack of its own (ports apart from the demo's).

`stack up` is idempotent: a stack left running with SPEECH_COACH_TEST_KEEP_STACK=1 is reused.
SPEECH_COACH_TEST_PORT_OFFSET=N moves the test stack (ports + N, home `.stack-test-N`), so
two test sessions on one machine do not share a stack.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from stack import launcher
from stack.settings import REPO_ROOT, Ports, StackSettings

TEST_PORTS = Ports(
    kafka=19192,
    kafka_controller=19193,
    connect=18183,
    postgres=15532,
    clickhouse_tcp=19100,
    clickhouse_http=18223,
    s3=20000,
    grammar=18110,
)


@pytest.fixture(scope="session")
def stack_settings() -> StackSettings:
    offset = int(os.environ.get("SPEECH_COACH_TEST_PORT_OFFSET", "0"))
    if not offset:
        return StackSettings(home=REPO_ROOT / ".stack-test", ports=TEST_PORTS)
    ports = Ports(**{name: port + offset for name, port in TEST_PORTS.model_dump().items()})
    return StackSettings(home=REPO_ROOT / f".stack-test-{offset}", ports=ports)


@pytest.fixture(scope="session")
def stack(stack_settings: StackSettings) -> Iterator[StackSettings]:
    """The running stack; brought up once per session and down at its end."""
    launcher.up(stack_settings, print)
    yield stack_settings
    if os.environ.get("SPEECH_COACH_TEST_KEEP_STACK") != "1":
        launcher.down(stack_settings, print)


@pytest.fixture
def unique() -> str:
    """A suffix that isolates a test's topics, groups, buckets and keys."""
    return uuid.uuid4().hex[:10]
