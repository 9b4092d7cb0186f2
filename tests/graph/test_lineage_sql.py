"""The walk's statement as the databases plan it: edges looked up in the index, whatever the table's size."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.driver import fetch_rows
from graph.lineage_sql import Direction, statement

ENTITIES = 20_000
# 1..:count, in SQL both databases speak.
NUMBERS = "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < :count)"


@pytest.mark.parametrize("direction", ["UPSTREAM", "DOWNSTREAM", "BOTH"])
async def test_the_edges_of_a_walk_are_looked_up_in_the_index(
    engine: AsyncEngine, direction: Direction
) -> None:
    """On an edge table of some tens of thousands of rows, where each node has a few sources,
    PostgreSQL hash-joined all of it for the edges of a walk of a few nodes (it cannot tell how
    many nodes a walk reaches)."""
    postgresql = engine.dialect.name == "postgresql"
    async with engine.begin() as connection:
        await connection.execute(
            text(
                f"{NUMBERS} INSERT INTO entity (id, key, type, name, created_at, updated_at, properties) "
                "SELECT n, 'mb/' || n, 'ModelBinary', 'binary ' || n, 0, 0, '{}' FROM numbers"
            ),
            {"count": ENTITIES},
        )
        await connection.execute(
            text(
                f"{NUMBERS} INSERT INTO edge (source_id, kind, target_id) "
                "SELECT n, 'DEPLOYED_TO', n / 4 FROM numbers WHERE n >= 4"
            ),
            {"count": ENTITIES},
        )
        await connection.execute(text("ANALYZE entity, edge" if postgresql else "ANALYZE"))
    sql, names = statement(direction, False, postgresql)
    values = {"root_key": f"mb/{ENTITIES // 2}", "depth": 6, "row_limit": 10_002}
    explain = "EXPLAIN" if postgresql else "EXPLAIN QUERY PLAN"
    async with engine.connect() as connection:
        rows = await fetch_rows(connection, f"{explain} {sql}", [values[name] for name in names])
    plan = "\n".join(str(row[0] if postgresql else row[-1]) for row in rows)
    assert ("Seq Scan on edge" if postgresql else "SCAN edge") not in plan, plan
    assert "edge" in plan
