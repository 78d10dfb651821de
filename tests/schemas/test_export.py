from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from schemas.events import Event
from schemas.export import DIALECT, build_schema, export, main
from schemas.registry import EVENT_TYPES, SCHEMA_DIR, committed_versions, load_schema

COMMITTED = [
    (event_type, version)
    for event_type, versions in committed_versions().items()
    for version in versions
]


def test_committed_files_equal_the_export(capsys: pytest.CaptureFixture[str]) -> None:
    assert export(check=True) == []
    assert main(["--check"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("event_cls", EVENT_TYPES.values(), ids=list(EVENT_TYPES))
def test_model_schema_agrees_with_committed_file(event_cls: type[Event]) -> None:
    committed = load_schema(event_cls.EVENT_TYPE, event_cls.SCHEMA_VERSION)

    assert build_schema(event_cls) == committed
    assert list(committed["properties"]) == list(event_cls.model_fields)


def test_check_lists_drifted_and_missing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "json"
    shutil.copytree(SCHEMA_DIR, directory)
    drifted = directory / "progress.v1.json"  # a current version: older ones are history
    original = drifted.read_text()
    drifted.write_text(original.replace('"minimum": 0', '"minimum": 1', 1))
    (directory / "rejected.v1.json").unlink()

    assert main(["--check", "--dir", str(directory)]) == 1
    out = capsys.readouterr().out
    assert f"differs: {drifted}" in out
    assert f"differs: {directory / 'rejected.v1.json'}" in out
    assert len(out.splitlines()) == 2
    assert not (directory / "rejected.v1.json").exists()

    assert main(["--dir", str(directory)]) == 0
    assert drifted.read_text() == original
    assert export(directory, check=True) == []


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "properties" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize(("event_type", "version"), COMMITTED)
def test_committed_schema_is_self_contained_and_closed(event_type: str, version: int) -> None:
    schema = load_schema(event_type, version)

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"].endswith(f"/{event_type}.v{version}.json")
    assert schema["title"]
    assert {"event_id", "schema_version", "occurred_at", "user_id"} <= set(schema["required"])
    assert all(ref.startswith("#/$defs/") for ref in _refs(schema))
    for obj in _objects(schema):
        assert obj["additionalProperties"] is False, obj.get("title")
        for name, prop in obj["properties"].items():
            assert prop.get("description"), f"{obj.get('title')}.{name} has no description"


def test_committed_files_are_only_schemas() -> None:
    names = sorted(path.name for path in SCHEMA_DIR.iterdir())

    assert names == sorted(f"{t}.v{v}.json" for t, v in COMMITTED)
    for name in names:
        json.loads((SCHEMA_DIR / name).read_text())
