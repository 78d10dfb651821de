"""Generate the committed JSON Schemas from the models: `python -m schemas.export [--check]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from schemas.events import Event
from schemas.registry import EVENT_TYPES, SCHEMA_DIR, schema_path

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://speech-coach.example/schemas/"


class _Generator(GenerateJsonSchema):
    # Property titles only repeat the field names; descriptions carry the meaning.
    def field_title_should_be_set(self, schema: Any) -> bool:  # noqa: ARG002
        return False


def build_schema(event_cls: type[Event]) -> dict[str, Any]:
    """The JSON Schema of one event model, as it is committed."""
    generated = event_cls.model_json_schema(schema_generator=_Generator)
    # The version has a Python default, but on the wire it is what selects the schema.
    required = set(generated.get("required", [])) | {"schema_version"}
    generated["required"] = [name for name in generated["properties"] if name in required]
    name = f"{event_cls.EVENT_TYPE}.v{event_cls.SCHEMA_VERSION}.json"
    return {"$schema": DIALECT, "$id": ID_BASE + name, **generated}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def export(directory: Path = SCHEMA_DIR, *, check: bool = False) -> list[Path]:
    """Write each event type's current schema; return the files that differed.

    With check=True nothing is written. Older versions' files are left alone: they
    are the history that compat.check_all compares against.
    """
    differing = []
    for event_type, event_cls in EVENT_TYPES.items():
        path = schema_path(event_type, event_cls.SCHEMA_VERSION, directory)
        text = render(build_schema(event_cls))
        if path.is_file() and path.read_text("utf-8") == text:
            continue
        differing.append(path)
        if not check:
            path.write_text(text, "utf-8")
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemas.export", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file differs"
    )
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="schema directory")
    args = parser.parse_args(argv)
    differing = export(args.dir, check=args.check)
    for path in differing:
        print(f"{'differs' if args.check else 'wrote'}: {path}")
    return 1 if args.check and differing else 0


if __name__ == "__main__":
    sys.exit(main())
