"""The native stack's services, one module each; `all_services` lists them in start order."""

from __future__ import annotations

from stack.services import clickhouse, connect, grammar, kafka, postgres, s3
from stack.services.apps import app_services
from stack.services.base import Service
from stack.settings import StackSettings


def infrastructure(settings: StackSettings) -> list[Service]:
    return [
        postgres.service(settings),
        clickhouse.service(settings),
        s3.service(settings),
        kafka.service(settings),
        connect.service(settings),
        grammar.service(settings),
    ]


def all_services(settings: StackSettings) -> list[Service]:
    """Infrastructure first, then the product's processes that use it."""
    return [*infrastructure(settings), *app_services(settings)]
