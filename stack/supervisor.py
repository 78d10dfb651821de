"""The process manager under the stack: supervisord, configured per stack home and driven
over its XML-RPC interface on a unix socket."""

from __future__ import annotations

import configparser
import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from supervisor.xmlrpc import SupervisorTransport

from stack.services.base import Service
from stack.settings import StackSettings


@dataclass(frozen=True)
class ProcessInfo:
    name: str
    state: str  # supervisord's state name: RUNNING, STARTING, STOPPED, FATAL, ...
    pid: int


class Supervisor:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.config = settings.conf_dir / "supervisord.conf"
        self.socket = settings.run_dir / "supervisor.sock"
        self.pidfile = settings.run_dir / "supervisord.pid"

    def render(self, services: list[Service]) -> str:
        parser = configparser.ConfigParser(interpolation=None)
        parser["unix_http_server"] = {"file": str(self.socket), "chmod": "0700"}
        parser["supervisord"] = {
            "logfile": str(self.settings.logs_dir / "supervisord.log"),
            "pidfile": str(self.pidfile),
            "directory": str(self.settings.home),
            "childlogdir": str(self.settings.logs_dir),
        }
        parser["rpcinterface:supervisor"] = {
            "supervisor.rpcinterface_factory": "supervisor.rpcinterface:make_main_rpcinterface"
        }
        parser["supervisorctl"] = {"serverurl": f"unix://{self.socket}"}
        for service in services:
            section: dict[str, str] = {
                # supervisord splits on whitespace and honours shell quoting.
                "command": " ".join(_quote(arg) for arg in service.command),
                # The launcher starts services in order, after their health checks.
                "autostart": "false",
                "autorestart": "unexpected",
                "startsecs": str(service.startsecs),
                "startretries": "2",
                "stopsignal": service.stopsignal,
                "stopwaitsecs": str(service.stopwaitsecs),
                "stopasgroup": "true",
                "killasgroup": "true",
                "redirect_stderr": "true",
                "stdout_logfile": str(self.log_file(service.name)),
                "stdout_logfile_maxbytes": "50MB",
                "stdout_logfile_backups": "2",
            }
            if service.user:
                section["user"] = service.user
            if service.environment:
                section["environment"] = ",".join(
                    f'{key}="{value}"' for key, value in service.environment.items()
                )
            parser[f"program:{service.name}"] = section
        out = io.StringIO()
        parser.write(out)
        return out.getvalue()

    def log_file(self, name: str) -> Path:
        return self.settings.logs_dir / f"{name}.log"

    def _proxy(self) -> Any:
        transport = SupervisorTransport(None, None, serverurl=f"unix://{self.socket}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def rpc(self) -> Any:
        """The `supervisor` XML-RPC namespace (startProcess, stopProcess, getAllProcessInfo...)."""
        return self._proxy().supervisor

    def running(self) -> bool:
        try:
            return cast(str, self.rpc().getState()["statename"]) == "RUNNING"
        except (OSError, xmlrpc.client.Error):
            return False

    def ensure_running(self, services: list[Service]) -> None:
        """Writes the config and starts supervisord, or makes a running one reread it."""
        for directory in (self.settings.logs_dir, self.settings.run_dir, self.config.parent):
            directory.mkdir(parents=True, exist_ok=True)
        rendered = self.render(services)
        changed = not self.config.exists() or self.config.read_text() != rendered
        if changed:
            self.config.write_text(rendered)
        if self.running():
            if changed:
                self.rpc().reloadConfig()
                for name in {s.name for s in services} - {p.name for p in self.processes()}:
                    self.rpc().addProcessGroup(name)
            return
        subprocess.run(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(self.config)],
            check=True,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while not self.running():
            if time.monotonic() > deadline:
                log = self.settings.logs_dir / "supervisord.log"
                raise RuntimeError(f"supervisord did not come up; read {log}")
            time.sleep(0.1)

    def processes(self) -> list[ProcessInfo]:
        if not self.running():
            return []
        return [
            ProcessInfo(info["name"], info["statename"], int(info["pid"]))
            for info in self.rpc().getAllProcessInfo()
        ]

    def start(self, name: str) -> None:
        self.rpc().startProcess(name, False)

    def stop(self, name: str) -> None:
        with contextlib.suppress(xmlrpc.client.Fault):  # already stopped
            self.rpc().stopProcess(name, True)

    def shutdown(self, timeout_s: float = 60.0) -> None:
        """Stops every process, then supervisord itself, and waits until it has exited."""
        if not self.running():
            return
        pid = int(self.pidfile.read_text()) if self.pidfile.exists() else None
        self.rpc().stopAllProcesses(True)
        self.rpc().shutdown()
        if pid is None:
            return
        deadline = time.monotonic() + timeout_s
        while _alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _quote(arg: str) -> str:
    return f'"{arg}"' if any(c.isspace() for c in arg) or not arg else arg
