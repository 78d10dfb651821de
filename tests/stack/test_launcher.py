"""`stack up | down` on a stack of its own: idempotent, leaves nothing behind, names a taken
port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack import launcher
from stack.settings import REPO_ROOT, Ports, StackSettings

pytestmark = pytest.mark.stack

# Apart from the demo's and the test session's stacks.
LIFECYCLE_PORTS = Ports(
    kafka=19292,
    kafka_controller=19293,
    connect=18283,
    postgres=15632,
    clickhouse_tcp=19300,
    clickhouse_http=18323,
    s3=20100,
    grammar=18210,
)
SERVICES = ["clickhouse", "s3"]  # fast ones: the lifecycle is the same for every service


def _processes_under(home: Path) -> list[str]:
    """Command lines of live processes that mention the stack's home."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(home) in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[StackSettings]:
    settings = StackSettings(home=tmp_path / "stack", ports=LIFECYCLE_PORTS)
    yield settings
    launcher.down(settings, lambda _: None)


def test_up_twice_is_harmless_and_down_leaves_no_process(own_stack: StackSettings) -> None:
    lines: list[str] = []
    launcher.up(own_stack, lines.append, SERVICES)
    assert [line.split()[:2] for line in lines] == [["clickhouse", "ready"], ["s3", "ready"]]
    pids = {s.name: s.pid for s in launcher.status(own_stack) if s.name in SERVICES}

    lines.clear()
    launcher.up(own_stack, lines.append, SERVICES)
    assert [line.split()[:3] for line in lines] == [
        ["clickhouse", "already", "running"],
        ["s3", "already", "running"],
    ]
    assert {s.name: s.pid for s in launcher.status(own_stack) if s.name in SERVICES} == pids
    assert _processes_under(own_stack.home), "the stack's processes should be visible"

    launcher.down(own_stack, lambda _: None)
    assert _processes_under(own_stack.home) == []
    assert all(s.state == "NOT RUNNING" for s in launcher.status(own_stack))


def test_a_taken_port_is_named(own_stack: StackSettings) -> None:
    with socket.socket() as squatter:
        # As servers do, so the previous test's connections in TIME_WAIT don't stop it.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((own_stack.host, own_stack.ports.s3))
        squatter.listen()
        with pytest.raises(launcher.PortInUse) as caught:
            launcher.up(own_stack, lambda _: None, ["s3"])
    assert caught.value.port == own_stack.ports.s3
    assert f"port {own_stack.ports.s3} (s3)" in str(caught.value)
    assert _processes_under(own_stack.home) == []


def test_cli_reports_a_taken_port_and_status_json(own_stack: StackSettings) -> None:
    env = {
        **os.environ,
        "SPEECH_COACH_STACK_HOME": str(own_stack.home),
        **{
            f"SPEECH_COACH_STACK_PORTS__{name.upper()}": str(port)
            for name, port in own_stack.ports.model_dump().items()
        },
    }
    cli = [sys.executable, "-m", "cli.main", "stack"]
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((own_stack.host, own_stack.ports.clickhouse_http))
        squatter.listen()
        taken = subprocess.run(
            [*cli, "up", "clickhouse"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert taken.returncode == 1
    assert f"port {own_stack.ports.clickhouse_http} (clickhouse http)" in taken.stderr

    up = subprocess.run(
        [*cli, "up", "s3"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert up.returncode == 0, up.stderr
    assert "s3" in up.stdout
    assert "ready" in up.stdout

    status = subprocess.run(
        [*cli, "status", "--json"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(status.stdout)
    assert report["s3"]["healthy"] is True, report["s3"]
    assert report["s3"]["address"] == f"http://{own_stack.host}:{own_stack.ports.s3}"
    assert report["kafka"]["healthy"] is False
    assert status.returncode == 1  # not every service is healthy
