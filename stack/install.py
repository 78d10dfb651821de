"""`stack install`: fetch the jars and binaries the native stack runs, idempotently.

Jars are resolved by Maven from the poms in `stack/java/` (no jar is committed): Kafka,
the Debezium plugins and the LanguageTool server; the S3 server is built by cargo from
crates.io. System packages (Postgres, ClickHouse, Java, ffmpeg) come from apt: see
`stack/apt-packages.txt`.
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
# A Connect plugin must not carry its own Kafka API, logging or Jackson core jars: the
# worker's are used (a second Jackson makes ServiceLoader modules "not a subtype").
PLUGIN_EXCLUDES = "-DexcludeGroupIds=org.apache.kafka,org.slf4j,com.fasterxml.jackson.core"


@dataclass(frozen=True)
class Artifact:
    name: str
    target: Path
    command: list[str]  # fills `target`
    stamp: str  # what `target` holds; a different stamp means fetch again


def _maven(name: str, target: Path, plugin: bool) -> Artifact:
    pom = POMS / name / "pom.xml"
    command = [
        "mvn",
        "-B",
        "-q",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={target}",
        "-DincludeScope=runtime",
        *([PLUGIN_EXCLUDES] if plugin else []),
    ]
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    return Artifact(name, target, command, f"{digest} {' '.join(command)}")


def artifacts(settings: StackSettings) -> list[Artifact]:
    crate = f"{S3_CRATE}@{S3_CRATE_VERSION}"
    return [
        _maven("kafka", settings.jars_dir / "kafka", plugin=False),
        _maven("debezium-postgres", settings.plugins_dir / "debezium-postgres", plugin=True),
        _maven("debezium-jdbc", settings.plugins_dir / "debezium-jdbc", plugin=True),
        _maven("languagetool", settings.jars_dir / "languagetool", plugin=False),
        Artifact(
            S3_CRATE,
            settings.bin_dir,
            # cargo installs into ROOT/bin.
            [
                "cargo",
                "install",
                crate,
                "--locked",
                "--features",
                "binary",
                "--root",
                str(settings.install_dir),
            ],
            crate,
        ),
    ]


def _run(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise RuntimeError(f"{what}: `{command[0]}` is not installed")
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")


def install(settings: StackSettings, report: Callable[[str], None]) -> None:
    for artifact in artifacts(settings):
        stamp_file = artifact.target / ".installed"
        if stamp_file.exists() and stamp_file.read_text() == artifact.stamp:
            report(f"{artifact.name}: up to date")
            continue
        report(f"{artifact.name}: fetching into {artifact.target}")
        if artifact.target.exists() and artifact.target != settings.bin_dir:
            shutil.rmtree(artifact.target)  # a changed pom must not leave stale jars behind
        artifact.target.mkdir(parents=True, exist_ok=True)
        _run(artifact.command, artifact.name)
        stamp_file.write_text(artifact.stamp)
        report(f"{artifact.name}: done")
