"""Concurrent writers on one engine: every batch lands, none fails on a lock, a duplicate counts once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import IngestSummary, ingest, record_list
from graph.models import entity_table

WRITERS = 8
BATCHES = 25


def writer_batch(writer: int, batch: int) -> list[dict[str, Any]]:
    """A batch of its own keys, plus a team every batch sends alike and a model every batch renames."""
    return [
        {"type": "Team", "key": "team/shared", "name": "Shared"},
        {
            "type": "ModelSource",
            "key": "ms/hot",
            "name": f"renamed by {writer}/{batch}",
            "owner": "team/shared",
        },
        {"type": "ModelSource", "key": f"ms/{writer}/{batch}", "name": "own", "owner": "team/shared"},
        {"type": "ModelBinary", "key": f"mb/{writer}/{batch}", "name": "own", "run": None},
    ]


async def test_eight_writers_of_25_batches_lose_nothing(engine: AsyncEngine) -> None:
    waits: list[float] = []

    async def writer(number: int) -> list[IngestSummary]:
        summaries = []
        for batch in range(BATCHES):
            started = time.perf_counter()
            summaries.append(await ingest(engine, record_list(writer_batch(number, batch))))
            waits.append(time.perf_counter() - started)
        return summaries

    results = await asyncio.gather(*(writer(number) for number in range(WRITERS)))
    summaries = [summary for batches in results for summary in batches]
    print(
        f"\n{engine.dialect.name}: {len(summaries)} batches by {WRITERS} concurrent writers in one process, "
        f"0 retries, longest batch {max(waits):.3f} s, mean {sum(waits) / len(waits):.3f} s"
    )
    assert len(summaries) == WRITERS * BATCHES
    assert sum(summary.of("Team").created for summary in summaries) == 1
    hot = [(summary.of("ModelSource").created, summary.of("ModelSource").updated) for summary in summaries]
    # Each batch creates its own model; exactly one of them also creates ms/hot, every other renames it.
    assert sorted(hot).count((2, 0)) == 1 and sorted(hot).count((1, 1)) == WRITERS * BATCHES - 1
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(entity_table))
    assert count == 2 * WRITERS * BATCHES + 1


async def test_the_same_batch_sent_twice_at_once_is_written_once(engine: AsyncEngine) -> None:
    batch = writer_batch(0, 0)
    first, second = await asyncio.gather(
        ingest(engine, record_list(batch)), ingest(engine, record_list(batch))
    )
    outcomes = sorted([(first.created, first.unchanged), (second.created, second.unchanged)])
    assert outcomes == [(0, len(batch)), (len(batch), 0)]
