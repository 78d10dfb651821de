"""`speech-coach stack install | up | down | status | logs | restart | stop`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from stack import launcher
from stack.install import install
from stack.services import all_services
from stack.settings import StackSettings


def register(parser: argparse.ArgumentParser) -> None:
    stack = parser
    actions = stack.add_subparsers(dest="action", required=True, metavar="ACTION")

    actions.add_parser("install", help="fetch jars (Maven) and the S3 server (cargo)").set_defaults(
        run=_install
    )
    up = actions.add_parser("up", help="start services, health-checked, and apply topics")
    up.add_argument(
        "services", nargs="*", metavar="SERVICE", help="default: the infrastructure services"
    )
    up.add_argument(
        "--apps",
        action="store_true",
        help="also the dataflows (and the bot with TELEGRAM_BOT_TOKEN), after the connectors",
    )
    up.set_defaults(run=_up)
    actions.add_parser("down", help="stop every service and the supervisor").set_defaults(run=_down)
    status = actions.add_parser("status", help="each service's address and health")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(run=_status)
    logs = actions.add_parser("logs", help="print a service's log")
    logs.add_argument("service")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.add_argument("-f", "--follow", action="store_true")
    logs.set_defaults(run=_logs)
    restart = actions.add_parser("restart", help="restart one service and wait until healthy")
    restart.add_argument("service")
    restart.set_defaults(run=_restart)
    stop = actions.add_parser("stop", help="stop one service (restart starts it again)")
    stop.add_argument("service")
    stop.set_defaults(run=_stop)


def _say(line: str) -> None:
    print(line, flush=True)


def _install(_: argparse.Namespace) -> int:
    install(StackSettings(), _say)
    return 0


def _up(args: argparse.Namespace) -> int:
    settings = StackSettings()
    _say(f"stack home {settings.home}")
    try:
        names = list(args.services)
        if args.apps:
            names += [s.name for s in all_services(settings)]
        took = launcher.up(settings, _say, names or None)
    except launcher.StackError as exc:
        print(f"stack up failed: {exc}", file=sys.stderr)
        return 1
    _say(f"stack is up in {took:.1f}s")
    return 0


def _down(_: argparse.Namespace) -> int:
    launcher.down(StackSettings(), _say)
    return 0


def _status(args: argparse.Namespace) -> int:
    statuses = launcher.status(StackSettings())
    if args.json:
        print(json.dumps({s.name: asdict(s) for s in statuses}, indent=2))
    else:
        for s in statuses:
            health = "healthy" if s.healthy else (s.detail or "unhealthy")
            print(f"{s.name:<11} {s.state:<12} {s.address:<28} {health}")
    return 0 if all(s.healthy for s in statuses) else 1


def _logs(args: argparse.Namespace) -> int:
    settings = StackSettings()
    log = settings.logs_dir / f"{args.service}.log"
    if not log.exists():
        print(f"no log at {log}", file=sys.stderr)
        return 1
    command = ["tail", "-n", str(args.lines), *(["-F"] if args.follow else []), str(log)]
    os.execvp("tail", command)  # noqa: S606 - replaces this process with tail, fixed arguments
    return 1  # not reached: execvp returns only by raising


def _stop(args: argparse.Namespace) -> int:
    try:
        launcher.stop(StackSettings(), args.service)
    except launcher.StackError as exc:
        print(f"stop failed: {exc}", file=sys.stderr)
        return 1
    print(f"{args.service} stopped")
    return 0


def _restart(args: argparse.Namespace) -> int:
    try:
        launcher.restart(StackSettings(), args.service, _say)
    except launcher.StackError as exc:
        print(f"restart failed: {exc}", file=sys.stderr)
        return 1
    return 0
