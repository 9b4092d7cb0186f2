"""SQLite connections come back to the pool clean: rolled back only when a transaction is open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import create_engine, open_engine, write_transaction
from graph.models import team_table


async def one_connection_engine(url: str) -> AsyncEngine:
    """An engine on a migrated file whose pool holds a single connection, so each checkout reuses it."""
    await (await open_engine(url)).dispose()
    return create_engine(url, pool_size=1, max_overflow=0)


async def test_a_transaction_left_open_on_the_driver_is_rolled_back_on_return(sqlite_url: str) -> None:
    engine = await one_connection_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            await driver.execute("BEGIN IMMEDIATE")
            await driver.execute(
                "INSERT INTO team (key, name, properties, created_at, updated_at) "
                "VALUES ('t', 'T', '{}', 0, 0)"
            )
            assert driver.in_transaction
        # The same (only) connection again: not in a transaction, the insert gone, the write lock free.
        async with engine.connect() as connection:
            assert not (await connection.get_raw_connection()).driver_connection.in_transaction
        async with write_transaction(engine) as connection:
            assert await connection.scalar(select(func.count()).select_from(team_table)) == 0
    finally:
        await engine.dispose()


async def test_a_clean_connection_is_returned_without_a_rollback(sqlite_url: str) -> None:
    engine = await one_connection_engine(sqlite_url)
    rollbacks: list[Any] = []
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            rolled_back = driver.rollback

            async def counted() -> None:
                rollbacks.append("driver")
                await rolled_back()

            driver.rollback = counted
            await driver.execute_fetchall("SELECT 1")
        assert rollbacks == []
    finally:
        await engine.dispose()
