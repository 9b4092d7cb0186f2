"""Export: the whole graph as interchange records (JSON Lines v1), streamed in constant memory.

Sections come in a fixed order (teams, entities by type, metric definitions, metric values,
frameworks), each sorted by key and read in keyset chunks inside one read transaction, so the
export is a consistent snapshot and ingesting it into an empty database gives the same graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from typing import IO, Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graph import vocabulary as vocab
from graph.db import is_sqlite
from graph.models import (
    edge_table,
    entity_table,
    metric_definition_table,
    metric_framework_table,
    metric_value_table,
    team_table,
)
from graph.records import OWN_FIELDS
from graph.timestamps import iso

CHUNK = 500
ENTITY = entity_table
EDGE = edge_table
TEAM = team_table
DEFINITION = metric_definition_table
VALUE = metric_value_table
FRAMEWORK = metric_framework_table
DEFINITION_FIELDS = ("name", "description", "category", "entity_type", "unit", "higher_is_better", "buckets")
FRAMEWORK_FIELDS = ("name", "description", "entity_type", "buckets", "root")
Record = dict[str, Any]


async def export_records(engine: AsyncEngine) -> AsyncIterator[Record]:
    """Every record of the graph, in a deterministic order; derived metric definitions are left out.

    `updatedAt` is not exported: it is the time of ingest, which re-ingesting sets anew.
    """
    async with engine.connect() as connection:
        if not is_sqlite(connection):
            # One snapshot for every chunk: what was read first still matches what is read last.
            connection = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            async for record in _teams(connection):
                yield record
            for entity_type in vocab.ENTITY_TYPES:
                async for record in _entities(connection, entity_type):
                    yield record
            async for record in _definitions(connection):
                yield record
            for entity_type in vocab.ENTITY_TYPES:
                async for record in _values(connection, entity_type):
                    yield record
            async for record in _frameworks(connection):
                yield record


async def write_jsonl(engine: AsyncEngine, stream: IO[bytes]) -> int:
    """Write the export to a binary stream, one record a line; returns the number of records."""
    count = 0
    async for record in export_records(engine):
        stream.write(orjson.dumps(record) + b"\n")
        count += 1
    return count


async def _chunks(connection: AsyncConnection, statement: Select[Any], key: Any) -> AsyncIterator[list[Any]]:
    """Rows of `statement` in ascending `key` order, CHUNK at a time, resuming after the last key seen."""
    last: Any = None
    while True:
        page = statement.order_by(key).limit(CHUNK)
        if last is not None:
            page = page.where(key > last)
        rows = (await connection.execute(page)).mappings().all()
        if not rows:
            return
        yield list(rows)
        if len(rows) < CHUNK:
            return
        last = rows[-1][key.name]


async def _teams(connection: AsyncConnection) -> AsyncIterator[Record]:
    parent = TEAM.alias("parent")
    statement = select(
        TEAM.c.key, TEAM.c.name, TEAM.c.properties, TEAM.c.created_at, parent.c.key.label("parent")
    ).outerjoin(parent, parent.c.id == TEAM.c.parent_id)
    async for rows in _chunks(connection, statement, TEAM.c.key):
        for row in rows:
            record: Record = {"type": "Team", "key": row["key"], "name": row["name"]}
            if row["parent"] is not None:
                record["parent"] = row["parent"]
            record["created_at"] = iso(row["created_at"])
            _add_properties(record, row["properties"])
            yield record


async def _entities(connection: AsyncConnection, entity_type: str) -> AsyncIterator[Record]:
    owner = TEAM.alias("owner")
    own = list(OWN_FIELDS[entity_type])
    statement = (
        select(
            ENTITY.c.id,
            ENTITY.c.key,
            ENTITY.c.name,
            owner.c.key.label("owner"),
            ENTITY.c.system,
            ENTITY.c.created_at,
            ENTITY.c.properties,
            *(ENTITY.c[name] for name in own),
        )
        .outerjoin(owner, owner.c.id == ENTITY.c.owner_id)
        .where(ENTITY.c.type == entity_type)
    )
    async for rows in _chunks(connection, statement, ENTITY.c.key):
        links = await _links(connection, [row["id"] for row in rows])
        for row in rows:
            record: Record = {"type": entity_type, "key": row["key"], "name": row["name"]}
            for name in ("owner", "system", *own):
                if row[name] is not None:
                    record[name] = _json_value(row[name])
            for reference in vocab.REFERENCES[entity_type]:
                upstream = links[row["id"]].get(reference.kind)
                if upstream:
                    record[reference.field] = upstream if reference.many else upstream[0]
            record["created_at"] = iso(row["created_at"])
            _add_properties(record, row["properties"])
            yield record


async def _links(connection: AsyncConnection, ids: list[int]) -> dict[int, dict[str, list[Any]]]:
    """Upstream neighbours of a chunk of entities, by edge kind, in source key order."""
    source = ENTITY.alias("source")
    statement = (
        select(EDGE.c.target_id, EDGE.c.kind, source.c.key, EDGE.c.traffic_percent, EDGE.c.role)
        .join(source, source.c.id == EDGE.c.source_id)
        .where(EDGE.c.target_id.in_(ids))
        .order_by(EDGE.c.target_id, EDGE.c.kind, source.c.key)
    )
    links: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    for target_id, kind, key, traffic_percent, role in await connection.execute(statement):
        item: Any = key
        if kind == "DEPLOYED_TO":
            item = {"binary": key, "role": role}
            if traffic_percent is not None:
                item["traffic_percent"] = traffic_percent
        links[target_id].setdefault(kind, []).append(item)
    return links


async def _definitions(connection: AsyncConnection) -> AsyncIterator[Record]:
    # Derived definitions are aigraph's own: every database installs them, none may ingest them.
    statement = select(DEFINITION.c.key, *(DEFINITION.c[name] for name in DEFINITION_FIELDS)).where(
        DEFINITION.c.derived.is_(False)
    )
    async for rows in _chunks(connection, statement, DEFINITION.c.key):
        for row in rows:
            yield _named("MetricDefinition", row, DEFINITION_FIELDS)


async def _values(connection: AsyncConnection, entity_type: str) -> AsyncIterator[Record]:
    """Values grouped by entity (in key order), then metric key, then time: each chunk uses an index."""
    entities = select(ENTITY.c.id, ENTITY.c.key).where(ENTITY.c.type == entity_type)
    async for rows in _chunks(connection, entities, ENTITY.c.key):
        keys = {row["id"]: row["key"] for row in rows}
        statement = (
            select(VALUE.c.entity_id, DEFINITION.c.key, VALUE.c.value, VALUE.c.observed_at)
            .join(DEFINITION, DEFINITION.c.id == VALUE.c.metric_id)
            .where(VALUE.c.entity_id.in_(list(keys)))
        )
        found = sorted(
            (await connection.execute(statement)).all(), key=lambda row: (keys[row[0]], row[1], row[3])
        )
        for entity_id, metric, value, observed_at in found:
            yield {
                "type": "MetricValue",
                "metric": metric,
                "entity": keys[entity_id],
                "value": value,
                "observed_at": iso(observed_at),
            }


async def _frameworks(connection: AsyncConnection) -> AsyncIterator[Record]:
    statement = select(FRAMEWORK.c.key, *(FRAMEWORK.c[name] for name in FRAMEWORK_FIELDS))
    async for rows in _chunks(connection, statement, FRAMEWORK.c.key):
        for row in rows:
            yield _named("MetricFramework", row, FRAMEWORK_FIELDS)


def _named(record_type: str, row: Any, fields: tuple[str, ...]) -> Record:
    record: Record = {"type": record_type, "key": row["key"]}
    for name in fields:
        if row[name] is not None:
            record[name] = _sorted(row[name])
    return record


def _add_properties(record: Record, properties: dict[str, Any] | None) -> None:
    if properties:
        # PostgreSQL's JSONB reorders object keys, SQLite keeps them: sorting makes both agree.
        record["properties"] = _sorted(properties)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _sorted(value[name]) for name in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _json_value(value: Any) -> Any:
    return iso(value) if hasattr(value, "isoformat") else value
