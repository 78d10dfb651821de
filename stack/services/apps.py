"""The product's own processes on the native stack: the dataflows (and the bot when a
Telegram token is configured), run under the same supervisor as the services they use."""

from __future__ import annotations

import sys
from dataclasses import replace

from stack.services.base import Service, ServiceUnhealthy
from stack.settings import StackSettings
from stack.supervisor import Supervisor

FLOWS = ("conversion", "transcription", "feedback", "readmodels", "scoring", "words", "analytics")
INFRASTRUCTURE = ("postgres", "clickhouse", "s3", "kafka", "connect")


def _alive(settings: StackSettings, name: str) -> None:
    states = {p.name: p.state for p in Supervisor(settings).processes()}
    # RUNNING once it has stayed up for startsecs; a crashing flow never gets there.
    if states.get(name) != "RUNNING":
        raise ServiceUnhealthy(f"process is {states.get(name, 'not started')}")


def _app(settings: StackSettings, name: str, argv: list[str]) -> Service:
    environment = {
        **settings.app_environment(),
        "SPEECH_COACH_STATE_DIR": str(settings.data_dir / "flows"),
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


def app_services(settings: StackSettings) -> list[Service]:
    apps = [_app(settings, f"flow-{flow}", ["flow", flow]) for flow in FLOWS]
    if settings.telegram_bot_token is not None:
        bot = _app(settings, "bot", ["bot"])
        token = {"TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value()}
        apps.append(replace(bot, environment={**bot.environment, **token}))
    return apps
