"""The production compose setup validates without a Docker engine.

`docker-compose config` (Debian's docker-compose 1.29.2) parses, interpolates and
schema-checks docker-compose.yml against .env without talking to a Docker daemon,
so these tests run on machines that can never start the containers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_FILE = ROOT / ".env"
DOCKERFILE = ROOT / "Dockerfile"
CONSOLE_CONFIG = ROOT / "redpanda" / "console-config.yaml"

TIMEOUT_S = 60
INSTALL_HINT = (
    "docker-compose is not installed; it validates the compose file without a Docker "
    "engine. Install it with: apt-get install docker-compose"
)

INFRASTRUCTURE = ("redpanda", "connect", "postgres", "clickhouse", "minio", "grammar")
APP_COMMANDS = {
    "bot": ["speech-coach", "bot"],
    "flow-conversion": ["speech-coach", "flow", "conversion"],
    "flow-transcription": ["speech-coach", "flow", "transcription"],
    "flow-feedback": ["speech-coach", "flow", "feedback"],
    "flow-readmodels": ["speech-coach", "flow", "readmodels"],
    "flow-scoring": ["speech-coach", "flow", "scoring"],
    "flow-words": ["speech-coach", "flow", "words"],
    "flow-analytics": ["speech-coach", "flow", "analytics"],
    "flow-retention": ["speech-coach", "flow", "retention"],
    "flow-erasure": ["speech-coach", "flow", "erasure"],
}
INIT_SERVICE = "init"
PREFLIGHT_SERVICE = "preflight"
PASSWORDS = ("POSTGRES_PASSWORD", "CLICKHOUSE_PASSWORD", "MINIO_ROOT_PASSWORD")
PUBLISHING = {"redpanda", "console", "connect", "postgres", "clickhouse", "minio", "grammar"}
# The Dockerfile's base images, each an ARG without a default, pinned in .env.
BASE_IMAGES = ("LANGUAGETOOL_BUILD_IMAGE", "LANGUAGETOOL_JRE_IMAGE", "PYTHON_IMAGE")
IMAGE_REF = re.compile(r"^\$\{(?P<var>[A-Z][A-Z0-9_]*)(?::\?[^}]*)?\}$")


def _docker_compose() -> str:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail(INSTALL_HINT)
    return exe


def _clean_env() -> dict[str, str]:
    """Only what docker-compose needs to run: values must come from the env file,
    never from variables that happen to be exported in the caller's shell."""
    return {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}


def _compose_config(
    compose_file: Path,
    env_file: Path,
    *args: str,
    environment: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`environment`: variables exported in the operator's shell, which override the env file."""
    return subprocess.run(
        [_docker_compose(), "--env-file", str(env_file), "-f", str(compose_file), "config", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**_clean_env(), **(environment or {})},
        cwd=compose_file.parent,
        check=False,
    )


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {raw!r}"
        values[key.strip()] = value.strip()
    return values


def _load_yaml_mapping(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict), "expected a YAML mapping"
    return data


@pytest.fixture(scope="module")
def env_values() -> dict[str, str]:
    return _read_env_file(ENV_FILE)


def _resolved_services(
    env_file: Path = ENV_FILE, environment: Mapping[str, str] | None = None
) -> dict[str, Any]:
    result = _compose_config(COMPOSE_FILE, env_file, environment=environment)
    assert result.returncode == 0, result.stderr
    found = _load_yaml_mapping(result.stdout)["services"]
    assert isinstance(found, dict)
    return found


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    """The fully resolved compose model, as docker-compose itself sees it."""
    return _resolved_services()


def _depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    """Dependency name -> condition (the short list form means service_started)."""
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


@dataclass(frozen=True)
class Published:
    host_ip: str | None
    published: int
    target: int


def _published_ports(service: Mapping[str, Any]) -> list[Published]:
    """docker-compose 1.29 prints a port with a host address as "IP:PUBLISHED:TARGET/tcp"
    and one without as a mapping; Compose v2 always prints the mapping."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, str):
            host_ip, published, target = port.split("/")[0].rsplit(":", 2)
            found.append(Published(host_ip, int(published), int(target)))
        else:
            found.append(
                Published(port.get("host_ip"), int(port["published"]), int(port["target"]))
            )
    return found


def _host_addresses(services: Mapping[str, Any]) -> dict[str, set[str | None]]:
    """Service -> the host addresses its ports are published on (services with ports only)."""
    return {
        name: {port.host_ip for port in _published_ports(service)}
        for name, service in services.items()
        if service.get("ports")
    }


def _command_text(service: Mapping[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


# --------------------------------------------------------------------------- (a)


def test_compose_file_validates_against_env_file() -> None:
    result = _compose_config(COMPOSE_FILE, ENV_FILE, "-q")
    assert result.returncode == 0, f"docker-compose config rejected the file:\n{result.stderr}"
    assert result.stderr.strip() == "", f"docker-compose config warned:\n{result.stderr}"


# --------------------------------------------------------------------------- (b)


def test_every_image_is_pinned_in_env_file(
    services: dict[str, Any], env_values: dict[str, str]
) -> None:
    compose_text = COMPOSE_FILE.read_text(encoding="utf-8")
    raw_images = re.findall(r"^\s*image:\s*(\S.*?)\s*$", compose_text, re.M)
    assert raw_images, "no image: lines found"
    for raw in raw_images:
        match = IMAGE_REF.match(raw)
        assert match, f"image {raw!r} is written literally in docker-compose.yml, pin it in .env"
        var = match["var"]
        value = env_values.get(var, "")
        assert value, f"{var} is used for an image but not set in .env"
        name, _, tag = value.rpartition(":")
        assert name, f"{var}={value} has no tag"
        assert "/" not in tag, f"{var}={value} has no tag"
        assert tag != "latest", f"{var}={value} is not pinned"

    pinned = {value for key, value in env_values.items() if key.endswith("_IMAGE")}
    for name, service in services.items():
        assert service["image"] in pinned, f"{name} resolves to an image not pinned in .env"


def test_dockerfile_base_images_come_from_env_file(
    services: dict[str, Any], env_values: dict[str, str]
) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    for arg in BASE_IMAGES:
        assert re.search(rf"^ARG {arg}\s*$", text, re.M), f"ARG {arg} must have no default"
    froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M)
    assert froms == [
        ("${LANGUAGETOOL_BUILD_IMAGE}", "grammar-jars"),
        ("${LANGUAGETOOL_JRE_IMAGE}", "grammar"),
        ("${PYTHON_IMAGE}", "app"),  # last: the default target
    ]
    assert env_values["PYTHON_IMAGE"].startswith("python:3.11-slim-bookworm")
    # An empty FROM fails a build even in a stage it does not build: every build gets all.
    for name in (*APP_COMMANDS, INIT_SERVICE, "grammar"):
        build = services[name]["build"]
        assert {arg: build["args"][arg] for arg in BASE_IMAGES} == {
            arg: env_values[arg] for arg in BASE_IMAGES
        }, name
    for name in (*APP_COMMANDS, INIT_SERVICE):
        assert services[name]["build"]["target"] == "app", name
        assert services[name]["image"] == env_values["SPEECH_COACH_IMAGE"], name


def test_grammar_checker_is_built_from_the_native_stacks_pom_and_rules(
    services: dict[str, Any], env_values: dict[str, str]
) -> None:
    grammar = services["grammar"]
    assert grammar["build"]["target"] == "grammar"
    assert grammar["image"] == env_values["GRAMMAR_IMAGE"]
    assert "8010/v2/languages" in " ".join(grammar["healthcheck"]["test"])
    published = {p.published: p.target for p in _published_ports(grammar)}
    assert published == {int(env_values["GRAMMAR_PORT"]): 8010}
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "COPY stack/java/languagetool/pom.xml" in text
    assert "COPY stack/languagetool /opt/languagetool/rules" in text
    assert '"--port", "8010", "--public"' in text
    assert (ROOT / "stack/languagetool/org/languagetool/rules/en/grammar_custom.xml").is_file()


def test_the_flows_reach_the_grammar_checker_and_feedback_waits_for_it(
    services: dict[str, Any],
) -> None:
    for name in (*APP_COMMANDS, INIT_SERVICE):
        assert services[name]["environment"]["SPEECH_COACH_GRAMMAR__URL"] == "http://grammar:8010"
    assert _depends_on(services["flow-feedback"]).get("grammar") == "service_healthy"


def test_postgres_runs_with_logical_wal(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    assert "wal_level=logical" in _command_text(postgres)
    assert any(str(v).endswith(":/var/lib/postgresql/data:rw") for v in postgres["volumes"])


def test_console_is_configured_with_brokers_and_connect_cluster(
    services: dict[str, Any],
) -> None:
    console = services["console"]
    config_path = console["environment"]["CONFIG_FILEPATH"]
    mounts = {str(v).split(":")[0]: str(v).split(":")[1] for v in console["volumes"]}
    assert mounts.get(str(CONSOLE_CONFIG)) == config_path

    config = _load_yaml_mapping(CONSOLE_CONFIG.read_text(encoding="utf-8"))
    assert "redpanda:9092" in config["kafka"]["brokers"]
    # Console v3 layout: `kafkaConnect`, not v2's `connect` (v3 rejects unknown keys).
    assert "connect" not in config
    assert config["kafkaConnect"]["enabled"] is True
    clusters = {c["name"]: c["url"] for c in config["kafkaConnect"]["clusters"]}
    assert clusters == {"debezium": "http://connect:8083"}
    assert _depends_on(console).get("connect") == "service_healthy"


def test_connect_worker_settings(services: dict[str, Any]) -> None:
    env = services["connect"]["environment"]
    assert env["BOOTSTRAP_SERVERS"] == "redpanda:9092"
    assert env["GROUP_ID"]
    for topic in ("CONFIG", "OFFSET", "STATUS"):
        assert env[f"{topic}_STORAGE_TOPIC"]
        assert str(env[f"CONNECT_{topic}_STORAGE_REPLICATION_FACTOR"]) == "1"
    for side in ("KEY", "VALUE"):
        assert env[f"{side}_CONVERTER"] == "org.apache.kafka.connect.json.JsonConverter"
        assert str(env[f"CONNECT_{side}_CONVERTER_SCHEMAS_ENABLE"]) == "true"
    assert "8083/connectors" in " ".join(services["connect"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", INFRASTRUCTURE)
def test_infrastructure_service_has_healthcheck(services: dict[str, Any], name: str) -> None:
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False)
    test = healthcheck["test"]
    assert isinstance(test, list)
    assert test[0] in {"CMD", "CMD-SHELL"}
    assert len(test) > 1
    assert services[name]["restart"] == "unless-stopped"


def test_redpanda_healthcheck_uses_rpk(services: dict[str, Any]) -> None:
    redpanda = services["redpanda"]
    assert "rpk cluster health" in " ".join(redpanda["healthcheck"]["test"])
    command = _command_text(redpanda)
    assert "--mode=dev-container" in command
    assert "internal://redpanda:9092" in command
    published = {p.published: p.target for p in _published_ports(redpanda)}
    assert published[19092] == 19092
    assert published[9644] == 9644


@pytest.mark.parametrize("name", sorted(APP_COMMANDS))
def test_app_service_waits_for_healthy_infrastructure(services: dict[str, Any], name: str) -> None:
    service = services[name]
    assert service["command"] == APP_COMMANDS[name]
    assert service["restart"] == "unless-stopped"
    deps = _depends_on(service)
    assert deps.get("redpanda") == "service_healthy"
    assert deps.get("minio") == "service_healthy"
    assert deps.get(INIT_SERVICE) == "service_completed_successfully"
    env = service["environment"]
    assert env["SPEECH_COACH_KAFKA__BOOTSTRAP_SERVERS"] == "redpanda:9092"
    assert env["SPEECH_COACH_S3__ENDPOINT"] == "minio:9000"
    assert env["SPEECH_COACH_S3__BUCKET"] == "voice"
    assert env["SPEECH_COACH_CLICKHOUSE__HOST"] == "clickhouse"
    assert env["SPEECH_COACH_POSTGRES__DSN"].startswith("postgresql://")
    assert "@postgres:5432/" in env["SPEECH_COACH_POSTGRES__DSN"]
    # Offline by default: the placeholders exist and are empty.
    assert env["TELEGRAM_BOT_TOKEN"] == ""
    assert env["OPENAI_API_KEY"] == ""


def test_bot_waits_for_its_read_models(services: dict[str, Any]) -> None:
    assert _depends_on(services["bot"]).get("postgres") == "service_healthy"


def test_init_runs_once_after_the_services_it_prepares(services: dict[str, Any]) -> None:
    init = services[INIT_SERVICE]
    assert init["command"] == ["speech-coach", "init"]
    assert init["restart"] == "no"
    assert _depends_on(init) == {
        PREFLIGHT_SERVICE: "service_completed_successfully",
        "redpanda": "service_healthy",
        "minio": "service_healthy",
        "postgres": "service_healthy",
        "connect": "service_healthy",
    }


def test_healthy_conditions_point_at_healthchecked_services(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for dep, condition in _depends_on(service).items():
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits on {dep}, which has none"


def test_data_lives_in_named_volumes() -> None:
    result = _compose_config(COMPOSE_FILE, ENV_FILE, "--volumes")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {
        "flow-state",
        "redpanda-data",
        "postgres-data",
        "clickhouse-data",
        "minio-data",
    }


def test_every_flow_keeps_its_state_on_the_volume() -> None:
    config = _load_yaml_mapping(_compose_config(COMPOSE_FILE, ENV_FILE).stdout)
    for name, service in config["services"].items():
        if name.startswith("flow-"):
            assert service["environment"]["SPEECH_COACH_STATE_DIR"].startswith(
                "/var/lib/speech-coach/"
            ), name
            assert any("flow-state" in str(v) for v in service["volumes"]), name


# --------------------------------------------------------------------------- (c)


def _copy_setup(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(ROOT / "redpanda", tmp_path / "redpanda")
    env_copy = tmp_path / ".env"
    shutil.copyfile(ENV_FILE, env_copy)
    return tmp_path / "docker-compose.yml", env_copy


def test_validator_rejects_dependency_on_undefined_service(tmp_path: Path) -> None:
    compose_copy, env_copy = _copy_setup(tmp_path)
    model = _load_yaml_mapping(COMPOSE_FILE.read_text(encoding="utf-8"))

    # Control: the copy, rewritten without anchors, is still valid.
    compose_copy.write_text(yaml.safe_dump(model), encoding="utf-8")
    control = _compose_config(compose_copy, env_copy, "-q")
    assert control.returncode == 0, control.stderr

    model["services"]["bot"]["depends_on"]["ghost"] = {"condition": "service_healthy"}
    compose_copy.write_text(yaml.safe_dump(model), encoding="utf-8")
    broken = _compose_config(compose_copy, env_copy, "-q")
    assert broken.returncode != 0
    assert "ghost" in broken.stderr


def test_validator_rejects_missing_image_pin(tmp_path: Path) -> None:
    compose_copy, env_copy = _copy_setup(tmp_path)
    shutil.copyfile(COMPOSE_FILE, compose_copy)
    kept = [
        line
        for line in ENV_FILE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("CLICKHOUSE_IMAGE=")
    ]
    env_copy.write_text("\n".join(kept) + "\n", encoding="utf-8")
    broken = _compose_config(compose_copy, env_copy, "-q")
    assert broken.returncode != 0
    assert "CLICKHOUSE_IMAGE" in broken.stderr


# --------------------------------------------------------------------------- (d)
# Published ports stay on this machine unless the operator names an address; the passwords
# are checked before anything starts.

BIND_VARIABLE = "SPEECH_COACH_BIND_ADDRESS"
# TEST-NET-1 (RFC 5737): an address no machine here has.
OTHER_ADDRESS = "192.0.2.10"
# What an operator following .env's advice (`openssl rand -hex 24`) exports.
NEW_PASSWORDS = {
    "POSTGRES_PASSWORD": "5f0c3a9e1b7d4c2a8e6f0b1d3c5a7e9f2b4d6c8a0e1f3b5d",
    "CLICKHOUSE_PASSWORD": "a1c3e5f7092b4d6f8a0c2e4f6b8d0a1c3e5f7092b4d6f8a0",
    "MINIO_ROOT_PASSWORD": "0d2f4b6a8c1e3f5d7b9a0c2e4f6d8b1a3c5e7f9d0b2a4c6e",
}


def _env_copy(tmp_path: Path, **values: str | None) -> Path:
    """The shipped .env with some variables replaced (a value) or removed (None)."""
    kept = [
        line
        for line in ENV_FILE.read_text(encoding="utf-8").splitlines()
        if line.partition("=")[0] not in values
    ]
    kept += [f"{key}={value}" for key, value in values.items() if value is not None]
    env_copy = tmp_path / ".env"
    env_copy.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return env_copy


def _run_preflight(services: Mapping[str, Any]) -> subprocess.CompletedProcess[str]:
    """`speech-coach preflight`, run here with exactly the environment compose gives the
    preflight container."""
    environment = {
        key: str(value) for key, value in services[PREFLIGHT_SERVICE]["environment"].items()
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "preflight"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**_clean_env(), **environment},
        cwd=ROOT,
        check=False,
    )


def test_published_ports_bind_to_loopback_with_the_shipped_env_file(
    services: dict[str, Any],
) -> None:
    assert _host_addresses(services) == {name: {"127.0.0.1"} for name in PUBLISHING}


def test_published_ports_bind_to_loopback_when_the_address_is_unset(tmp_path: Path) -> None:
    resolved = _resolved_services(_env_copy(tmp_path, **{BIND_VARIABLE: None}))
    assert _host_addresses(resolved) == {name: {"127.0.0.1"} for name in PUBLISHING}


@pytest.mark.parametrize("where", ["env file", "shell"])
def test_published_ports_bind_to_the_configured_address(tmp_path: Path, where: str) -> None:
    if where == "env file":
        resolved = _resolved_services(_env_copy(tmp_path, **{BIND_VARIABLE: OTHER_ADDRESS}))
    else:
        resolved = _resolved_services(environment={BIND_VARIABLE: OTHER_ADDRESS})
    assert _host_addresses(resolved) == {name: {OTHER_ADDRESS} for name in PUBLISHING}
    # Only the address moves: the host ports stay those of .env.
    assert {p.published for p in _published_ports(resolved["postgres"])} == {5432}


def test_every_service_waits_for_preflight(services: dict[str, Any]) -> None:
    preflight = services[PREFLIGHT_SERVICE]
    assert preflight["command"] == ["speech-coach", "preflight"]
    assert preflight["restart"] == "no"
    assert _depends_on(preflight) == {}
    for name, service in services.items():
        if name != PREFLIGHT_SERVICE:
            assert _depends_on(service).get(PREFLIGHT_SERVICE) == (
                "service_completed_successfully"
            ), f"{name} can start before the passwords are checked"


def test_preflight_checks_the_passwords_the_services_are_given(services: dict[str, Any]) -> None:
    checked = services[PREFLIGHT_SERVICE]["environment"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == checked["POSTGRES_PASSWORD"]
    assert (
        services["clickhouse"]["environment"]["CLICKHOUSE_PASSWORD"]
        == checked["CLICKHOUSE_PASSWORD"]
    )
    assert services["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == checked["MINIO_ROOT_PASSWORD"]
    for name in (*APP_COMMANDS, INIT_SERVICE):
        env = services[name]["environment"]
        assert f":{checked['POSTGRES_PASSWORD']}@postgres:" in env["SPEECH_COACH_POSTGRES__DSN"]
        assert env["SPEECH_COACH_CLICKHOUSE__PASSWORD"] == checked["CLICKHOUSE_PASSWORD"]
        assert env["SPEECH_COACH_S3__SECRET_KEY"] == checked["MINIO_ROOT_PASSWORD"]


@pytest.mark.parametrize("variable", PASSWORDS)
@pytest.mark.parametrize("value", [None, ""], ids=["removed", "empty"])
def test_compose_refuses_a_missing_password(
    tmp_path: Path, variable: str, value: str | None
) -> None:
    refused = _compose_config(COMPOSE_FILE, _env_copy(tmp_path, **{variable: value}), "-q")
    assert refused.returncode != 0
    assert f"set {variable}" in refused.stderr


def test_production_refuses_the_shipped_development_passwords(services: dict[str, Any]) -> None:
    assert services[PREFLIGHT_SERVICE]["environment"]["SPEECH_COACH_ENV"] == "production"
    refused = _run_preflight(services)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    for variable in PASSWORDS:
        assert f"{variable} is a well-known default password" in refused.stderr


def test_production_is_the_mode_when_none_is_set(tmp_path: Path) -> None:
    resolved = _resolved_services(_env_copy(tmp_path, SPEECH_COACH_ENV=None))
    assert resolved[PREFLIGHT_SERVICE]["environment"]["SPEECH_COACH_ENV"] == "production"
    assert _run_preflight(resolved).returncode == 1


def test_production_accepts_new_passwords_from_the_shell() -> None:
    resolved = _resolved_services(environment=NEW_PASSWORDS)
    accepted = _run_preflight(resolved)
    assert accepted.returncode == 0, accepted.stderr
    assert "SPEECH_COACH_ENV=production" in accepted.stdout


@pytest.mark.parametrize("where", ["env file", "shell"])
def test_dev_mode_accepts_the_shipped_development_passwords(tmp_path: Path, where: str) -> None:
    if where == "env file":
        resolved = _resolved_services(_env_copy(tmp_path, SPEECH_COACH_ENV="dev"))
    else:
        # As README documents it: SPEECH_COACH_ENV=dev docker compose up -d
        resolved = _resolved_services(environment={"SPEECH_COACH_ENV": "dev"})
    assert resolved["postgres"]["environment"]["POSTGRES_PASSWORD"] == "speech_coach"
    accepted = _run_preflight(resolved)
    assert accepted.returncode == 0, accepted.stderr
    assert "SPEECH_COACH_ENV=dev" in accepted.stdout
