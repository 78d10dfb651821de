"""The research queries (clickhouse/queries/*.sql) and their parameters.

Queries name parameters as current ClickHouse does, `{name:Type}`, so they run there with
native query parameters too; ClickHouse 18.16 has none, so `render` substitutes each one as
a literal of its type, quoted and escaped here (never by string formatting in the caller).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parents[2] / "clickhouse" / "queries"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):([A-Za-z0-9]+)\}")
_INTEGER = re.compile(r"^(U?)Int(8|16|32|64)$")

Param = str | int | float | datetime


class QueryError(ValueError):
    """An unknown query, a missing parameter or a value its type refuses."""


def query_names(queries_dir: Path = QUERIES_DIR) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in queries_dir.glob("*.sql")))


def load(name: str, queries_dir: Path = QUERIES_DIR) -> str:
    path = queries_dir / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query {name!r}; known: {', '.join(query_names(queries_dir))}")
    return path.read_text()


def parameters(sql: str) -> dict[str, str]:
    """Each parameter's name and type, as the query declares them."""
    found: dict[str, str] = {}
    for name, type_name in PLACEHOLDER.findall(sql):
        if found.setdefault(name, type_name) != type_name:
            raise QueryError(f"parameter {name} has two types: {found[name]}, {type_name}")
    return found


def render(sql: str, params: Mapping[str, Param]) -> str:
    """`sql` with every `{name:Type}` replaced by a literal of `params[name]`."""
    declared = parameters(sql)
    missing = sorted(set(declared) - set(params))
    if missing:
        raise QueryError(f"missing parameters: {', '.join(missing)}")
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise QueryError(f"the query takes no parameters {', '.join(unknown)}")
    return PLACEHOLDER.sub(lambda m: literal(params[m[1]], m[2], m[1]), sql)


def literal(value: Param, type_name: str, name: str = "value") -> str:
    """A SQL literal of `type_name` holding `value`."""
    if type_name == "String":
        if not isinstance(value, str):
            raise QueryError(f"{name}: a String needs a str, got {value!r}")
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        return f"'{escaped}'"
    if match := _INTEGER.match(type_name):
        return str(_integer(value, unsigned=bool(match[1]), bits=int(match[2]), name=name))
    if type_name in ("Float32", "Float64"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise QueryError(f"{name}: a {type_name} needs a number, got {value!r}")
        if not math.isfinite(value):
            raise QueryError(f"{name}: {value!r} is not finite")
        return repr(float(value))
    if type_name == "DateTime":
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise QueryError(f"{name}: a DateTime needs a timezone-aware datetime")
        return f"toDateTime('{value.astimezone(UTC):%Y-%m-%d %H:%M:%S}', 'UTC')"
    raise QueryError(f"{name}: parameter type {type_name} is not supported")


def _integer(value: Param, *, unsigned: bool, bits: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{name}: an integer parameter needs an int, got {value!r}")
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not low <= value <= high:
        raise QueryError(f"{name}: {value} is out of range [{low}, {high}]")
    return value
