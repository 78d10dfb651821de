from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schemas.compat import check_all, check_compatible
from schemas.export import build_schema
from schemas.registry import load_schema
from tests.schemas.evolved import AnswerSubmittedV2, AnswerSubmittedV2Required

BASE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Sample",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": 1, "type": "integer"},
        "answer_id": {"type": "string", "description": "Answer."},
        "size_bytes": {"type": "integer", "minimum": 0},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "metrics": {"$ref": "#/$defs/Metrics"},
        "words": {"type": "array", "items": {"$ref": "#/$defs/Word"}},
    },
    "required": ["schema_version", "answer_id", "size_bytes", "metrics", "words"],
    "$defs": {
        "Metrics": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"words_per_minute": {"type": "number", "minimum": 0}},
            "required": ["words_per_minute"],
        },
        "Word": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"word": {"type": "string"}, "start_s": {"type": "number"}},
            "required": ["word", "start_s"],
        },
    },
}


def evolved(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    change(new)
    return new


def _bump_and_reword(s: dict[str, Any]) -> None:
    s["properties"]["schema_version"] = {"const": 2, "type": "integer", "default": 2}
    s["title"] = "Sample v2"
    s["properties"]["answer_id"]["description"] = "Reworded."


def _add_optional(s: dict[str, Any]) -> None:
    s["properties"]["codec"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    s["$defs"]["Metrics"]["properties"]["filler_count"] = {"type": "integer"}


def _rename_def(s: dict[str, Any]) -> None:
    s["$defs"]["DeliveryMetrics"] = s["$defs"].pop("Metrics")
    s["properties"]["metrics"] = {"$ref": "#/$defs/DeliveryMetrics"}


def _remove(s: dict[str, Any]) -> None:
    del s["properties"]["size_bytes"]
    s["required"].remove("size_bytes")


def _retype(s: dict[str, Any]) -> None:
    s["properties"]["size_bytes"] = {"type": "string"}


def _nullable(s: dict[str, Any]) -> None:
    s["properties"]["size_bytes"] = {"anyOf": [{"type": "integer"}, {"type": "null"}]}


def _nested_retype(s: dict[str, Any]) -> None:
    s["$defs"]["Metrics"]["properties"]["words_per_minute"] = {"type": "string"}


def _item_retype(s: dict[str, Any]) -> None:
    s["$defs"]["Word"]["properties"]["start_s"] = {"type": "integer"}


def _items_inline_retype(s: dict[str, Any]) -> None:
    s["properties"]["words"]["items"] = {"type": "string"}


def _optional_to_required(s: dict[str, Any]) -> None:
    s["required"].append("note")


def _add_required(s: dict[str, Any]) -> None:
    s["properties"]["level"] = {"type": "integer"}
    s["required"].append("level")


def _add_required_nested(s: dict[str, Any]) -> None:
    s["$defs"]["Metrics"]["properties"]["pauses"] = {"type": "integer"}
    s["$defs"]["Metrics"]["required"].append("pauses")


def _required_to_optional(s: dict[str, Any]) -> None:
    s["required"].remove("answer_id")


def _tighten(s: dict[str, Any]) -> None:
    s["properties"]["size_bytes"]["minimum"] = 1


def _open(s: dict[str, Any]) -> None:
    s["$defs"]["Word"]["additionalProperties"] = True


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        (_bump_and_reword, []),
        (_add_optional, []),
        (_rename_def, []),
        (_remove, ["size_bytes: removed"]),
        (_retype, ["size_bytes: type changed from integer to string"]),
        (_nullable, ["size_bytes: type changed from integer to integer | null"]),
        (_nested_retype, ["metrics.words_per_minute: type changed from number to string"]),
        (_item_retype, ["words[].start_s: type changed from number to integer"]),
        (_items_inline_retype, ["words[]: type changed from object to string"]),
        (_optional_to_required, ["note: became required"]),
        (_add_required, ["level: added as a required property"]),
        (_add_required_nested, ["metrics.pauses: added as a required property"]),
        (_required_to_optional, ["answer_id: no longer required"]),
        (_tighten, ["size_bytes: minimum changed from 0 to 1"]),
        (_open, ["words[]: additionalProperties changed from false to true"]),
    ],
    ids=lambda value: getattr(value, "__name__", "")[1:] or None,
)
def test_rule(change: Callable[[dict[str, Any]], None], problems: list[str]) -> None:
    assert check_compatible(BASE, evolved(change)) == problems


def test_recursive_schemas_terminate() -> None:
    node: dict[str, Any] = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
    }
    extended = copy.deepcopy(node)
    extended["properties"]["label"] = {"type": "string"}
    extended["required"] = ["label"]

    assert check_compatible(node, copy.deepcopy(node)) == []
    # The children are the same type, so they gain the required property too.
    assert check_compatible(node, extended) == [
        "children[].label: added as a required property",
        "label: added as a required property",
    ]


def test_external_refs_are_refused() -> None:
    new = evolved(lambda s: s["properties"].update(metrics={"$ref": "metrics.json"}))

    with pytest.raises(ValueError, match="only local"):
        check_compatible(BASE, new)


def test_rule_applies_to_generated_schemas() -> None:
    v1 = load_schema("answer_submitted", 1)

    assert check_compatible(v1, build_schema(AnswerSubmittedV2)) == []
    assert check_compatible(v1, build_schema(AnswerSubmittedV2Required)) == [
        "codec: added as a required property"
    ]


def test_committed_history_is_compatible() -> None:
    assert check_all() == []


def _commit(directory: Path, versions: dict[int, dict[str, Any]]) -> None:
    for version, schema in versions.items():
        (directory / f"sample.v{version}.json").write_text(json.dumps(schema))


def test_check_all_reports_each_incompatible_pair(tmp_path: Path) -> None:
    _commit(tmp_path, {1: BASE, 2: evolved(_add_optional), 3: evolved(_retype)})

    assert check_all(tmp_path) == [
        "sample v2 -> v3: size_bytes: type changed from integer to string",
        "sample v2 -> v3: metrics.filler_count: removed",
        "sample v2 -> v3: codec: removed",
    ]


def test_check_all_reports_a_skipped_version(tmp_path: Path) -> None:
    _commit(tmp_path, {1: BASE, 3: evolved(_add_optional)})

    assert check_all(tmp_path) == ["sample: committed versions [1, 3] skip a version"]
