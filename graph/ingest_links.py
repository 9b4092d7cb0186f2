"""Third pass of a batch: edges and metric values, once every node of the batch exists."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import BigInteger, and_, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from graph import vocabulary as vocab
from graph.batch import Batch, IngestRejected
from graph.bulk import insert_plain
from graph.models import edge_table, entity_table, metric_definition_table, metric_value_table
from graph.records import EntityRecord, ValueRecord
from graph.timestamps import to_micros

CHUNK = 1000
ENTITY = entity_table
EDGE = edge_table
DEFINITION = metric_definition_table
VALUE = metric_value_table
REFERENCE_BY_KIND = {
    reference.kind: reference for references in vocab.REFERENCES.values() for reference in references
}
EdgeRow = tuple[int, str, int]
EDGE_COLUMNS = ("source_id", "kind", "target_id", "traffic_percent", "role")
VALUE_COLUMNS = ("metric_id", "entity_id", "observed_at", "value")


async def write_links(
    connection: AsyncConnection, batch: Batch, progress: Callable[[int], None] | None
) -> None:
    metrics = None
    nodes: list[tuple[str, EntityRecord]] = []
    values: list[tuple[str, ValueRecord]] = []
    for done, (location, record) in enumerate(batch.records(), start=1):
        if isinstance(record, EntityRecord) and record.links:
            nodes.append((location, record))
        elif isinstance(record, ValueRecord):
            values.append((location, record))
        if len(nodes) == CHUNK:
            await _write_edges(connection, batch, nodes)
            nodes = []
        if len(values) == CHUNK:
            metrics = metrics or await _metrics(connection)
            await _write_values(connection, batch, values, metrics)
            values = []
        if progress is not None and done % CHUNK == 0:
            progress(done)
    if nodes:
        await _write_edges(connection, batch, nodes)
    if values:
        await _write_values(connection, batch, values, metrics or await _metrics(connection))


async def entities_by_key(
    connection: AsyncConnection, batch: Batch, keys: set[str]
) -> dict[str, tuple[int, str]]:
    """Id and type of each existing key: the batch's own from memory, the others from the database."""
    found: dict[str, tuple[int, str]] = {}
    others: list[str] = []
    for key in keys:
        entity_id = batch.ids.get(key)
        if entity_id is None:
            others.append(key)
        else:
            found[key] = (entity_id, batch.entities[key][0])
    ordered = sorted(others)
    for start in range(0, len(ordered), CHUNK):
        statement = select(ENTITY.c.key, ENTITY.c.id, ENTITY.c.type).where(
            ENTITY.c.key.in_(ordered[start : start + CHUNK])
        )
        for key, entity_id, entity_type in await connection.execute(statement):
            found[key] = (entity_id, entity_type)
    return found


async def _write_edges(
    connection: AsyncConnection, batch: Batch, chunk: list[tuple[str, EntityRecord]]
) -> None:
    wanted = {record.key for _, record in chunk}
    wanted.update(link.key for _, record in chunk for links in record.links.values() for link in links)
    entities = await entities_by_key(connection, batch, wanted)
    desired: dict[tuple[int, str], dict[EdgeRow, tuple[float | None, str | None]]] = {}
    owners: dict[int, EntityRecord] = {}
    for location, record in chunk:
        target_id = entities[record.key][0]
        owners[target_id] = record
        for kind, links in record.links.items():
            reference = REFERENCE_BY_KIND[kind]
            edges = desired.setdefault((target_id, kind), {})
            for link in links:
                found = entities.get(link.key)
                if found is None:
                    raise IngestRejected(
                        location,
                        f"{record.type} {record.key} references unknown {reference.field} {link.key}",
                    )
                if found[1] != reference.source_type:
                    raise IngestRejected(
                        location,
                        f"{record.type} {record.key}: {reference.field} {link.key} is a {found[1]}, "
                        f"expected a {reference.source_type}",
                    )
                edges[(found[0], kind, target_id)] = (link.traffic_percent, link.role)
    current: dict[tuple[int, str], dict[EdgeRow, tuple[float | None, str | None]]] = {}
    # Entities this batch created have no edges yet: only the others' are read and replaced.
    existing = {target_id for target_id, record in owners.items() if record.key not in batch.created}
    if existing:
        statement = select(EDGE).where(EDGE.c.target_id.in_(sorted(existing)))
        for row in (await connection.execute(statement)).mappings():
            if (row["target_id"], row["kind"]) in desired:
                edge = (row["source_id"], row["kind"], row["target_id"])
                current.setdefault((row["target_id"], row["kind"]), {})[edge] = (
                    row["traffic_percent"],
                    row["role"],
                )
    replaced = [slot for slot, edges in desired.items() if current.get(slot, {}) != edges]
    if not replaced:
        return
    stale = [{"t": target_id, "k": kind} for target_id, kind in replaced if target_id in existing]
    if stale:
        await connection.execute(
            delete(EDGE).where(and_(EDGE.c.target_id == bindparam("t"), EDGE.c.kind == bindparam("k"))), stale
        )
    rows = [(*edge, *detail) for slot in replaced for edge, detail in desired[slot].items()]
    await insert_plain(connection, EDGE, EDGE_COLUMNS, rows)
    touched = {target_id for target_id, _ in replaced}
    await _mark_updated(connection, batch, [(target_id, owners[target_id]) for target_id in sorted(touched)])


async def _mark_updated(
    connection: AsyncConnection, batch: Batch, touched: list[tuple[int, EntityRecord]]
) -> None:
    """A node whose upstream edges changed was updated, even when none of its fields did."""
    stale = []
    for entity_id, record in touched:
        if record.key not in batch.changed:  # created or updated already: counted and stamped
            batch.changed.add(record.key)
            counts = batch.summary.of(record.type)
            counts.unchanged -= 1
            counts.updated += 1
            stale.append({"row_id": entity_id, "moment": batch.started})
    if stale:
        await connection.execute(
            update(ENTITY).where(ENTITY.c.id == bindparam("row_id")).values(updated_at=bindparam("moment")),
            stale,
        )


async def _metrics(connection: AsyncConnection) -> dict[str, tuple[int, str | None, bool]]:
    statement = select(DEFINITION.c.key, DEFINITION.c.id, DEFINITION.c.entity_type, DEFINITION.c.derived)
    return {
        key: (metric_id, entity_type, derived)
        for key, metric_id, entity_type, derived in (await connection.execute(statement))
    }


async def _write_values(
    connection: AsyncConnection,
    batch: Batch,
    chunk: list[tuple[str, ValueRecord]],
    metrics: dict[str, tuple[int, str | None, bool]],
) -> None:
    entities = await entities_by_key(connection, batch, {record.entity for _, record in chunk})
    # (metric id, entity id, observed at in microseconds) -> value
    rows: dict[tuple[int, int, int], float] = {}
    counts = batch.summary.of("MetricValue")
    for location, record in chunk:
        metric = metrics.get(record.metric)
        if metric is None:
            raise IngestRejected(location, f"MetricValue references unknown metric {record.metric}")
        if metric[2]:
            raise IngestRejected(
                location, f"metric {record.metric} is derived from the graph and takes no values"
            )
        entity = entities.get(record.entity)
        if entity is None:
            raise IngestRejected(location, f"MetricValue references unknown entity {record.entity}")
        if metric[1] is not None and metric[1] != entity[1]:
            raise IngestRejected(
                location,
                f"metric {record.metric} applies to {metric[1]}, but {record.entity} is a {entity[1]}",
            )
        rows[(metric[0], entity[0], record.observed_micros)] = record.value
    existing: dict[tuple[int, int, int], float] = {}
    # Values of entities this batch created cannot exist yet: only the others are looked up.
    known = sorted({entities[record.entity][0] for _, record in chunk if record.entity not in batch.created})
    if known:
        statement = select(VALUE.c.metric_id, VALUE.c.entity_id, VALUE.c.observed_at, VALUE.c.value).where(
            VALUE.c.entity_id.in_(known)
        )
        for metric_id, entity_id, observed_at, value in await connection.execute(statement):
            identity = (metric_id, entity_id, to_micros(observed_at))
            if identity in rows:
                existing[identity] = value
    inserts = [(*identity, value) for identity, value in rows.items() if identity not in existing]
    changes = [
        {"m": identity[0], "e": identity[1], "o": identity[2], "v": value}
        for identity, value in rows.items()
        if identity in existing and existing[identity] != value
    ]
    counts.created += len(inserts)
    counts.updated += len(changes)
    counts.unchanged += len(rows) - len(inserts) - len(changes)
    await insert_plain(connection, VALUE, VALUE_COLUMNS, inserts)
    if changes:
        # Observed instants are bound as the microseconds they are stored as.
        await connection.execute(
            update(VALUE)
            .where(
                and_(
                    VALUE.c.metric_id == bindparam("m"),
                    VALUE.c.entity_id == bindparam("e"),
                    VALUE.c.observed_at == bindparam("o", type_=BigInteger()),
                )
            )
            .values(value=bindparam("v")),
            changes,
        )
