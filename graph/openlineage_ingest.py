"""Recording OpenLineage events: read what the graph holds about their runs, merge, ingest as one batch.

The read and the batch that follows it are serialised per engine (and across processes on
PostgreSQL), so two events of one run arriving together cannot both miss each other's datasets.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graph.db import is_sqlite
from graph.ingest import IngestSummary, ingest, record_list
from graph.mappings import ToolMapping
from graph.models import edge_table, entity_table
from graph.openlineage import NO_MAPPING, Current, RunState, claimed_types, to_records
from graph.openlineage_events import LineageEvent

CHUNK = 1000
ENTITY = entity_table
EDGE = edge_table
# Distinct from the writer lock of graph.db: this one is held across a read and the write after it.
MERGE_LOCK_ID = 0x6F6C6D657267
_locks: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


async def record_events(
    engine: AsyncEngine, events: list[LineageEvent], mapping: ToolMapping | None = None
) -> IngestSummary:
    """Merge the events into the graph as one all-or-nothing batch.

    Raises `graph.openlineage.EventError` on a type conflict and `IngestRejected` on a record
    ingest refuses; nothing is written in either case.
    """
    mapping = mapping or NO_MAPPING
    if not events:
        return IngestSummary()
    claims = claimed_types(events, mapping)
    async with _merging(engine):
        async with engine.connect() as connection:
            current = await read_current(connection, claims)
        records = to_records(events, current, mapping)
        return await ingest(engine, record_list([r for _, r in records], [where for where, _ in records]))


async def read_current(connection: AsyncConnection, claims: dict[str, tuple[str, str]]) -> Current:
    """The types of the keys the events name, and the state of their runs and binaries."""
    current = Current()
    keys = sorted(claims)
    run_ids: dict[int, str] = {}
    for start in range(0, len(keys), CHUNK):
        statement = select(
            ENTITY.c.id,
            ENTITY.c.key,
            ENTITY.c.type,
            ENTITY.c.status,
            ENTITY.c.started_at,
            ENTITY.c.finished_at,
            ENTITY.c.created_at,
            ENTITY.c.properties,
        ).where(ENTITY.c.key.in_(keys[start : start + CHUNK]))
        for row in (await connection.execute(statement)).mappings():
            current.types[row["key"]] = row["type"]
            if row["type"] == "WorkflowRun":
                run_ids[row["id"]] = row["key"]
                current.runs[row["key"]] = RunState(
                    row["status"], row["started_at"], row["finished_at"], set(), dict(row["properties"] or {})
                )
            elif row["type"] == "ModelBinary":
                current.binary_times[row["key"]] = row["created_at"]
    source = ENTITY.alias("source")
    ids = sorted(run_ids)
    for start in range(0, len(ids), CHUNK):
        statement = (
            select(EDGE.c.target_id, source.c.key)
            .join(source, source.c.id == EDGE.c.source_id)
            .where(EDGE.c.kind == "TRAINS", EDGE.c.target_id.in_(ids[start : start + CHUNK]))
        )
        for edge in await connection.execute(statement):
            current.runs[run_ids[edge.target_id]].datasets.add(edge.key)
    return current


@asynccontextmanager
async def _merging(engine: AsyncEngine) -> AsyncIterator[None]:
    lock = _locks.setdefault(engine, asyncio.Lock())
    async with lock:
        if is_sqlite(engine):
            yield
            return
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MERGE_LOCK_ID})
            await connection.commit()
            try:
                yield
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MERGE_LOCK_ID})
                await connection.commit()
