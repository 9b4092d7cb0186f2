"""Reads sent straight to the driver: same rows as SQLAlchemy, seen by listeners, inside transactions,
and on a pooled connection of their own that always goes back to the pool."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import create_engine, is_sqlite, open_engine, write_transaction
from graph.driver import _reader, fetch_rows, fetch_rows_pooled


def _placeholder(engine: AsyncEngine) -> str:
    return "?" if is_sqlite(engine) else "$1"


async def test_rows_agree_with_sqlalchemy_and_listeners_see_the_statement(engine: AsyncEngine) -> None:
    seen: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    statement = f"SELECT {_placeholder(engine)} + 1"
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with engine.connect() as connection:
            rows = await fetch_rows(connection, statement, [41])
            expected = (await connection.execute(text("SELECT 41 + 1"))).all()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected] == [(42,)]
    assert statement in seen


async def test_a_read_sees_the_uncommitted_writes_of_its_transaction(engine: AsyncEngine) -> None:
    async with write_transaction(engine) as connection:
        await connection.execute(
            text(
                "INSERT INTO team (key, name, properties, created_at, updated_at) "
                "VALUES ('t', 'T', '{}', 0, 0)"
            )
        )
        statement = f"SELECT name FROM team WHERE key = {_placeholder(engine)}"
        rows = await fetch_rows(connection, statement, ["t"])
        assert [tuple(row) for row in rows] == [("T",)]
        await connection.rollback()


async def test_sqlite_reads_run_on_the_calling_thread(sqlite_url: str) -> None:
    """No trip to aiosqlite's worker thread: the statement runs where the event loop runs."""
    engine = await open_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            sqlite3_connection = (await connection.get_raw_connection()).driver_connection._conn
            sqlite3_connection.create_function("caller_thread", 0, threading.get_ident)
            rows = await fetch_rows(connection, "SELECT caller_thread()", [])
    finally:
        await engine.dispose()
    assert rows[0][0] == threading.get_ident()


@pytest.mark.parametrize("pooled", [False, True])
async def test_sqlite_reads_work_when_the_url_asks_for_thread_checks(sqlite_url: str, pooled: bool) -> None:
    """Reads run on the loop's thread whatever the URL says: the engine always opens without the check."""
    engine = await open_engine(f"{sqlite_url}?check_same_thread=true")
    try:
        if pooled:
            rows = await fetch_rows_pooled(engine, "SELECT count(*) FROM entity", [])
        else:
            async with engine.connect() as connection:
                rows = await fetch_rows(connection, "SELECT count(*) FROM entity", [])
    finally:
        await engine.dispose()
    assert rows[0][0] == 0


async def test_a_pooled_read_agrees_is_seen_by_listeners_and_gives_its_connection_back(
    engine: AsyncEngine,
) -> None:
    seen: list[tuple[Any, str]] = []

    def record(connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append((connection, statement))

    statement = f"SELECT {_placeholder(engine)} + 1"
    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        rows = await fetch_rows_pooled(engine, statement, [41])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert [tuple(row) for row in rows] == [(42,)]
    assert seen == [(None, statement)]
    pool: Any = engine.sync_engine.pool
    assert pool.checkedout() == 0


async def test_a_failing_pooled_read_raises_and_still_gives_its_connection_back(engine: AsyncEngine) -> None:
    with pytest.raises(Exception, match="no_such_table"):
        await fetch_rows_pooled(engine, "SELECT * FROM no_such_table", [])
    pool: Any = engine.sync_engine.pool
    assert pool.checkedout() == 0
    assert [tuple(row) for row in await fetch_rows_pooled(engine, "SELECT 7", [])] == [(7,)]


async def test_sqlite_file_reads_stay_on_one_read_only_connection_until_disposed(sqlite_url: str) -> None:
    """Outside a transaction, reads on a SQLite file skip the pool: one reader per thread, which
    sees what is committed after it opened, refuses writes, and closes with the engine."""
    engine = await open_engine(sqlite_url)
    opened: list[Any] = []
    try:
        counted = await fetch_rows_pooled(engine, "SELECT count(*) FROM team", [])
        assert [tuple(row) for row in counted] == [(0,)]
        reader = _reader(engine.sync_engine)
        assert reader is not None and _reader(engine.sync_engine) is reader
        opened.append(reader)
        async with write_transaction(engine) as connection:
            await connection.execute(
                text(
                    "INSERT INTO team (key, name, properties, created_at, updated_at) "
                    "VALUES ('t', 'T', '{}', 0, 0)"
                )
            )
        assert [tuple(row) for row in await fetch_rows_pooled(engine, "SELECT key FROM team", [])] == [("t",)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await fetch_rows_pooled(engine, "DELETE FROM team", [])
        pool: Any = engine.sync_engine.pool
        assert pool.checkedout() == 0
    finally:
        await engine.dispose()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")
    # A disposed engine may be used again: it opens a new reader.
    try:
        assert [tuple(row) for row in await fetch_rows_pooled(engine, "SELECT key FROM team", [])] == [("t",)]
        assert _reader(engine.sync_engine) is not opened[0]
    finally:
        await engine.dispose()


async def test_in_memory_sqlite_reads_use_the_pool(tmp_path: Any) -> None:
    """A separate connection to `:memory:` would see another database: such reads keep to the pool."""
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert _reader(engine.sync_engine) is None
        assert [tuple(row) for row in await fetch_rows_pooled(engine, "SELECT 7", [])] == [(7,)]
    finally:
        await engine.dispose()
