"""Which passwords a compose deployment must not start with.

Compose's `preflight` service checks the passwords it hands the other services, and every
other service waits for that check to succeed. Outside dev mode (SPEECH_COACH_ENV=dev) a
missing password or one published in this repository or an image's documentation is
refused; in every mode, a password the services could not use is refused.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Anyone who has read this repository or MinIO's documentation knows these.
WELL_KNOWN_PASSWORDS = frozenset(
    {
        # .env's development values
        "speech_coach",
        "speech-coach-secret",
        # the native stack's loopback defaults (stack/settings.py, clients/settings.py)
        "speechcoach",
        "speechcoach-secret",
        # MinIO's built-in root password
        "minioadmin",
    }
)
# MinIO exits at start-up with a shorter root password.
MINIO_MIN_PASSWORD_LENGTH = 8
# The Postgres password is written into the services' postgresql:// URL, where only RFC 3986
# unreserved characters need no escaping: psycopg reads "a/b" or "a@b" as a different host.
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


class Mode(StrEnum):
    PRODUCTION = "production"
    DEV = "dev"


class PreflightSettings(BaseSettings):
    """The variables compose gives the preflight service, under their names in .env."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    # Production unless a developer says otherwise: a forgotten variable must not relax checks.
    speech_coach_env: Mode = Mode.PRODUCTION
    postgres_password: SecretStr = SecretStr("")
    clickhouse_password: SecretStr = SecretStr("")
    minio_root_password: SecretStr = SecretStr("")


def refusals(settings: PreflightSettings) -> list[str]:
    """One line per problem, each naming the variable to change; empty when all pass."""
    passwords = {
        "POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
        "CLICKHOUSE_PASSWORD": settings.clickhouse_password.get_secret_value(),
        "MINIO_ROOT_PASSWORD": settings.minio_root_password.get_secret_value(),
    }
    found: list[str] = []
    for name, value in passwords.items():
        if not value:
            found.append(f"{name} is not set")
        elif value in WELL_KNOWN_PASSWORDS and settings.speech_coach_env is Mode.PRODUCTION:
            found.append(f"{name} is a well-known default password")
    postgres = passwords["POSTGRES_PASSWORD"]
    if postgres and not _URL_SAFE.fullmatch(postgres):
        found.append(
            "POSTGRES_PASSWORD may hold only letters, digits and - . _ ~ "
            "(it goes into the services' postgresql:// URL)"
        )
    minio = passwords["MINIO_ROOT_PASSWORD"]
    if minio and len(minio) < MINIO_MIN_PASSWORD_LENGTH:
        found.append(
            f"MINIO_ROOT_PASSWORD is shorter than {MINIO_MIN_PASSWORD_LENGTH} characters "
            "(MinIO refuses to start with it)"
        )
    return found
