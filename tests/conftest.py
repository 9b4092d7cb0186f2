"""Shared fixtures: every test gets its own real, migrated database.

`engine` and `database_url` run each test on a SQLite file and on PostgreSQL. The PostgreSQL
database is created once per session (AIGRAPH_TEST_POSTGRESQL_SERVER, default the local server)
and emptied before each test; those tests skip, saying why, when no server answers. `sqlite_url`
is for the few tests that are about SQLite files themselves.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import open_engine
from graph.models import Base

POSTGRESQL_SERVER = os.environ.get("AIGRAPH_TEST_POSTGRESQL_SERVER", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'aigraph.db'}"


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, even when a loop is running in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(f"{POSTGRESQL_SERVER}/postgres", timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def postgresql_database_url(name: str) -> str:
    """The SQLAlchemy URL of database `name` on the test server."""
    return f"{POSTGRESQL_SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test session, dropped at the end."""
    name = f"aigraph_test_{os.getpid()}"
    try:
        _run(_admin(f"CREATE DATABASE {name}"))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL is unreachable at {POSTGRESQL_SERVER}: {error}")
    url = postgresql_database_url(name)

    async def migrate() -> None:
        engine = await open_engine(url)
        await engine.dispose()

    _run(migrate())
    yield url
    _run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _truncate(engine: AsyncEngine) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A migrated, empty database for code that opens its own engine (servers, CLI commands)."""
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgresql_url")

    async def empty() -> None:
        engine = await open_engine(url)
        try:
            await _truncate(engine)
        finally:
            await engine.dispose()

    _run(empty())
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = await open_engine(sqlite_url)
    else:
        engine = await open_engine(request.getfixturevalue("postgresql_url"))
        await _truncate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
