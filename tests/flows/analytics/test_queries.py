"""Query files and their `{name:Type}` placeholders rendered as literals for 18.16."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from flows.analytics.queries import (
    Param,
    QueryError,
    literal,
    load,
    parameters,
    query_names,
    render,
)
from tests.clickhouse.engines import Chdb


@pytest.mark.parametrize("name", query_names())
def test_every_query_says_what_it_answers_and_lists_its_parameters(name: str) -> None:
    sql = load(name)
    header = "".join(line for line in sql.splitlines() if line.startswith("--"))
    assert header.startswith("-- "), f"{name}: no header comment"
    [declared] = re.findall(r"Parameters: ([^.]*)", header)
    for param, type_name in parameters(sql).items():
        assert f"{{{param}:{type_name}}}" in declared, f"{name}: {param} is not in its header"
    if not parameters(sql):
        assert declared == "none"


def test_strings_are_quoted_and_escaped() -> None:
    assert literal("o'brien\\x", "String") == "'o\\'brien\\\\x'"
    assert render("SELECT {u:String} AS u", {"u": "a'b"}) == "SELECT 'a\\'b' AS u"


def test_an_injected_string_stays_one_value(tmp_path_factory: pytest.TempPathFactory) -> None:
    engine = Chdb(tmp_path_factory.mktemp("chdb"), "render")
    try:
        hostile = "x' UNION ALL SELECT 'y\\"
        sql = render(
            "SELECT {u:String} AS u, {u:String} = {v:String} AS same", {"u": hostile, "v": hostile}
        )
        assert engine.query(sql) == [(hostile, 1.0)]
    finally:
        engine.close()


def test_integers_floats_and_times() -> None:
    assert literal(5, "UInt32") == "5"
    assert literal(-3, "Int8") == "-3"
    assert literal(2.5, "Float64") == "2.5"
    at = datetime(2026, 3, 2, 9, 0, 1, tzinfo=timezone(timedelta(hours=3)))
    assert literal(at, "DateTime") == "toDateTime('2026-03-02 06:00:01', 'UTC')"


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        (-1, "UInt32"),
        (2**32, "UInt32"),
        (128, "Int8"),
        (True, "UInt8"),
        ("5", "UInt32"),
        (5, "String"),
        (float("nan"), "Float64"),
        (datetime(2026, 3, 2, tzinfo=UTC).replace(tzinfo=None), "DateTime"),
        ("x", "Array"),
    ],
)
def test_a_value_its_type_refuses_is_a_query_error(value: Param, type_name: str) -> None:
    with pytest.raises(QueryError):
        literal(value, type_name)


def test_missing_unknown_and_conflicting_parameters_are_refused() -> None:
    with pytest.raises(QueryError, match="missing parameters: n"):
        render("SELECT {n:UInt32}", {})
    with pytest.raises(QueryError, match="no parameters m"):
        render("SELECT {n:UInt32}", {"n": 1, "m": 2})
    with pytest.raises(QueryError, match="two types"):
        parameters("SELECT {n:UInt32}, {n:String}")
    with pytest.raises(QueryError, match="no query 'nope'"):
        load("nope")
