"""Schema evolution rule: a new version may add optional properties, and change nothing else.

Consumers replay topics holding every version ever written, so the newest schema must
keep accepting old events exactly as they were. Annotations (titles, descriptions,
defaults) may change freely; any other difference is reported, including in nested
objects, array items and local $ref targets.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from schemas.registry import SCHEMA_DIR, committed_versions, schema_path

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",  # reached through the $refs that use them; unused definitions do not matter
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_COMBINATORS = ("anyOf", "oneOf", "allOf")
# Compared by walking them; every other non-annotation keyword is compared by value.
_WALKED = frozenset(
    {"type", "$ref", "properties", "required", "items", "additionalProperties", *_COMBINATORS}
)
ROOT = "<root>"


def _label(path: str) -> str:
    return path or ROOT


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(node: dict[str, Any], key: str) -> str:
    return json.dumps(node[key]) if key in node else "absent"


class _Comparison:
    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.problems: list[str] = []
        self._active: set[tuple[str, str]] = set()  # $ref pairs being walked: cycle guard

    def _resolve(self, root: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Follow local $refs; siblings of a $ref apply alongside its target."""
        ref = ""
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#"):
                raise ValueError(f"only local $refs are supported, got {ref!r}")
            target: Any = root
            for token in filter(None, ref[1:].split("/")):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node, ref

    def _describe(self, root: dict[str, Any], node: dict[str, Any]) -> str:
        node, _ = self._resolve(root, node)
        for combinator, joiner in (("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")):
            if combinator in node:
                return joiner.join(self._describe(root, sub) for sub in node[combinator])
        types = node.get("type", "any")
        if isinstance(types, list):
            return " | ".join(types)
        if types == "array" and "items" in node:
            return f"array of {self._describe(root, node['items'])}"
        return str(types)

    @staticmethod
    def _shape(node: dict[str, Any]) -> tuple[Any, ...]:
        types = node.get("type", [])
        type_set = tuple(sorted(types)) if isinstance(types, list) else (types,)
        return type_set, tuple((c, len(node[c])) for c in _COMBINATORS if c in node)

    def compare(self, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old, old_ref = self._resolve(self.old_root, old)
        new, new_ref = self._resolve(self.new_root, new)
        pair = (old_ref, new_ref)
        if old_ref and new_ref:
            if pair in self._active:
                return
            self._active.add(pair)
        try:
            self._compare_resolved(path, old, new)
        finally:
            self._active.discard(pair)

    def _compare_resolved(self, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if self._shape(old) != self._shape(new):
            old_type = self._describe(self.old_root, old)
            new_type = self._describe(self.new_root, new)
            self.problems.append(f"{_label(path)}: type changed from {old_type} to {new_type}")
            return
        for combinator in _COMBINATORS:
            pairs = zip(old.get(combinator, []), new.get(combinator, []), strict=True)
            for old_sub, new_sub in pairs:
                self.compare(path, old_sub, new_sub)
        self._compare_items(path, old, new)
        self._compare_properties(path, old, new)
        for key in sorted((old.keys() | new.keys()) - _ANNOTATIONS - _WALKED):
            if old.get(key) != new.get(key):
                self.problems.append(
                    f"{_label(path)}: {key} changed from {_show(old, key)} to {_show(new, key)}"
                )

    def _compare_items(self, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if "items" in old and "items" in new:
            self.compare(f"{path}[]", old["items"], new["items"])
        elif "items" in old or "items" in new:
            old_items, new_items = _show(old, "items"), _show(new, "items")
            self.problems.append(f"{_label(path)}: items changed from {old_items} to {new_items}")

    def _compare_properties(self, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_props: dict[str, Any] = old.get("properties", {})
        new_props: dict[str, Any] = new.get("properties", {})
        old_required = set(old.get("required", []))
        new_required = set(new.get("required", []))
        for name, old_sub in old_props.items():
            # Its const is the version number itself, which every new version changes.
            if not path and name == "schema_version":
                continue
            if name not in new_props:
                self.problems.append(f"{_child(path, name)}: removed")
            else:
                self.compare(_child(path, name), old_sub, new_props[name])
        for name in new.get("required", []):
            if name in old_required:
                continue
            change = "became required" if name in old_props else "added as a required property"
            self.problems.append(f"{_child(path, name)}: {change}")
        for name in old.get("required", []):
            if name not in new_required and name in new_props:  # removals are reported above
                self.problems.append(f"{_child(path, name)}: no longer required")
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(_child(path, "*"), old_extra, new_extra)
        elif old_extra != new_extra:
            self.problems.append(
                f"{_label(path)}: additionalProperties changed from "
                f"{_show(old, 'additionalProperties')} to {_show(new, 'additionalProperties')}"
            )


def check_compatible(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Problems that make `new` an incompatible successor of `old`; empty when compatible."""
    comparison = _Comparison(old, new)
    comparison.compare("", old, new)
    return comparison.problems


def check_all(directory: Path = SCHEMA_DIR) -> list[str]:
    """Check every consecutive pair of committed versions of every event type."""
    problems = []
    for event_type, versions in committed_versions(directory).items():
        if versions != list(range(1, versions[-1] + 1)):
            problems.append(f"{event_type}: committed versions {versions} skip a version")
        for old_version, new_version in itertools.pairwise(versions):
            old, new = (
                json.loads(schema_path(event_type, v, directory).read_text("utf-8"))
                for v in (old_version, new_version)
            )
            problems.extend(
                f"{event_type} v{old_version} -> v{new_version}: {problem}"
                for problem in check_compatible(old, new)
            )
    return problems
