"""ClickHouse server from Debian's package (18.16 there), with a private config."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

from clickhouse_driver import Client
from clickhouse_driver.errors import Error as ClickHouseError

from stack.services.base import Service, ServiceUnhealthy
from stack.settings import StackSettings

SERVER = "clickhouse-server"

# The driver logs a traceback for every refused connection while the server starts; the
# launcher's probe reports the state itself.
logging.getLogger("clickhouse_driver.connection").setLevel(logging.CRITICAL)

# 18.16 reads `<yandex>` as the root element; newer servers accept it too.
CONFIG = """<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <console>1</console>
    </logger>
    <listen_host>{host}</listen_host>
    <tcp_port>{tcp_port}</tcp_port>
    <http_port>{http_port}</http_port>
    <path>{data}/</path>
    <tmp_path>{data}/tmp/</tmp_path>
    <user_files_path>{data}/user_files/</user_files_path>
    <format_schema_path>{data}/format_schemas/</format_schema_path>
    <users_config>{users}</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <max_concurrent_queries>100</max_concurrent_queries>
    <mark_cache_size>536870912</mark_cache_size>
    <uncompressed_cache_size>536870912</uncompressed_cache_size>
</yandex>
"""

USERS = """<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
    </interval></default></quotas>
</yandex>
"""


def service(settings: StackSettings) -> Service:
    data = settings.data_dir / "clickhouse"
    config = settings.conf_dir / "clickhouse" / "config.xml"
    users = config.with_name("users.xml")

    def prepare() -> None:
        if shutil.which(SERVER) is None:
            raise FileNotFoundError(f"{SERVER} is missing: apt-get install clickhouse-server")
        for sub in ("tmp", "user_files", "format_schemas"):
            (data / sub).mkdir(parents=True, exist_ok=True)
        config.parent.mkdir(parents=True, exist_ok=True)
        users.write_text(USERS)
        config.write_text(
            CONFIG.format(
                host=settings.host,
                tcp_port=settings.ports.clickhouse_tcp,
                http_port=settings.ports.clickhouse_http,
                data=escape(str(data)),
                users=escape(str(users)),
            )
        )

    def probe() -> None:
        client = Client(host=settings.host, port=settings.ports.clickhouse_tcp, connect_timeout=2)
        try:
            client.execute("SELECT 1")
        except (ClickHouseError, OSError, EOFError) as exc:
            raise ServiceUnhealthy(str(exc).strip()) from exc
        finally:
            client.disconnect()

    return Service(
        name="clickhouse",
        address=f"{settings.host}:{settings.ports.clickhouse_tcp}",
        ports={
            "clickhouse native": settings.ports.clickhouse_tcp,
            "clickhouse http": settings.ports.clickhouse_http,
        },
        command=[str(Path(shutil.which(SERVER) or SERVER)), f"--config-file={config}"],
        prepare=prepare,
        probe=probe,
    )
