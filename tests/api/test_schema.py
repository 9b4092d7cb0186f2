"""Schema as code: schema.graphql matches the code, and GraphiQL's manual has no blank pages."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
)

from api.schema import schema
from api.schema_export import SCHEMA_FILE, export_schema, schema_sdl


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `aigraph export-schema` and commit the diff"
    )


def test_export_writes_the_sdl(tmp_path: object) -> None:
    from pathlib import Path

    target = export_schema(Path(str(tmp_path)) / "schema.graphql")
    assert build_schema(target.read_text(encoding="utf-8")).query_type is not None


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing: list[str] = []
    for name, named in schema._schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not named.description:
            missing.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg})"
                    for arg, value in field.args.items()
                    if not value.description
                ]
        elif isinstance(named, GraphQLInputObjectType):
            missing += [f"{name}.{field}" for field, value in named.fields.items() if not value.description]
        elif isinstance(named, GraphQLEnumType):
            missing += [f"{name}.{value}" for value, item in named.values.items() if not item.description]
    assert missing == []
