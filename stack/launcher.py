"""`stack up | down | status`: start the services in order, health-checked, under supervisord."""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from schemas.topics import load_topics
from stack.services import all_services
from stack.services.base import Service, ServiceUnhealthy
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.supervisor import Supervisor
from stack.topics import apply_topics

Report = Callable[[str], None]

# supervisord's states of a live process (STARTING lasts `startsecs` after launch).
_ALIVE = {"RUNNING", "STARTING"}
# supervisord states in which a process will not become healthy by waiting.
_DEAD = {"FATAL", "EXITED", "STOPPED", "BACKOFF", "UNKNOWN"}


class StackError(RuntimeError):
    """A service could not be brought up; the message names it and the log to read."""


class PortInUse(StackError):
    def __init__(self, service: str, label: str, host: str, port: int) -> None:
        super().__init__(
            f"{service}: port {port} ({label}) on {host} is already in use by another process; "
            f"stop that process or choose another port (SPEECH_COACH_STACK_PORTS__...)"
        )
        self.port = port


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    address: str
    state: str
    pid: int
    healthy: bool
    detail: str
    log: str


def _select(settings: StackSettings, names: list[str] | None) -> list[Service]:
    services = all_services(settings)
    if not names:
        return services
    known = {s.name: s for s in services}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise StackError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(known)}")
    wanted = set(names)
    # Pull in what the chosen services start after.
    for service in reversed(services):
        if service.name in wanted:
            wanted.update(service.after)
    return [s for s in services if s.name in wanted]


def _check_ports_free(service: Service, host: str) -> None:
    for label, port in service.ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the servers do: connections of a just-stopped server in TIME_WAIT don't count.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise PortInUse(service.name, label, host, port) from exc
                raise


def up(settings: StackSettings, report: Report, names: list[str] | None = None) -> float:
    """Starts the chosen services (all by default) and waits until each is healthy.

    Idempotent: services already running are checked, not restarted. Returns the seconds taken.
    """
    started_at = time.monotonic()
    services = _select(settings, names)
    supervisor = Supervisor(settings)
    running = {p.name for p in supervisor.processes() if p.state in _ALIVE}

    to_start = [s for s in services if s.name not in running]
    for service in to_start:
        _check_ports_free(service, settings.host)
    for service in to_start:
        try:
            service.prepare()
        except (OSError, RuntimeError) as exc:
            raise StackError(f"{service.name}: preparing failed: {exc}") from exc
    supervisor.ensure_running(all_services(settings))

    pending = {s.name: s for s in services}
    launched: set[str] = set(running)
    healthy: set[str] = set()
    last_problem: dict[str, str] = {}
    deadline = time.monotonic() + settings.ready_timeout_s
    while pending:
        for service in list(pending.values()):
            if service.name not in launched:
                if not set(service.after) <= healthy:
                    continue
                supervisor.start(service.name)
                launched.add(service.name)
            try:
                service.probe()
            except ServiceUnhealthy as exc:
                last_problem[service.name] = str(exc)
                _fail_if_dead(supervisor, service)
                continue
            service.bootstrap()
            healthy.add(service.name)
            del pending[service.name]
            note = "already running" if service.name in running else "ready"
            report(
                f"{service.name:<11} {note:<15} {service.address:<28} "
                f"{time.monotonic() - started_at:5.1f}s"
            )
        if pending and time.monotonic() > deadline:
            name = next(iter(pending))
            raise StackError(
                f"{name}: not healthy after {settings.ready_timeout_s:.0f}s "
                f"({last_problem.get(name, 'not started')}); read {supervisor.log_file(name)}"
            )
        if pending:
            time.sleep(0.25)

    if "kafka" in healthy:
        apply_topics(admin(settings), load_topics(), report)
    return time.monotonic() - started_at


def _fail_if_dead(supervisor: Supervisor, service: Service) -> None:
    for process in supervisor.processes():
        if process.name == service.name and process.state in _DEAD:
            log = supervisor.log_file(service.name)
            raise StackError(f"{service.name}: process is {process.state}; read {log}")


def down(settings: StackSettings, report: Report) -> None:
    supervisor = Supervisor(settings)
    if not supervisor.running():
        report("stack is not running")
        return
    # Reverse start order: Connect leaves its group before the broker goes.
    for service in reversed(all_services(settings)):
        supervisor.stop(service.name)
        report(f"{service.name:<11} stopped")
    supervisor.shutdown()
    report("supervisord stopped")


def restart(settings: StackSettings, name: str, report: Report) -> float:
    supervisor = Supervisor(settings)
    _select(settings, [name])  # validates the name
    supervisor.stop(name)
    return up(settings, report, [name])


def status(settings: StackSettings) -> list[ServiceStatus]:
    supervisor = Supervisor(settings)
    processes = {p.name: p for p in supervisor.processes()}
    result = []
    for service in all_services(settings):
        process = processes.get(service.name)
        state = process.state if process else "NOT RUNNING"
        healthy, detail = False, ""
        if state in _ALIVE:
            try:
                service.probe()
                healthy = True
            except ServiceUnhealthy as exc:
                detail = str(exc)
        result.append(
            ServiceStatus(
                service.name,
                service.address,
                state,
                process.pid if process else 0,
                healthy,
                detail,
                str(supervisor.log_file(service.name)),
            )
        )
    return result
