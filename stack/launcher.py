"""`stack up | down | status`: start the services in order, health-checked, under supervisord."""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from clients.kafka import producer
from clients.settings import KafkaConnection
from connectors.bootstrap import prepare
from schemas.topics import load_topics
from stack.services import all_services, infrastructure
from stack.services.base import Service, ServiceUnhealthy
from stack.services.kafka import admin
from stack.settings import StackSettings
from stack.supervisor import Supervisor
from stack.topics import apply_topics

Report = Callable[[str], None]

# supervisord's states of a live process (STARTING lasts `startsecs` after launch).
_ALIVE = {"RUNNING", "STARTING"}
HEARTBEAT_TOPIC = "stack-heartbeat"
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
    """The named services and what they start after; no names: the infrastructure."""
    services = all_services(settings)
    if not names:
        return infrastructure(settings)
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
    """Starts the chosen services (the infrastructure by default) and waits until each is
    healthy; the product's processes start after the topics and connectors are in place.

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

    infra = {s.name for s in infrastructure(settings)}
    waiting = _Waiting(settings, supervisor, running, report, started_at)
    waiting.until_healthy([s for s in services if s.name in infra])
    if "kafka" in waiting.healthy:
        apply_topics(admin(settings), load_topics(), report)
        _check_writes(settings, report, started_at)
    apps = [s for s in services if s.name not in infra]
    if apps:
        try:
            prepare(settings.postgres_dsn, settings.connect_url, report)
        except (OSError, RuntimeError, ValueError) as exc:
            raise StackError(
                f"preparing the product (schema, question bank, connectors): {exc}"
            ) from exc
        waiting.until_healthy(apps)
    return time.monotonic() - started_at


class _Waiting:
    """Starts services once what they start after is healthy, and polls until they are."""

    def __init__(
        self,
        settings: StackSettings,
        supervisor: Supervisor,
        running: set[str],
        report: Report,
        started_at: float,
    ) -> None:
        self.settings = settings
        self.supervisor = supervisor
        self.running = running
        self.report = report
        self.started_at = started_at
        self.healthy: set[str] = set()

    def until_healthy(self, services: list[Service]) -> None:
        pending = {s.name: s for s in services}
        launched = set(self.running)
        last_problem: dict[str, str] = {}
        deadline = time.monotonic() + self.settings.ready_timeout_s
        while pending:
            for service in list(pending.values()):
                if service.name not in launched:
                    if not set(service.after) <= self.healthy | self.running:
                        continue
                    self.supervisor.start(service.name)
                    launched.add(service.name)
                try:
                    service.probe()
                except ServiceUnhealthy as exc:
                    last_problem[service.name] = str(exc)
                    _fail_if_dead(self.supervisor, service)
                    continue
                service.bootstrap()
                self.healthy.add(service.name)
                del pending[service.name]
                note = "already running" if service.name in self.running else "ready"
                self.report(
                    f"{service.name:<19} {note:<15} {service.address:<28} "
                    f"{time.monotonic() - self.started_at:5.1f}s"
                )
            if pending and time.monotonic() > deadline:
                name = next(iter(pending))
                raise StackError(
                    f"{name}: not healthy after {self.settings.ready_timeout_s:.0f}s "
                    f"({last_problem.get(name, 'not started')}); "
                    f"read {self.supervisor.log_file(name)}"
                )
            if pending:
                time.sleep(0.25)


def _check_writes(settings: StackSettings, report: Report, started_at: float) -> None:
    """An idempotent, acks=all write: a fresh broker answers "coordinator load in progress"
    to its first producers for a few seconds, and every client of ours writes this way."""
    kafka = KafkaConnection(bootstrap_servers=settings.bootstrap_servers, client_id="stack-up")
    record = producer(kafka)
    failures: list[str] = []
    record.produce(
        HEARTBEAT_TOPIC,
        value=b"up",
        on_delivery=lambda error, _m: failures.append(str(error)) if error else None,
    )
    if record.flush(settings.ready_timeout_s) > 0 or failures:
        raise StackError(f"kafka: writes not acknowledged ({failures or 'timed out'})")
    report(f"{'kafka writes':<19} {'ready':<15} {'idempotent, acks=all':<28} "
           f"{time.monotonic() - started_at:5.1f}s")  # fmt: skip


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


def stop(settings: StackSettings, name: str) -> None:
    _select(settings, [name])  # validates the name
    Supervisor(settings).stop(name)


def restart(settings: StackSettings, name: str, report: Report) -> float:
    stop(settings, name)
    return up(settings, report, [name])


def status(settings: StackSettings) -> list[ServiceStatus]:
    supervisor = Supervisor(settings)
    processes = {p.name: p for p in supervisor.processes()}
    infra = {s.name for s in infrastructure(settings)}
    result = []
    for service in all_services(settings):
        process = processes.get(service.name)
        if service.name not in infra and (process is None or process.state == "STOPPED"):
            continue  # an app that was never started is not part of this stack's state
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
