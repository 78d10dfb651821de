"""The product's own processes on the native stack: the dataflows (and the bot when a
Telegram token is configured), run under the same supervisor as the services they use."""

from __future__ import annotations

import sys
from dataclasses import replace

from flows.registry import FLOWS
from stack.services.base import Service, ServiceUnhealthy
from stack.settings import StackSettings
from stack.supervisor import Supervisor

INFRASTRUCTURE = ("postgres", "clickhouse", "s3", "kafka", "connect", "grammar")


def _alive(settings: StackSettings, name: str) -> None:
    states = {p.name: p.state for p in Supervisor(settings).processes()}
    # RUNNING once it has stayed up for startsecs; a crashing flow never gets there.
    if states.get(name) != "RUNNING":
        raise ServiceUnhealthy(f"process is {states.get(name, 'not started')}")


def _app(
    settings: StackSettings, name: str, argv: list[str], extra: dict[str, str] | None = None
) -> Service:
    environment = {
        **settings.app_environment(),
        "SPEECH_COACH_STATE_DIR": str(settings.data_dir / "flows"),
        **(extra or {}),
    }
    return Service(
        name=name,
        address="-",
        ports={},
        command=[sys.executable, "-m", "cli.main", *argv],
        prepare=lambda: None,
        probe=lambda: _alive(settings, name),
        after=INFRASTRUCTURE,
        environment=environment,
        startsecs=5,
    )


def flow_services(settings: StackSettings, flow: str) -> list[Service]:
    """A flow at its configured scale: a Bytewax flow as one process of that many worker
    threads, a Quix flow as that many processes in its consumer group."""
    scale = settings.app_scale.get(flow, 1)
    argv = ["flow", flow]
    if FLOWS[flow] == "bytewax":
        return [_app(settings, f"flow-{flow}", argv, {"SPEECH_COACH_WORKERS": str(scale)})]
    return [
        _app(
            settings,
            f"flow-{flow}" + (f"-{index}" if index else ""),
            argv,
            {"SPEECH_COACH_PROCESS_ID": str(index)},
        )
        for index in range(scale)
    ]


def app_services(settings: StackSettings) -> list[Service]:
    apps = [service for flow in FLOWS for service in flow_services(settings, flow)]
    if settings.telegram_bot_token is not None:
        bot = _app(settings, "bot", ["bot"])
        token = {"TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value()}
        apps.append(replace(bot, environment={**bot.environment, **token}))
    return apps
