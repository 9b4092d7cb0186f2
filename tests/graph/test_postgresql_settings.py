"""The planner setting our PostgreSQL sessions take, unless the operator chose one."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text

from graph.db import RANDOM_PAGE_COST, open_engine
from tests.conftest import POSTGRESQL_SERVER, postgresql_database_url


async def _random_page_cost(url: str) -> str:
    engine = await open_engine(url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW random_page_cost"))).scalar())
    finally:
        await engine.dispose()


async def _server_random_page_cost(admin: asyncpg.Connection) -> tuple[str, str]:
    row = await admin.fetchrow("SELECT setting, source FROM pg_settings WHERE name = 'random_page_cost'")
    assert row is not None
    return str(row["setting"]), str(row["source"])


@pytest.fixture
async def admin(postgresql_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the server's own database (postgresql_url skips when no server answers)."""
    connection = await asyncpg.connect(f"{POSTGRESQL_SERVER}/postgres", timeout=5)
    yield connection
    await connection.close()


async def test_our_sessions_plan_random_reads_at_ssd_cost_when_the_server_leaves_the_default(
    admin: asyncpg.Connection, postgresql_url: str
) -> None:
    setting, source = await _server_random_page_cost(admin)
    if source != "default":
        pytest.skip(f"the server sets random_page_cost itself ({setting}, from {source})")
    assert await _random_page_cost(postgresql_url) == RANDOM_PAGE_COST


async def test_a_random_page_cost_the_operator_set_for_the_database_is_kept(
    admin: asyncpg.Connection,
) -> None:
    name = f"aigraph_test_{os.getpid()}_settings"
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        await admin.execute(f"ALTER DATABASE {name} SET random_page_cost = 2.5")
        assert await _random_page_cost(postgresql_database_url(name)) == "2.5"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
