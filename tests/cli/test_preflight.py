"""`speech-coach preflight`: which passwords a compose deployment may start with.

How compose wires it (every service waits for it, it sees the services' passwords) is
tested in tests/test_compose.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict
from pydantic import SecretStr

from cli.main import main
from cli.preflight import (
    MINIO_MIN_PASSWORD_LENGTH,
    WELL_KNOWN_PASSWORDS,
    Mode,
    PreflightSettings,
    refusals,
)
from clients.settings import PostgresConnection, S3Connection
from stack.settings import StackSettings

STRONG = "3b8f0c5e7a1d9f2c4e6a8b0d1f3c5e7a"
VARIABLES = ("POSTGRES_PASSWORD", "CLICKHOUSE_PASSWORD", "MINIO_ROOT_PASSWORD")
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"


def _settings(mode: Mode, **passwords: str) -> PreflightSettings:
    """Every field given, so nothing comes from this process's environment."""
    values = {name: passwords.get(name, STRONG) for name in VARIABLES}
    return PreflightSettings(
        speech_coach_env=mode,
        postgres_password=SecretStr(values["POSTGRES_PASSWORD"]),
        clickhouse_password=SecretStr(values["CLICKHOUSE_PASSWORD"]),
        minio_root_password=SecretStr(values["MINIO_ROOT_PASSWORD"]),
    )


@pytest.mark.parametrize("mode", list(Mode))
def test_new_passwords_pass(mode: Mode) -> None:
    assert refusals(_settings(mode)) == []


@pytest.mark.parametrize("variable", VARIABLES)
@pytest.mark.parametrize("mode", list(Mode))
def test_an_unset_password_is_refused_in_every_mode(mode: Mode, variable: str) -> None:
    assert refusals(_settings(mode, **{variable: ""})) == [f"{variable} is not set"]


@pytest.mark.parametrize("password", sorted(WELL_KNOWN_PASSWORDS))
@pytest.mark.parametrize("variable", VARIABLES)
def test_production_refuses_well_known_passwords(variable: str, password: str) -> None:
    assert refusals(_settings(Mode.PRODUCTION, **{variable: password})) == [
        f"{variable} is a well-known default password"
    ]


@pytest.mark.parametrize("password", sorted(WELL_KNOWN_PASSWORDS))
@pytest.mark.parametrize("variable", VARIABLES)
def test_dev_mode_accepts_well_known_passwords(variable: str, password: str) -> None:
    assert refusals(_settings(Mode.DEV, **{variable: password})) == []


def test_the_native_stack_defaults_are_well_known() -> None:
    """A deployment copying the native stack's loopback defaults is refused too."""
    stack = StackSettings.model_fields
    assert stack["postgres_password"].default in WELL_KNOWN_PASSWORDS
    assert stack["s3_secret_key"].default in WELL_KNOWN_PASSWORDS
    assert S3Connection().secret_key in WELL_KNOWN_PASSWORDS
    assert conninfo_to_dict(PostgresConnection().dsn)["password"] in WELL_KNOWN_PASSWORDS


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("password", ["abc/def-12", "abc@def-12", "abc%def-12", "abc def-12"])
def test_a_postgres_password_the_url_would_mangle_is_refused(mode: Mode, password: str) -> None:
    assert refusals(_settings(mode, POSTGRES_PASSWORD=password)) == [
        "POSTGRES_PASSWORD may hold only letters, digits and - . _ ~ "
        "(it goes into the services' postgresql:// URL)"
    ]


@given(st.text(alphabet=UNRESERVED, min_size=1, max_size=40))
def test_an_accepted_postgres_password_survives_the_services_url(password: str) -> None:
    """What the check lets through is what the services read back from their DSN
    (docker-compose.yml writes postgresql://USER:PASSWORD@postgres:5432/DB)."""
    assert refusals(_settings(Mode.DEV, POSTGRES_PASSWORD=password)) == []
    params = conninfo_to_dict(f"postgresql://speech_coach:{password}@postgres:5432/speech_coach")
    assert params["password"] == password
    assert params["host"] == "postgres"


@pytest.mark.parametrize("mode", list(Mode))
def test_a_minio_password_minio_would_refuse_is_refused(mode: Mode) -> None:
    short = "x" * (MINIO_MIN_PASSWORD_LENGTH - 1)
    assert refusals(_settings(mode, MINIO_ROOT_PASSWORD=short)) == [
        f"MINIO_ROOT_PASSWORD is shorter than {MINIO_MIN_PASSWORD_LENGTH} characters "
        "(MinIO refuses to start with it)"
    ]
    assert refusals(_settings(mode, MINIO_ROOT_PASSWORD=short + "x")) == []


@pytest.fixture
def compose_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment as compose would set it, without the caller's own values."""
    for name in ("SPEECH_COACH_ENV", *VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_command_refuses_naming_each_variable(
    compose_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    compose_environment.setenv("POSTGRES_PASSWORD", "speech_coach")
    compose_environment.setenv("MINIO_ROOT_PASSWORD", STRONG)
    assert main(["preflight"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "refusing to start (SPEECH_COACH_ENV=production)" in err
    assert "  - POSTGRES_PASSWORD is a well-known default password" in err
    assert "  - CLICKHOUSE_PASSWORD is not set" in err
    assert "MINIO_ROOT_PASSWORD" not in err
    assert "SPEECH_COACH_ENV=dev accepts" in err


def test_command_accepts_dev_mode(
    compose_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    compose_environment.setenv("SPEECH_COACH_ENV", "dev")
    for name in VARIABLES:
        compose_environment.setenv(name, "speech-coach-secret")
    assert main(["preflight"]) == 0
    out, err = capsys.readouterr()
    assert "passwords accepted (SPEECH_COACH_ENV=dev)" in out
    assert err == ""


def test_command_refuses_an_unknown_mode(
    compose_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    compose_environment.setenv("SPEECH_COACH_ENV", "development")
    for name in VARIABLES:
        compose_environment.setenv(name, STRONG)
    assert main(["preflight"]) == 1
    err = capsys.readouterr().err
    assert "SPEECH_COACH_ENV" in err
    assert "'production' or 'dev'" in err
