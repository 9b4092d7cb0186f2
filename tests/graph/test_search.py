"""Search: ranking, filters, case, page size, index upkeep, and that an index answers the query."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, event, update
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest
from graph.models import entity_table
from graph.search import MAX_FIRST, SearchLimitError, search_entities
from graph.sources import record_list
from tests.graph.factories import EXAMPLE
from tests.graph.test_lineage import entity_type, load_graph

NAMES = {
    "fs/clicks": "Clicks table",
    "lf/ctr": "ctr_7d over clicks",
    "ds/clicks": "ads_train",
    "ms/ranker": "Ads ranker",
    "mb/ranker-v1": "superclicks_v1",
    "dep/prod": "ads_prod",
    "run/100%": "run_1_of_100%",
}


async def load_named(engine: AsyncEngine, names: dict[str, str] = NAMES) -> None:
    # A key without a type prefix (as some tools choose them) is taken as a dataset.
    types = {key: entity_type(key) if "/" in key else "TrainingDataset" for key in names}
    await load_graph(engine, types, [])
    async with engine.begin() as connection:
        for key, name in names.items():
            await connection.execute(update(entity_table).where(entity_table.c.key == key).values(name=name))


async def keys(engine: AsyncEngine, query: str, types: list[str] | None = None, first: int = 20) -> list[str]:
    return [row.key for row in await search_entities(engine, query, types, first)]


async def test_exact_key_then_prefix_then_substring(engine: AsyncEngine) -> None:
    await load_named(engine, {**NAMES, "clicks": "daily events"})
    # clicks: exact key; fs/clicks: name prefix; ds/clicks, lf/ctr, mb/ranker-v1: substring.
    assert await keys(engine, "clicks") == ["clicks", "fs/clicks", "ds/clicks", "lf/ctr", "mb/ranker-v1"]


async def test_ties_are_broken_by_key(engine: AsyncEngine) -> None:
    await load_named(engine)
    assert await keys(engine, "ads") == ["dep/prod", "ds/clicks", "ms/ranker"]


async def test_matching_ignores_case(engine: AsyncEngine) -> None:
    await load_named(engine)
    assert await keys(engine, "CLICKS") == await keys(engine, "clicks")
    assert await keys(engine, "Fs/Clicks") == ["fs/clicks"]


async def test_a_prefix_ending_in_the_last_code_point_matches_only_its_own_keys(engine: AsyncEngine) -> None:
    last = chr(0x10FFFF)
    await load_named(engine, {f"ab{last}": "one", f"ab{last}{last}z": "two", "ac": "three", "b": "four"})
    # Short of a trigram: the prefix tier alone. Its range must end before "ac", not run on for ever.
    assert await keys(engine, f"b{last}") == []
    assert await keys(engine, f"ab{last}") == [f"ab{last}", f"ab{last}{last}z"]


async def test_types_restrict_the_answer(engine: AsyncEngine) -> None:
    await load_named(engine)
    assert await keys(engine, "clicks", ["FeatureSource", "ModelBinary"]) == ["fs/clicks", "mb/ranker-v1"]
    assert await keys(engine, "clicks", []) == []


async def test_first_bounds_the_answer(engine: AsyncEngine) -> None:
    await load_named(engine)
    assert await keys(engine, "clicks", first=2) == ["fs/clicks", "ds/clicks"]
    assert await keys(engine, "clicks", first=0) == []


@pytest.mark.parametrize("first", [-1, MAX_FIRST + 1])
async def test_first_outside_the_cap_is_rejected(engine: AsyncEngine, first: int) -> None:
    with pytest.raises(SearchLimitError, match="first"):
        await search_entities(engine, "clicks", None, first)


async def test_short_query_matches_prefixes_only(engine: AsyncEngine) -> None:
    await load_named(engine)
    # "ct" is inside fs/clicks' name ("Clicks table") but starts only lf/ctr's name.
    assert await keys(engine, "ct") == ["lf/ctr"]
    assert await keys(engine, "A") == ["dep/prod", "ds/clicks", "ms/ranker"]


async def test_wildcards_in_the_query_are_literal(engine: AsyncEngine) -> None:
    await load_named(engine)
    assert await keys(engine, "100%") == ["run/100%"]
    assert await keys(engine, "1_o") == ["run/100%"]
    assert await keys(engine, "%") == []


async def test_blank_query_matches_nothing(engine: AsyncEngine) -> None:
    await load_named(engine)
    assert await keys(engine, "   ") == []


async def test_index_follows_renames_and_deletes(engine: AsyncEngine) -> None:
    await load_named(engine)
    async with engine.begin() as connection:
        renamed = update(entity_table).where(entity_table.c.key == "dep/prod").values(name="clicks_serving")
        await connection.execute(renamed)
        await connection.execute(delete(entity_table).where(entity_table.c.key == "fs/clicks"))
    assert await keys(engine, "clicks") == ["dep/prod", "ds/clicks", "lf/ctr", "mb/ranker-v1"]
    assert await keys(engine, "ads_prod") == []


async def plan_of_search(engine: AsyncEngine, query: str, types: list[str] | None = None) -> str:
    """The database's plan for the statement search_entities really sends."""
    sent: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        if args[2] != "BEGIN":
            sent.append((args[2], args[3]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await search_entities(engine, query, types, 10)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    [(statement, parameters)] = sent
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        # On a handful of rows a scan is cheaper. Forbid scans, and plain index scans that read a
        # whole index: bitmap scans remain, which need a condition that an index can answer.
        await connection.exec_driver_sql("SET enable_seqscan = off")
        await connection.exec_driver_sql("SET enable_indexscan = off")
        rows = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return "\n".join(str(row[0]) for row in rows)


async def test_substring_search_is_answered_by_the_trigram_index(engine: AsyncEngine) -> None:
    await load_named(engine)
    plan = await plan_of_search(engine, "clicks")
    if engine.dialect.name == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan and "entity_search" in plan
    else:
        assert "ix_entity_lower_key_trgm" in plan and "ix_entity_lower_name_trgm" in plan
        # The prefix tier of the same search: the b-tree ranges.
        assert "ix_entity_lower_key_c" in plan and "ix_entity_lower_name_c" in plan


async def test_short_search_is_answered_by_an_index(engine: AsyncEngine) -> None:
    await load_named(engine)
    plan = await plan_of_search(engine, "ct")
    if engine.dialect.name == "sqlite":
        assert "ix_entity_lower_key" in plan and "ix_entity_lower_name" in plan
    else:
        assert "ix_entity_lower_key_c" in plan and "ix_entity_lower_name_c" in plan
        assert "_trgm" not in plan
    assert "SCAN entity" not in plan and "Seq Scan on entity" not in plan


@pytest.mark.parametrize("query", ["clicks", "ct"])
async def test_a_type_filter_never_leads_the_search(engine: AsyncEngine, query: str) -> None:
    """Started from the (type, key) index, SQLite ran the text match once per entity of the types."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner weighs the type index against the trigram indexes by cost")
    await load_named(engine)
    plan = await plan_of_search(engine, query, ["FeatureSource", "ModelBinary"])
    assert "ix_entity_type" not in plan
    assert "ix_entity_lower_key" in plan and "ix_entity_lower_name" in plan
    if len(query) >= 3:
        assert "VIRTUAL TABLE INDEX" in plan


async def test_search_issues_one_statement(engine: AsyncEngine) -> None:
    await load_named(engine)
    statements: list[str] = []

    def record(*args: Any) -> None:
        if args[2] != "BEGIN":
            statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await search_entities(engine, "clicks", ["FeatureSource"], 5)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 1


async def test_non_ascii_prefix_is_found(engine: AsyncEngine) -> None:
    await load_named(engine, {**NAMES, "fs/uber": "Über clicks"})
    assert await keys(engine, "Üb") == ["fs/uber"]
    assert "fs/uber" in await keys(engine, "über")


async def test_index_follows_ingested_renames(engine: AsyncEngine) -> None:
    await ingest(engine, record_list(EXAMPLE))
    assert await keys(engine, "ranker") == ["fs/2", "mb/1", "ms/1"]
    [row] = await search_entities(engine, "ms/1", None, 1)
    assert (row.owner_key, row.owner_name) == ("team/ads", "Ads")
    await ingest(engine, record_list([{"type": "ModelSource", "key": "ms/1", "name": "ads_scorer"}]))
    assert await keys(engine, "ranker") == ["fs/2", "mb/1"]
    assert await keys(engine, "scorer") == ["ms/1"]
