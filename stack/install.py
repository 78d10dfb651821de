"""`stack install`: fetch the jars and binaries the native stack runs, idempotently.

Jars are resolved by Maven from the poms in `stack/java/` (no jar is committed); the S3
server is built by cargo from crates.io. System packages (Postgres, ClickHouse, Java,
ffmpeg) come from apt: see `stack/apt-packages.txt`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stack.settings import REPO_ROOT, StackSettings

POMS = REPO_ROOT / "stack" / "java"
S3_CRATE = "s3s-fs"
# 0.14.x is the newest that builds with the stable Rust on these machines (1.95).
S3_CRATE_VERSION = "0.14.1"


@dataclass(frozen=True)
class Artifact:
    name: str
    target: Path
    stamp: str  # changes when what the target holds should change
    fetch: Callable[[Path], None]


# A Connect plugin must not carry its own Kafka API or logging jars: the worker's are used.
PLUGIN_EXCLUDES = "-DexcludeGroupIds=org.apache.kafka,org.slf4j"


def _maven_command(pom_dir: Path, target: Path, plugin: bool) -> list[str]:
    command = [
        "mvn", "-B", "-q", "-f", str(pom_dir / "pom.xml"),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={target}",
        "-DincludeScope=runtime",
    ]  # fmt: skip
    return [*command, PLUGIN_EXCLUDES] if plugin else command


def _cargo(target: Path) -> None:
    root = target.parent  # cargo installs into ROOT/bin
    _run(
        [
            "cargo", "install", f"{S3_CRATE}@{S3_CRATE_VERSION}",
            "--locked", "--features", "binary", "--root", str(root),
        ],
        "cargo install s3s-fs",
    )  # fmt: skip


def _run(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise RuntimeError(f"{what}: `{command[0]}` is not installed")
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def artifacts(settings: StackSettings) -> list[Artifact]:
    poms = [
        ("kafka", settings.jars_dir / "kafka", False),
        ("debezium-postgres", settings.plugins_dir / "debezium-postgres", True),
        ("debezium-jdbc", settings.plugins_dir / "debezium-jdbc", True),
    ]
    found = []
    for name, target, plugin in poms:
        command = _maven_command(POMS / name, target, plugin)
        found.append(
            Artifact(
                name,
                target,
                # The pom and the command decide what lands in the directory.
                f"{_digest(POMS / name / 'pom.xml')} {' '.join(command)}",
                lambda _target, command=command, name=name: _run(command, f"maven ({name})"),
            )
        )
    found.append(
        Artifact(S3_CRATE, settings.bin_dir, f"{S3_CRATE}@{S3_CRATE_VERSION}", _cargo)
    )
    return found


def install(settings: StackSettings, report: Callable[[str], None]) -> None:
    for artifact in artifacts(settings):
        stamp_file = artifact.target / ".installed"
        if stamp_file.exists() and stamp_file.read_text() == artifact.stamp:
            report(f"{artifact.name}: up to date")
            continue
        report(f"{artifact.name}: fetching into {artifact.target}")
        if artifact.target.exists() and artifact.name != S3_CRATE:
            shutil.rmtree(artifact.target)  # a changed pom must not leave stale jars behind
        artifact.target.mkdir(parents=True, exist_ok=True)
        artifact.fetch(artifact.target)
        stamp_file.write_text(artifact.stamp)
        report(f"{artifact.name}: done")
