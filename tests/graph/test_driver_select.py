"""SELECTs sent through the driver give the rows SQLAlchemy gives: same keys, same typed values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    Float,
    Integer,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import dump_json, is_sqlite
from graph.driver_select import DriverSelect
from graph.ingest import ingest
from graph.models import entity_table
from graph.queries import select_entities
from graph.sources import record_list
from tests.graph.factories import EXAMPLE


def _statement(engine: AsyncEngine) -> Any:
    """Entities with their owner (JSON, timestamps, NULLs, labels), a CASE of bound literals, a
    parameter used twice and a list parameter: what search statements hold."""
    rank = case((entity_table.c.key == bindparam("key"), 0), else_=1).label("rank")
    if is_sqlite(engine):
        wanted = entity_table.c.type.in_(
            select(literal_column("value")).select_from(func.json_each(bindparam("types")))
        )
    else:
        wanted = entity_table.c.type == func.any(bindparam("types", type_=ARRAY(String)))
    return (
        select_entities(rank)
        .where(wanted, entity_table.c.key >= bindparam("key"))
        .order_by(rank, entity_table.c.key)
        .limit(bindparam("first"))
    )


async def test_driver_rows_equal_sqlalchemys(engine: AsyncEngine) -> None:
    await ingest(engine, record_list(EXAMPLE))
    statement = _statement(engine)
    types = ["FeatureSource", "ModelSource", "TrainingDataset"]
    values = {"key": "fs/2", "first": 10, "types": dump_json(types) if is_sqlite(engine) else types}
    async with engine.connect() as connection:
        expected = (await connection.execute(statement, values)).all()
        compiled = DriverSelect.compile(statement, engine.dialect)
        on_connection = await compiled.rows(connection, values)
    pooled = await compiled.rows(engine, values)
    assert [row.key for row in expected] == ["fs/2", "ms/1"] and expected[0].rank == 0
    for rows in (on_connection, pooled):
        assert [row._mapping for row in rows] == [row._mapping for row in expected]
        assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    # Typed as the columns' types type them: JSON decoded, timestamps as aware datetimes.
    feature = pooled[0]._mapping
    assert isinstance(feature["properties"], dict) and feature["created_at"].tzinfo is not None
    assert feature["owner_key"] == "team/ads" and feature["owner_properties"] == {}


async def test_float_columns_and_unions_come_back_as_sqlalchemy_gives_them(engine: AsyncEngine) -> None:
    """A float computed in SQL (asyncpg's processor depends on the result's own column type, not
    known at compile time) and a UNION ALL of two selects, as scorecards send them."""
    await ingest(engine, record_list(EXAMPLE))
    halves = cast(entity_table.c.id, Float) / literal(2.0, Float)
    first = select(literal(0, Integer).label("part"), halves.label("half")).where(
        entity_table.c.key == bindparam("key")
    )
    second = select(literal(1, Integer).label("part"), func.avg(entity_table.c.id).label("half"))
    statement = union_all(first, second)
    async with engine.connect() as connection:
        expected = (await connection.execute(statement, {"key": "fs/1"})).all()
        rows = await DriverSelect.compile(statement, engine.dialect).rows(connection, {"key": "fs/1"})
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert all(isinstance(row.half, float) for row in rows)
