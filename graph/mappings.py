"""Label mappings: one tool's own record types and field names translated onto the canonical ones.

A mapping document (SPEC §2) is validated into a `ToolMapping`; `mapped(source, mapping)` wraps a
batch source so that ingest sees canonical records; mappings are stored by name in `label_mapping`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph import vocabulary as vocab
from graph.db import write_transaction
from graph.ingest import RECORD_TYPES, IngestRejected
from graph.models import label_mapping_table
from graph.sources import BatchSource, Payload
from graph.timestamps import now

DOCUMENT_FIELDS = ("name", "description", "system", "type_field", "types", "datasets")
# The types an OpenLineage dataset can become: the ones data or models are made of, not jobs or runs.
DATASET_TYPES = ("FeatureSource", "LogicalFeature", "TrainingDataset", "ModelBinary")
TABLE = label_mapping_table


class MappingError(ValueError):
    """A mapping document is invalid; the message says why."""


@dataclass(frozen=True, slots=True)
class ToolType:
    """What one of the tool's own types becomes: a canonical record type and field renames."""

    type: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolMapping:
    name: str
    types: dict[str, ToolType]
    system: str | None = None
    type_field: str = "type"
    description: str | None = None
    # Key prefix of an OpenLineage dataset ({namespace}/{name}) -> the canonical type it becomes.
    datasets: dict[str, str] = field(default_factory=dict)

    def as_document(self) -> dict[str, Any]:
        """The normalised document, defaults filled in: what is stored and listed."""
        document: dict[str, Any] = {"name": self.name}
        if self.description is not None:
            document["description"] = self.description
        document["system"] = self.system
        document["type_field"] = self.type_field
        document["types"] = {
            tool_type: {"type": target.type, "fields": dict(target.fields)}
            for tool_type, target in self.types.items()
        }
        if self.datasets:
            document["datasets"] = dict(self.datasets)
        return document

    def dataset_type(self, key: str, default: str) -> str:
        """The canonical type of an OpenLineage dataset key: the longest matching prefix wins."""
        matches = [prefix for prefix in self.datasets if key.startswith(prefix)]
        return self.datasets[max(matches, key=len)] if matches else default


@dataclass(frozen=True, slots=True)
class StoredMapping:
    mapping: ToolMapping
    created_at: datetime
    updated_at: datetime


def parse_mapping(document: Any) -> ToolMapping:
    """Validate a mapping document; raise MappingError naming the first problem."""
    if not isinstance(document, dict):
        raise MappingError("a label mapping must be a JSON object")
    unknown = sorted(set(document) - set(DOCUMENT_FIELDS))
    if unknown:
        raise MappingError(f"unknown field '{unknown[0]}' (a mapping has {', '.join(DOCUMENT_FIELDS)})")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MappingError("field 'name' must be a non-empty string")
    system = _optional_text(document, "system")
    description = _optional_text(document, "description")
    type_field = document.get("type_field", "type")
    if not isinstance(type_field, str) or not type_field:
        raise MappingError("field 'type_field' must be a non-empty string")
    types = _types(document.get("types", {}), type_field)
    datasets = _datasets(document.get("datasets", {}))
    if not types and not datasets:
        raise MappingError("field 'types' must map at least one tool type (or 'datasets' one prefix)")
    return ToolMapping(name, types, system, type_field, description, datasets)


def load_mapping_file(path: str | Path) -> ToolMapping:
    """Read and validate a mapping file; MappingError names the file."""
    try:
        document = orjson.loads(Path(path).read_bytes())
    except orjson.JSONDecodeError as error:
        raise MappingError(f"{path}: invalid JSON: {error}") from None
    try:
        return parse_mapping(document)
    except MappingError as error:
        raise MappingError(f"{path}: {error}") from None


def _optional_text(document: Mapping[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is not None and not isinstance(value, str):
        raise MappingError(f"field '{name}' must be a string")
    return value


def _types(value: Any, type_field: str) -> dict[str, ToolType]:
    if not isinstance(value, dict):
        raise MappingError("field 'types' must be an object: tool type -> {type, fields}")
    types: dict[str, ToolType] = {}
    for tool_type, entry in value.items():
        where = f"types.{tool_type}"
        if not isinstance(entry, dict):
            raise MappingError(f"field '{where}' must be an object with 'type' and optional 'fields'")
        unknown = sorted(set(entry) - {"type", "fields"})
        if unknown:
            raise MappingError(f"field '{where}' has unknown field '{unknown[0]}'")
        target = entry.get("type")
        if target not in RECORD_TYPES:
            raise MappingError(
                f"field '{where}.type' must be one of {', '.join(RECORD_TYPES)}, got {target!r}"
            )
        types[tool_type] = ToolType(str(target), _renames(where, entry.get("fields", {}), type_field))
    return types


def _renames(where: str, value: Any, type_field: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError(f"field '{where}.fields' must be an object: tool field -> canonical field")
    renames: dict[str, str] = {}
    for source, target in value.items():
        here = f"{where}.fields.{source}"
        if not isinstance(target, str) or not target:
            raise MappingError(f"field '{here}' must be a non-empty string")
        if source == type_field:
            raise MappingError(f"field '{here}': '{source}' is the type field and cannot be renamed")
        if target == "type":
            raise MappingError(f"field '{here}': 'type' is the canonical type and cannot be a target")
        if target in renames.values():
            raise MappingError(f"field '{here}': two tool fields are renamed to '{target}'")
        renames[source] = target
    return renames


def _datasets(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError("field 'datasets' must be an object: dataset key prefix -> canonical type")
    for prefix, target in value.items():
        if not prefix:
            raise MappingError("field 'datasets' cannot map an empty prefix")
        if target not in DATASET_TYPES:
            raise MappingError(
                f"field 'datasets.{prefix}' must be one of {', '.join(DATASET_TYPES)}, got {target!r}"
            )
    return dict(value)


def translate(mapping: ToolMapping, raw: Mapping[str, Any]) -> dict[str, Any]:
    """One tool record as a canonical record; raise MappingError when the mapping cannot place it."""
    tool_type = raw.get(mapping.type_field)
    if tool_type is None:
        raise MappingError(
            f"missing field '{mapping.type_field}' (mapping {mapping.name} reads the type there)"
        )
    if not isinstance(tool_type, str) or tool_type not in mapping.types:
        listed = ", ".join(sorted(mapping.types)) or "nothing"
        raise MappingError(
            f"mapping {mapping.name} does not list the {mapping.type_field} {tool_type!r} (it maps {listed})"
        )
    target = mapping.types[tool_type]
    record: dict[str, Any] = {"type": target.type}
    for name, value in raw.items():
        if name == mapping.type_field:
            continue
        canonical = target.fields.get(name, name)
        if canonical == "type":
            raise MappingError(
                f"field 'type' would replace the canonical type; rename it in mapping {mapping.name}"
            )
        if canonical in record:
            raise MappingError(f"fields of the record collide on '{canonical}' after renaming")
        record[canonical] = value
    if mapping.system is not None and target.type in vocab.ENTITY_TYPES and record.get("system") is None:
        record["system"] = mapping.system
    return record


@dataclass(frozen=True)
class MappedSource:
    """A batch source whose tool records come out canonical, at their original locations."""

    source: BatchSource
    mapping: ToolMapping

    def __iter__(self) -> Iterator[tuple[str, Payload]]:
        for location, payload in self.source:
            raw = _decoded(payload)
            if raw is None:
                # Not a JSON object: ingest rejects it with its usual reason.
                yield location, payload
                continue
            try:
                yield location, translate(self.mapping, raw)
            except MappingError as error:
                raise IngestRejected(location, str(error)) from None


def mapped(source: BatchSource, mapping: ToolMapping) -> MappedSource:
    return MappedSource(source, mapping)


def _decoded(payload: Payload) -> Mapping[str, Any] | None:
    if not isinstance(payload, bytes):
        return payload
    try:
        raw = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    return raw if isinstance(raw, dict) else None


async def add_mapping(engine: AsyncEngine, document: Any) -> tuple[ToolMapping, str]:
    """Validate and store a mapping under its name; returns it with 'created', 'updated' or 'unchanged'."""
    mapping = parse_mapping(document)
    stored = mapping.as_document()
    async with write_transaction(engine) as connection:
        statement = select(TABLE.c.id, TABLE.c.document).where(TABLE.c.name == mapping.name)
        existing = (await connection.execute(statement)).first()
        moment = now()
        if existing is None:
            row = {"name": mapping.name, "document": stored, "created_at": moment, "updated_at": moment}
            await connection.execute(TABLE.insert(), row)
            return mapping, "created"
        if existing.document == stored:
            return mapping, "unchanged"
        change = TABLE.update().where(TABLE.c.id == existing.id).values(document=stored, updated_at=moment)
        await connection.execute(change)
        return mapping, "updated"


async def list_mappings(engine: AsyncEngine) -> list[StoredMapping]:
    """Every stored mapping, by name."""
    statement = select(TABLE.c.document, TABLE.c.created_at, TABLE.c.updated_at).order_by(TABLE.c.name)
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return [StoredMapping(parse_mapping(document), created, updated) for document, created, updated in rows]


async def get_mapping(engine: AsyncEngine, name: str) -> ToolMapping | None:
    statement = select(TABLE.c.document).where(TABLE.c.name == name)
    async with engine.connect() as connection:
        document = (await connection.execute(statement)).scalar_one_or_none()
    return None if document is None else parse_mapping(document)
