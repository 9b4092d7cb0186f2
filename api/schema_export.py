"""The SDL of the schema, written to `schema.graphql` at the repository root and reviewed as a diff."""

from __future__ import annotations

from pathlib import Path

from strawberry.printer import print_schema

from api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def schema_sdl() -> str:
    return print_schema(schema) + "\n"


def export_schema(path: str | Path = SCHEMA_FILE) -> Path:
    """Write the SDL to `path` (default: schema.graphql at the repository root); returns the path."""
    target = Path(path)
    target.write_text(schema_sdl(), encoding="utf-8")
    return target
