"""Second pass of a batch: write teams, metric definitions, entities and frameworks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.batch import Batch, IngestRejected
from graph.bulk import insert_rows
from graph.metric_records import FRAMEWORK_REQUIRED_WHEN_NEW, REQUIRED_WHEN_NEW, framework_leaves
from graph.models import entity_table, metric_definition_table, metric_framework_table, team_table
from graph.records import EntityRecord
from graph.vocabulary import via_target

CHUNK = 1000
ENTITY = entity_table
TEAM = team_table
DEFINITION = metric_definition_table
FRAMEWORK = metric_framework_table


async def write_nodes(
    connection: AsyncConnection, batch: Batch, progress: Callable[[int], None] | None
) -> None:
    team_ids = await _write_teams(connection, batch)
    await _write_definitions(connection, batch)
    chunk: list[tuple[str, EntityRecord]] = []
    for done, (location, record) in enumerate(batch.records(), start=1):
        if isinstance(record, EntityRecord):
            chunk.append((location, record))
            if len(chunk) == CHUNK:
                await _write_entities(connection, batch, chunk, team_ids)
                chunk = []
                if progress is not None:
                    progress(done)
    if chunk:
        await _write_entities(connection, batch, chunk, team_ids)
    await _write_frameworks(connection, batch)


def merge(
    existing: Mapping[str, Any] | None, present: Mapping[str, Any], batch: Batch
) -> dict[str, Any] | None:
    """The row after applying a record's present fields; None when nothing changes."""
    if existing is None:
        row = dict(present)
        row.setdefault("created_at", batch.started)
        row["updated_at"] = batch.started
        return row
    row = dict(existing)
    row.update(present)
    if row == existing:
        return None
    row["updated_at"] = batch.started
    return row


@dataclass
class TableWrites:
    """What one table gets from a batch: new rows inserted, changed rows written back, in bulk."""

    table: Table
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)

    def stage(
        self, batch: Batch, record_type: str, existing: Mapping[str, Any] | None, present: Mapping[str, Any]
    ) -> bool:
        """Merge a record's present fields into its row and count it; True when the row changes."""
        merged = merge(existing, present, batch)
        counts = batch.summary.of(record_type)
        if existing is None:
            counts.created += 1
        elif merged is None:
            counts.unchanged += 1
        else:
            counts.updated += 1
        if merged is None:
            return False
        (self.inserts if existing is None else self.updates).append(merged)
        return True

    async def flush(self, connection: AsyncConnection) -> dict[str, int]:
        """Write the staged rows; returns the id the database gave each inserted row, by key."""
        inserted = await insert_rows(connection, self.table, self.inserts, returning=("key", "id"))
        await execute_updates(connection, self.table, self.updates)
        return {key: row_id for key, row_id in inserted}


async def rows_by_key(
    connection: AsyncConnection, table: Table, keys: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The existing rows of `table` among `keys`, as plain dicts by key."""
    statement = select(table).where(table.c.key.in_(list(keys)))
    return {row["key"]: dict(row) for row in (await connection.execute(statement)).mappings()}


async def execute_updates(connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write whole rows back by id, one executemany for all of them."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )
    await connection.execute(
        statement, [{"row_id": row["id"], **{f"new_{name}": row[name] for name in columns}} for row in rows]
    )


async def _write_teams(connection: AsyncConnection, batch: Batch) -> dict[str, int]:
    """Upsert the batch's teams; return the id of every team key (teams are few: all are read)."""
    rows = {row["key"]: dict(row) for row in (await connection.execute(select(TEAM))).mappings()}
    counts = batch.summary.of("Team")
    new_rows: list[dict[str, Any]] = []
    for key, (record, location) in batch.teams.items():
        if key not in rows and record.name is None:
            raise IngestRejected(location, f"missing required field 'name' (Team {key} is new)")
        for parent_key in [record.parent] if record.has_parent and record.parent else []:
            if parent_key not in rows and parent_key not in batch.teams:
                raise IngestRejected(location, f"Team {key} references unknown parent team {parent_key}")
        if key not in rows:
            created_at = record.created_at or batch.started
            new_rows.append({"key": key, "name": record.name, "parent_id": None, "properties": {}})
            new_rows[-1].update(created_at=created_at, updated_at=batch.started)
    if new_rows:
        await connection.execute(TEAM.insert(), new_rows)
        counts.created += len(new_rows)
        statement = select(TEAM).where(TEAM.c.key.in_([r["key"] for r in new_rows]))
        for inserted in (await connection.execute(statement)).mappings():
            rows[inserted["key"]] = dict(inserted)
    ids = {key: row["id"] for key, row in rows.items()}
    keys_by_id = {row["id"]: key for key, row in rows.items()}
    created = {row["key"] for row in new_rows}
    updates: list[dict[str, Any]] = []
    for key, (record, _location) in batch.teams.items():
        existing = rows[key]
        present: dict[str, Any] = {}
        if record.name is not None:
            present["name"] = record.name
        if record.has_parent:
            present["parent_id"] = ids[record.parent] if record.parent else None
        if record.created_at is not None:
            present["created_at"] = record.created_at
        if record.properties is not None or record.extra:
            base = record.properties if record.properties is not None else existing["properties"]
            present["properties"] = {**base, **record.extra}
        changed = merge(existing, present, batch)
        if changed is not None:
            rows[key] = changed
            updates.append(changed)
            if key not in created:
                counts.updated += 1
        elif key not in created:
            counts.unchanged += 1
    for key, (_, location) in batch.teams.items():
        _reject_parent_cycle(key, location, rows, keys_by_id)
    await execute_updates(connection, TEAM, updates)
    return ids


def _reject_parent_cycle(
    start: str, location: str, rows: dict[str, dict[str, Any]], keys_by_id: dict[int, str]
) -> None:
    seen = [start]
    parent_id = rows[start]["parent_id"]
    while parent_id is not None:
        key = keys_by_id[parent_id]
        if key == start:
            raise IngestRejected(
                location, f"Team {start} would be its own ancestor: {' > '.join([*seen, key])}"
            )
        if key in seen:
            return  # a cycle that does not pass through start is reported for one of its own members
        seen.append(key)
        parent_id = rows[key]["parent_id"]


async def _write_definitions(connection: AsyncConnection, batch: Batch) -> None:
    existing = await rows_by_key(connection, DEFINITION, batch.definitions)
    writes = TableWrites(DEFINITION)
    for key, (record, location) in batch.definitions.items():
        row = existing.get(key)
        if row is not None and row["derived"] and not batch.derived:
            raise IngestRejected(location, f"metric {key} is derived from the graph and cannot be redefined")
        if row is None:
            required = [n for n in REQUIRED_WHEN_NEW if n not in record.fields]
            if batch.derived and "entity_type" in required:
                required.remove("entity_type")
            if required:
                raise IngestRejected(
                    location, f"missing required field '{required[0]}' (metric {key} is new)"
                )
        if record.fields.get("entity_type", "") is None and not batch.derived:
            raise IngestRejected(location, "field 'entity_type' cannot be null")
        present = {**record.fields, "derived": batch.derived} if row is None else dict(record.fields)
        if row is None:
            present = {
                "description": None,
                "unit": None,
                "higher_is_better": None,
                "entity_type": None,
                **present,
            }
            present["key"] = key
        writes.stage(batch, "MetricDefinition", row, present)
    await writes.flush(connection)


async def _write_entities(
    connection: AsyncConnection, batch: Batch, chunk: list[tuple[str, EntityRecord]], team_ids: dict[str, int]
) -> None:
    existing = await rows_by_key(connection, ENTITY, (record.key for _, record in chunk))
    batch.ids.update((key, row["id"]) for key, row in existing.items())
    writes = TableWrites(ENTITY)
    for location, record in chunk:
        row = existing.get(record.key)
        if row is not None and row["type"] != record.type:
            raise IngestRejected(location, f"key {record.key} is already used by a {row['type']}")
        present: dict[str, Any] = dict(record.fields)
        if record.has_owner:
            if record.owner is not None and record.owner not in team_ids:
                raise IngestRejected(
                    location, f"{record.type} {record.key} references unknown owner team {record.owner}"
                )
            present["owner_id"] = team_ids[record.owner] if record.owner else None
        if record.properties is not None or record.extra:
            base = record.properties if record.properties is not None else (row or {}).get("properties", {})
            present["properties"] = {**base, **record.extra}
        if row is None:
            if "name" not in present:
                raise IngestRejected(
                    location, f"missing required field 'name' ({record.type} {record.key} is new)"
                )
            present = {**ENTITY_BLANK, **present, "key": record.key, "type": record.type}
        if writes.stage(batch, record.type, row, present):
            batch.changed.add(record.key)
            if row is None:
                batch.created.add(record.key)
    batch.ids.update(await writes.flush(connection))


ENTITY_BLANK: dict[str, Any] = {
    column.name: ({} if column.name == "properties" else None)
    for column in ENTITY.columns
    if column.name not in ("id", "created_at", "updated_at")
}


async def _write_frameworks(connection: AsyncConnection, batch: Batch) -> None:
    if not batch.frameworks:
        return
    existing = await rows_by_key(connection, FRAMEWORK, batch.frameworks)
    metrics = await _metric_types(connection, batch, existing)
    writes = TableWrites(FRAMEWORK)
    for key, (record, location) in batch.frameworks.items():
        row = existing.get(key)
        missing = [n for n in FRAMEWORK_REQUIRED_WHEN_NEW if n not in record.fields]
        if row is None and missing:
            raise IngestRejected(location, f"missing required field '{missing[0]}' (framework {key} is new)")
        entity_type = record.fields.get("entity_type") or (row or {}).get("entity_type")
        root = record.fields.get("root") or (row or {}).get("root") or {}
        for path, leaf in framework_leaves(root):
            problem = _leaf_problem(leaf, str(entity_type), metrics)
            if problem:
                raise IngestRejected(location, f"framework {key}, {path}: {problem}")
        present = {"description": None, **record.fields, "key": key} if row is None else dict(record.fields)
        writes.stage(batch, "MetricFramework", row, present)
    await writes.flush(connection)


async def _metric_types(
    connection: AsyncConnection, batch: Batch, existing: dict[str, dict[str, Any]]
) -> dict[str, str | None]:
    """The entity type of every metric a framework of the batch names (None: any type)."""
    documents = [record.fields for record, _ in batch.frameworks.values()] + list(existing.values())
    wanted = {leaf["metric"] for fields in documents for _, leaf in _leaves(fields)}
    rows = await connection.execute(
        select(DEFINITION.c.key, DEFINITION.c.entity_type).where(DEFINITION.c.key.in_(sorted(wanted)))
    )
    return {key: entity_type for key, entity_type in rows}


def _leaves(fields: Mapping[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    return framework_leaves(fields["root"]) if fields.get("root") else []


def _leaf_problem(leaf: Mapping[str, Any], entity_type: str, metrics: dict[str, str | None]) -> str | None:
    metric, via = leaf["metric"], leaf["via"]
    if metric not in metrics:
        return f"unknown metric {metric}"
    target = via_target(entity_type, via)
    if target is None:
        return f"via {via} leads nowhere from a {entity_type}"
    if metrics[metric] is not None and metrics[metric] != target:
        return f"metric {metric} applies to {metrics[metric]}, but via {via} reaches a {target}"
    return None
