"""Statement counts: Entity.metrics and rollups cost the same however many entities there are."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.models import entity_table
from metrics.builtin import install_builtins
from metrics.rollup import metric_rollup, rollup
from metrics.scorecard import scorecard
from metrics.values import entity_metrics
from tests.metrics.factory import Record, binary, day, deployment, load, run, source, team, value


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _models(first: int, count: int) -> list[Record]:
    records: list[Record] = []
    for index in range(first, first + count):
        records += [
            source(f"ms/{index}", "team/a"),
            run(f"run/{index}", f"ms/{index}", created=1),
            binary(f"mb/{index}", f"run/{index}", created=2),
            deployment(f"dep/{index}", [(f"mb/{index}", "CONTROL")], created=3),
            value("accuracy", f"mb/{index}", 0.85, observed=2),
            value("drift_psi", f"dep/{index}", 0.2, observed=4),
        ]
    return records


async def _count(engine: AsyncEngine, action: Callable[[], Awaitable[object]]) -> int:
    with counting(engine) as statements:
        await action()
    return len(statements)


async def test_entity_metrics_for_10_and_100_entities_issue_the_same_statements(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await load(engine, team("team/a"), *_models(0, 100))
    async with engine.connect() as connection:
        rows = (await connection.execute(select(entity_table.c.id).order_by(entity_table.c.id))).all()
    ids = [row.id for row in rows]

    async def metrics_of(count: int) -> None:
        async with engine.connect() as connection:
            results = await entity_metrics(connection, ids[:count], as_of=day(10))
        assert len(results) == count

    few = await _count(engine, lambda: metrics_of(10))
    assert few == await _count(engine, lambda: metrics_of(100))
    # definitions, entities with derived values, latest ingested values (and the connection's BEGIN)
    assert few <= 4


async def test_rollup_statements_do_not_grow_with_the_entities(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await load(engine, team("team/a"), *_models(0, 10))

    async def rollups() -> None:
        async with engine.connect() as connection:
            await rollup(connection, "model_maturity", None, day(10))
            await rollup(connection, "model_maturity", "team/a", day(10))
            await metric_rollup(connection, "drift_psi", None, day(10))
            await scorecard(connection, "ms/1", "model_maturity", day(10))

    few = await _count(engine, rollups)
    await load(engine, *_models(10, 90))
    assert await _count(engine, rollups) == few


async def test_a_scorecard_and_entity_metrics_send_the_same_texts_whatever_the_entities_and_instant(
    engine: AsyncEngine,
) -> None:
    """Their statements are compiled once per shape: entity ids and asOf are parameters."""
    await install_builtins(engine)
    await load(engine, team("team/a"), *_models(0, 20))
    async with engine.connect() as connection:
        rows = (await connection.execute(select(entity_table.c.id).order_by(entity_table.c.id))).all()
    ids = [row.id for row in rows]

    async def texts(key: str, count: int, moment: int) -> list[str]:
        with counting(engine) as statements:
            async with engine.connect() as connection:
                card = await scorecard(connection, key, "model_maturity", day(moment))
                await entity_metrics(connection, ids[:count], as_of=day(moment))
        assert card is not None
        return statements

    first = await texts("ms/1", 3, 10)
    assert await texts("ms/7", 15, 11) == first
