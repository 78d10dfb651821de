"""Postgres 15 from Debian's package, with logical WAL for Debezium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from stack.services.base import Service, ServiceUnhealthy, run_as_user
from stack.settings import StackSettings

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _chown(path: Path, user: str | None) -> None:
    if user is not None:
        shutil.chown(path, user, user)


def service(settings: StackSettings) -> Service:
    data = settings.data_dir / "postgres"
    sockets = settings.run_dir / "postgres"
    user = run_as_user("postgres")

    def prepare() -> None:
        sockets.mkdir(parents=True, exist_ok=True)
        _chown(sockets, user)
        if (data / "PG_VERSION").exists():
            return
        if not (PG_BIN / "initdb").exists():
            raise FileNotFoundError(
                f"{PG_BIN / 'initdb'} is missing: apt-get install postgresql-15"
            )
        data.mkdir(parents=True, exist_ok=True)
        _chown(data, user)
        pwfile = settings.run_dir / "postgres.pw"
        pwfile.write_text(settings.postgres_password + "\n")
        _chown(pwfile, user)
        initdb = [
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            settings.postgres_user,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        prefix = ["runuser", "-u", user, "--"] if user else []
        try:
            subprocess.run(prefix + initdb, check=True, capture_output=True, text=True, timeout=120)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr.strip()}") from exc
        finally:
            pwfile.unlink(missing_ok=True)

    def connect(dbname: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=settings.host,
            port=settings.ports.postgres,
            user=settings.postgres_user,
            password=settings.postgres_password,
            dbname=dbname,
            connect_timeout=2,
            autocommit=True,
        )

    def probe() -> None:
        try:
            with connect("postgres") as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise ServiceUnhealthy(str(exc).strip()) from exc

    def bootstrap() -> None:
        with connect("postgres") as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (settings.postgres_db,)
            ).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.postgres_db))
                )

    return Service(
        name="postgres",
        address=f"{settings.host}:{settings.ports.postgres}",
        ports={"postgres": settings.ports.postgres},
        command=[
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-p",
            str(settings.ports.postgres),
            "-k",
            str(sockets),
            "-c",
            f"listen_addresses={settings.host}",
            "-c",
            "wal_level=logical",
            "-c",
            "max_replication_slots=10",
            "-c",
            "max_wal_senders=10",
            "-c",
            "logging_collector=off",
        ],
        prepare=prepare,
        probe=probe,
        bootstrap=bootstrap,
        user=user,
        # SIGINT is Postgres' "fast" shutdown: no waiting for clients to leave.
        stopsignal="INT",
    )
