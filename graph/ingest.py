"""Batches: validate every record, then write the whole batch in one transaction, or nothing.

A batch is read in three passes over its source: validate and index every record (nothing is
written), write nodes (teams, metric definitions, entities, frameworks), then write what points
at nodes (edges, metric values), when every key of the batch already exists. Large files are
streamed on each pass rather than held in memory.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.batch import (
    MAX_RECORD_BYTES,
    RECORD_TYPES,
    Batch,
    IngestRejected,
    IngestSummary,
    Progress,
    TypeCounts,
    validate,
)
from graph.db import is_sqlite, write_transaction
from graph.ingest_links import write_links
from graph.ingest_nodes import write_nodes
from graph.models import entity_table
from graph.sources import BatchSource, jsonl_bytes, jsonl_file, record_list

__all__ = [
    "MAX_RECORD_BYTES",
    "RECORD_TYPES",
    "DeletedEntity",
    "IngestRejected",
    "IngestSummary",
    "TypeCounts",
    "delete_entities",
    "ingest",
    "jsonl_bytes",
    "jsonl_file",
    "record_list",
]

ANALYZE_AFTER = 5_000


async def ingest(
    engine: AsyncEngine,
    source: BatchSource,
    *,
    progress: Progress | None = None,
    derived: bool = False,
) -> IngestSummary:
    """Validate and write one batch atomically; raise IngestRejected (writing nothing) on a bad record.

    `derived=True` is for aigraph's own graph-computed metric definitions, which batches from
    outside may neither define nor send values for.
    """
    batch = Batch(source, derived)
    validate(batch, progress)
    total = batch.summary.records
    async with write_transaction(engine) as connection:
        await write_nodes(connection, batch, _scaled(progress, total, 1))
        await write_links(connection, batch, _scaled(progress, total, 2))
    if batch.summary.created >= ANALYZE_AFTER and not is_sqlite(engine):
        # Until autovacuum catches up, PostgreSQL plans walks over a bulk-loaded graph with stale
        # statistics (sequential scans instead of index lookups); sampling now costs little.
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE entity, edge, metric_value"))
            await connection.commit()
    return batch.summary


class DeletedEntity(NamedTuple):
    key: str
    type: str


async def delete_entities(engine: AsyncEngine, keys: list[str]) -> list[DeletedEntity]:
    """Delete entities by key with their edges and metric values; returns those that existed, by key."""
    table = entity_table
    deleted: list[DeletedEntity] = []
    async with write_transaction(engine) as connection:
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            found = await connection.execute(select(table.c.key, table.c.type).where(table.c.key.in_(chunk)))
            deleted.extend(DeletedEntity(key, entity_type) for key, entity_type in found)
            await connection.execute(delete(table).where(table.c.key.in_(chunk)))
    return sorted(deleted)


def _scaled(progress: Progress | None, total: int, passes_done: int) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda done: report((passes_done * total + done) // 3)
