"""`speech-coach export --format {parquet,csv} [--out DIR] [--tables T ...]`: the analytics
tables, one row per fact (read with FINAL), as files for pandas, DuckDB or a spreadsheet."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from clickhouse_driver import Client
from clickhouse_driver.errors import Error as ClickHouseError
from pydantic_settings import BaseSettings, SettingsConfigDict

from clients.settings import ClickHouseConnection
from flows.analytics.tables import client, quote_identifier, table_names

Format = Literal["parquet", "csv"]
FORMATS: tuple[Format, ...] = ("parquet", "csv")
# Rows per written batch: a table streams through in bounded memory.
BATCH_ROWS = 10_000

_SIMPLE: dict[str, pa.DataType] = {
    "String": pa.string(),
    "UInt8": pa.uint8(),
    "UInt16": pa.uint16(),
    "UInt32": pa.uint32(),
    "UInt64": pa.uint64(),
    "Int8": pa.int8(),
    "Int16": pa.int16(),
    "Int32": pa.int32(),
    "Int64": pa.int64(),
    "Float32": pa.float32(),
    "Float64": pa.float64(),
    "Date": pa.date32(),
}
_NULLABLE = re.compile(r"^Nullable\((.+)\)$")
_DATETIME = re.compile(r"^DateTime(\('([^']+)'\))?$")


class ExportSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPEECH_COACH_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    clickhouse: ClickHouseConnection = ClickHouseConnection()


class UnsupportedColumn(ValueError):
    """A ClickHouse column type the export has no Arrow type for."""


def register(parser: argparse.ArgumentParser) -> None:
    export = parser
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument(
        "--out", type=Path, default=Path("export"), help="directory (default: ./export)"
    )
    export.add_argument(
        "--tables",
        nargs="+",
        choices=table_names(),
        default=list(table_names()),
        metavar="TABLE",
        help=f"tables to export (default: all: {', '.join(table_names())})",
    )
    export.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    settings = ExportSettings()
    server = client(settings.clickhouse)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for table in args.tables:
            path, rows = export_table(server, table, args.format, args.out)
            print(f"{table}: {rows} rows -> {path}")
    except (ClickHouseError, OSError, EOFError, UnsupportedColumn) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    finally:
        server.disconnect()
    return 0


def export_table(server: Client, table: str, fmt: Format, out_dir: Path) -> tuple[Path, int]:
    """Writes `table` (deduplicated) to `out_dir/<table>.<fmt>`; returns the path and rows."""
    stream = server.execute_iter(
        f"SELECT * FROM {quote_identifier(table)} FINAL",  # noqa: S608 - a quoted table name
        with_column_types=True,
        settings={"max_block_size": BATCH_ROWS},
    )
    schema = arrow_schema(next(stream))
    path = out_dir / f"{table}.{fmt}"
    writer = pq.ParquetWriter(path, schema) if fmt == "parquet" else pa_csv.CSVWriter(path, schema)
    written = 0
    with writer:
        for rows in _chunks(stream, BATCH_ROWS):
            columns = zip(*rows, strict=True)
            arrays = [
                pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            written += len(rows)
    return path, written


def arrow_schema(columns: list[tuple[str, str]]) -> pa.Schema:
    """Arrow fields for ClickHouse (name, type) pairs; only Nullable columns may hold nulls."""
    fields = []
    for name, type_name in columns:
        nullable = _NULLABLE.match(type_name)
        inner = nullable[1] if nullable else type_name
        fields.append(pa.field(name, arrow_type(inner), nullable=nullable is not None))
    return pa.schema(fields)


def arrow_type(type_name: str) -> pa.DataType:
    if type_name in _SIMPLE:
        return _SIMPLE[type_name]
    if datetime := _DATETIME.match(type_name):
        return pa.timestamp("s", tz=datetime[2])  # whole seconds, as DateTime holds them
    raise UnsupportedColumn(f"no Arrow type for ClickHouse column type {type_name}")


def _chunks(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(islice(rows, size)):
        yield chunk
