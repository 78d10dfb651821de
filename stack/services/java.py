"""Shared by the JVM services: the java command line and a log4j2 config to stdout."""

from __future__ import annotations

import shutil
from pathlib import Path

from stack.settings import StackSettings

LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka.name = org.apache.kafka
logger.kafka.level = warn
logger.reflections.name = org.reflections
logger.reflections.level = error
"""


def java_command(
    settings: StackSettings, heap: str, main: str, *args: str, classpath: str | None = None
) -> list[str]:
    """`classpath` defaults to the Kafka jars (the broker, Connect and their tools)."""
    java = shutil.which("java")
    if java is None:
        raise FileNotFoundError("java is missing: apt-get install openjdk-17-jre-headless")
    log4j = settings.conf_dir / "log4j2.properties"
    return [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        classpath or f"{settings.jars_dir / 'kafka'}/*",
        main,
        *args,
    ]


def write_log4j(settings: StackSettings) -> None:
    settings.conf_dir.mkdir(parents=True, exist_ok=True)
    (settings.conf_dir / "log4j2.properties").write_text(LOG4J2)


def write_properties(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()))
