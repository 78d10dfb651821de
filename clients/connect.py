"""A small client of Kafka Connect's REST API: register connectors and watch them run.

Connector configs live as JSON files in connectors/: each holds the config object that
`PUT /connectors/{name}/config` takes. String values may contain `${VAR}` placeholders
(upper case), filled from a dict when the file is loaded, so one file serves production,
development and isolated tests. Debezium's own `${topic}` and Connect's config-provider
references (`${file:path:key}`) are not placeholders and pass through untouched.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict

# Upper case only: lower-case ${topic} is Debezium's own placeholder and passes through.
_PLACEHOLDER = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
REQUEST_TIMEOUT_S = 15.0
# Connect answers 409 while its workers rebalance or a config write is in flight; that
# passes within seconds, so a request is retried for this long.
CONFLICT_RETRY_S = 30.0
POLL_S = 0.5
# Connect's REST API reads states from its status topic, so a restart shows there only
# after a round trip through the broker; until then the old FAILED may still be reported.
STATUS_LAG_S = 5.0


class ConnectorConfigError(ValueError):
    """A connector file is unreadable, not an object of strings, or leaves a ${VAR} unfilled."""


class ConnectError(RuntimeError):
    """Kafka Connect refused or did not answer a request, or a connector did not start in time."""


@dataclass(frozen=True)
class TaskStatus:
    id: int
    state: str  # UNASSIGNED | RUNNING | PAUSED | STOPPED | FAILED | RESTARTING
    trace: str | None = None


@dataclass(frozen=True)
class ConnectorStatus:
    name: str
    state: str
    tasks: tuple[TaskStatus, ...]
    trace: str | None = None

    @property
    def running(self) -> bool:
        """The connector and every task RUNNING; a connector without tasks does no work yet."""
        return (
            self.state == "RUNNING"
            and bool(self.tasks)
            and all(task.state == "RUNNING" for task in self.tasks)
        )

    def states(self) -> dict[str, str]:
        """The state of each instance: "connector", "task 0", ..."""
        return {"connector": self.state, **{f"task {t.id}": t.state for t in self.tasks}}

    def failures(self) -> tuple[tuple[str, str], ...]:
        """(instance, trace) of each FAILED instance."""
        found = [("connector", self.trace or "")] if self.state == "FAILED" else []
        found += [(f"task {t.id}", t.trace or "") for t in self.tasks if t.state == "FAILED"]
        return tuple(found)

    def describe(self) -> str:
        tasks = ", ".join(f"task {t.id} {t.state}" for t in self.tasks) or "no tasks"
        return f"connector {self.state}, {tasks}"


class ConnectorInvalid(ConnectError):
    """Connect's validation refused the config; `errors` maps each config key to its messages."""

    def __init__(self, name: str, errors: Mapping[str, tuple[str, ...]]) -> None:
        self.errors = dict(errors)
        listed = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in self.errors.items())
        super().__init__(f"connector {name}: invalid config: {listed}")


class ConnectorFailed(ConnectError):
    """The connector or a task is FAILED; the message gives the cause, `status` the traces."""

    def __init__(self, status: ConnectorStatus) -> None:
        self.status = status
        causes = "; ".join(f"{what}: {summarize_trace(trace)}" for what, trace in status.failures())
        super().__init__(f"connector {status.name} FAILED: {causes}")


def summarize_trace(trace: str) -> str:
    """A Java stack trace's first line and its 'Caused by' lines: the why, without the where."""
    lines = [line.strip() for line in trace.splitlines()]
    causes = [line for line in lines[:1] + [x for x in lines if x.startswith("Caused by:")] if line]
    return " <- ".join(causes) or "no trace given"


def load_connector_config(path: Path, variables: Mapping[str, str]) -> dict[str, str]:
    """Reads a connector file and fills its ${VAR} placeholders; refuses any left unfilled."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConnectorConfigError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ConnectorConfigError(f"{path}: must be a JSON object of string values")
    wanted = {name for value in raw.values() for name in _PLACEHOLDER.findall(value)}
    missing = sorted(wanted - variables.keys())
    if missing:
        listed = ", ".join(f"${{{name}}}" for name in missing)
        raise ConnectorConfigError(f"{path}: no value given for {listed}")
    # One pass: a value that itself contains ${...} is not expanded again.
    return {
        key: _PLACEHOLDER.sub(lambda m: variables[m.group(1)], value) for key, value in raw.items()
    }


def validate_connector(
    connect_url: str, name: str, config: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """Connect's verdict on a config, by key; empty when valid.

    Validation runs the plugin's own checks (Debezium logs in to the database), and says
    what is wrong per key, where a refused PUT may only answer with a generic 500.
    """
    plugin = config.get("connector.class")
    if not plugin:
        raise ConnectorConfigError(f"connector {name}: config has no connector.class")
    url = f"{_base(connect_url)}/connector-plugins/{quote(plugin, safe='')}/config/validate"
    status, body = _request("PUT", url, {**config, "name": name})
    if status == 404:
        raise ConnectError(f"connector plugin {plugin} is not installed in Kafka Connect")
    errors: dict[str, tuple[str, ...]] = {}
    for entry in body.get("configs", []):
        value = entry.get("value") or {}
        if value.get("errors"):
            errors[value["name"]] = tuple(value["errors"])
    return errors


def apply_connector(
    connect_url: str, name: str, config: Mapping[str, str], timeout_s: float = 60.0
) -> ConnectorStatus:
    """Creates or updates a connector, then waits until it and all its tasks are RUNNING.

    Idempotent: applying the same config again leaves the running connector as it is.
    Instances that had FAILED are restarted, so applying again after fixing the cause (a
    missing table, a password) brings the connector back. Raises ConnectorInvalid before
    anything is stored if validation refuses the config, ConnectorFailed with the cause
    from the trace if it fails, ConnectError if it is not running within `timeout_s`.

    Connect restarts the tasks of an updated connector asynchronously, so right after an
    update the RUNNING status seen may still be the old tasks'.
    """
    errors = validate_connector(connect_url, name, config)
    if errors:
        raise ConnectorInvalid(name, errors)
    url = _connector_url(connect_url, name)
    before = connector_status(connect_url, name)
    _request("PUT", f"{url}/config", dict(config))
    restarting: set[str] = set()
    if before is not None and before.failures():
        _, plan = _request("POST", f"{url}/restart?includeTasks=true&onlyFailed=true")
        restarting = {
            what for what, state in _status(plan).states().items() if state == "RESTARTING"
        }
    return _wait_running(connect_url, name, timeout_s, restarting)


def connector_status(connect_url: str, name: str) -> ConnectorStatus | None:
    """The connector's state and its tasks'; None when there is no such connector (yet)."""
    code, body = _request("GET", f"{_connector_url(connect_url, name)}/status")
    return None if code == 404 else _status(body)


def _status(body: Any) -> ConnectorStatus:
    try:
        connector = body["connector"]
        return ConnectorStatus(
            name=body["name"],
            state=connector["state"],
            trace=connector.get("trace"),
            tasks=tuple(
                TaskStatus(id=int(task["id"]), state=task["state"], trace=task.get("trace"))
                for task in sorted(body.get("tasks", []), key=lambda task: int(task["id"]))
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConnectError(f"unexpected connector status from Kafka Connect: {body!r}") from exc


def delete_connector(connect_url: str, name: str, timeout_s: float = 30.0) -> bool:
    """Deletes the connector and waits until Connect reports it gone; False when there was none.

    A Postgres source's replication slot stays: drop it when the capture is over for good.
    """
    code, _ = _request("DELETE", _connector_url(connect_url, name))
    if code == 404:
        return False
    # Connect stops the connector asynchronously; its status lingers until it has.
    deadline = time.monotonic() + timeout_s
    while connector_status(connect_url, name) is not None:
        if time.monotonic() >= deadline:
            raise ConnectError(f"connector {name} still reported {timeout_s:.0f}s after deletion")
        time.sleep(POLL_S)
    return True


def _wait_running(
    connect_url: str, name: str, timeout_s: float, restarting: set[str]
) -> ConnectorStatus:
    """Polls until RUNNING; a FAILED of an instance just restarted is believed only once the
    restart has shown in the status, or after STATUS_LAG_S."""
    deadline = time.monotonic() + timeout_s
    lag_over = time.monotonic() + STATUS_LAG_S
    while True:
        status = connector_status(connect_url, name)
        if status is not None:
            restarting -= {what for what, state in status.states().items() if state != "FAILED"}
            stale = restarting if time.monotonic() < lag_over else set()
            if any(what not in stale for what, _ in status.failures()):
                raise ConnectorFailed(status)
            if status.running:
                return status
        if time.monotonic() >= deadline:
            seen = status.describe() if status is not None else "no status reported"
            raise ConnectError(f"connector {name} not RUNNING after {timeout_s:.0f}s: {seen}")
        time.sleep(POLL_S)


def _base(connect_url: str) -> str:
    if not connect_url.startswith(("http://", "https://")):
        raise ValueError(f"Kafka Connect URL must be http(s)://..., got {connect_url!r}")
    return connect_url.rstrip("/")


def _connector_url(connect_url: str, name: str) -> str:
    return f"{_base(connect_url)}/connectors/{quote(name, safe='')}"


def _request(method: str, url: str, body: Mapping[str, str] | None = None) -> tuple[int, Any]:
    """(HTTP status, JSON body) of a 2xx or 404 answer; retries 409; raises on the rest."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in _base
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    deadline = time.monotonic() + CONFLICT_RETRY_S
    while True:
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
                return response.status, _json(response.read())
        except urllib.error.HTTPError as exc:
            payload = _json(exc.read())
            if exc.code == 409 and time.monotonic() < deadline:
                time.sleep(POLL_S)
                continue
            if exc.code == 404:
                return 404, payload
            message = payload.get("message") if isinstance(payload, dict) else None
            raise ConnectError(f"{method} {url}: HTTP {exc.code}: {message or exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ConnectError(f"{method} {url}: Kafka Connect is not answering: {exc}") from exc


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def database_variables(postgres_dsn: str) -> dict[str, str]:
    """DATABASE_* placeholders of a connector file, from a Postgres DSN."""
    params = conninfo_to_dict(postgres_dsn)
    host = str(params.get("host") or "")
    if not host or host.startswith("/"):
        # Connect is another process, often on another machine: a socket path won't do.
        raise ValueError("the Postgres DSN must name a TCP host for Kafka Connect")
    return {
        "DATABASE_HOST": host,
        "DATABASE_PORT": str(params.get("port") or 5432),
        "DATABASE_USER": str(params.get("user") or ""),
        "DATABASE_PASSWORD": str(params.get("password") or ""),
        "DATABASE_NAME": str(params.get("dbname") or ""),
    }
