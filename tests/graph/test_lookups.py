"""Lookups by lists of keys or ids: the rows asked for, in one statement whose text never changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest
from graph.lookups import entities_by_ids, entities_by_keys, teams_by_ids, teams_by_keys
from graph.sources import record_list
from tests.graph.factories import EXAMPLE


async def test_lookups_find_what_is_asked_in_one_statement_of_one_text(engine: AsyncEngine) -> None:
    await ingest(engine, record_list(EXAMPLE))
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        one = await entities_by_keys(engine, ["fs/1"])
        several = await entities_by_keys(engine, ["fs/1", "ms/1", "no/such", "dep/1"])
        none = await entities_by_keys(engine, [])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert [row.key for row in one] == ["fs/1"]
    assert sorted(row.key for row in several) == ["dep/1", "fs/1", "ms/1"]
    assert none == []
    # One statement each, the same SQL whatever the number of keys (so one plan in every cache).
    assert len(sent) == 3 and len(set(sent)) == 1
    by_id = await entities_by_ids(engine, [row.id for row in several])
    assert sorted(row.key for row in by_id) == ["dep/1", "fs/1", "ms/1"]
    assert {row.owner_key for row in by_id} == {"team/ads"}
    [ads] = await teams_by_keys(engine, ["team/ads"])
    [parent] = await teams_by_ids(engine, [ads.parent_id])
    assert (ads.name, parent.key) == ("Ads", "org/meta")
    async with engine.connect() as connection:
        assert [row.key for row in await entities_by_keys(connection, ["ms/1"])] == ["ms/1"]
