"""Reads sent straight to the database driver, for the few statements on the hottest paths.

Through SQLAlchemy's async adaptation a statement costs about half a millisecond before the
database sees it (cursor objects, result metadata, row processors, several hops to aiosqlite's
thread); a lineage walk of a few dozen nodes costs SQLite a tenth of that. These statements are
plain SQL with positional parameters in the driver's own style, rows come back as the driver's
tuples, and the engine's `before_cursor_execute` listeners still see each statement, so
statement counting and tracing treat them like every other. On SQLite they run on the calling
thread, without the trip to aiosqlite's worker thread; reads outside any transaction on a SQLite
file go to a connection of the thread's own that stays open, without a trip through the pool.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import await_only, greenlet_spawn


async def fetch_rows(
    connection: AsyncConnection, statement: str, parameters: Sequence[Any]
) -> Sequence[Sequence[Any]]:
    """Every row of one read, on the connection's own driver connection (and its transaction, if any)."""
    sync = connection.sync_connection
    if sync is not None:
        _announce(sync, sync, statement, parameters)
    if sync is not None and not sync.closed and not sync.invalidated:
        # Checked out and valid: the pooled connection is at hand, without a greenlet hop.
        raw = sync.connection
    else:
        raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if connection.dialect.name == "postgresql":
        rows: Sequence[Sequence[Any]] = await driver.fetch(statement, *parameters)
        return rows
    return _sqlite_rows(driver, statement, parameters)


async def fetch_rows_pooled(
    engine: AsyncEngine, statement: str, parameters: Sequence[Any]
) -> Sequence[Sequence[Any]]:
    """Every row of one read on a connection of the engine's pool, taken and given back in one trip.

    Opening an AsyncConnection and closing it cost two trips into SQLAlchemy's greenlet and a
    Connection object (0.124 against 0.089 ms for a 23-node walk, measured); here checkout, read
    and checkin (with the pool's reset) run in one. On a SQLite file even that is skipped: the
    read runs on the thread's own reader (see `_reader`). There is no Connection: the engine's
    `before_cursor_execute` listeners are called with None in its place.
    """
    sync_engine = engine.sync_engine
    reader = _reader(sync_engine)
    if reader is not None:
        _announce(sync_engine, None, statement, parameters)
        found: Sequence[Sequence[Any]] = reader.execute(statement, parameters).fetchall()
        return found
    return await greenlet_spawn(_pooled_read, sync_engine, statement, parameters)


def _pooled_read(engine: Engine, statement: str, parameters: Sequence[Any]) -> Sequence[Sequence[Any]]:
    _announce(engine, None, statement, parameters)
    pooled = engine.raw_connection()
    try:
        driver: Any = pooled.driver_connection
        if engine.dialect.name == "postgresql":
            rows: Sequence[Sequence[Any]] = await_only(driver.fetch(statement, *parameters))
            return rows
        return _sqlite_rows(driver, statement, parameters)
    finally:
        pooled.close()


def _sqlite_rows(driver: Any, statement: str, parameters: Sequence[Any]) -> Sequence[Sequence[Any]]:
    """The rows of a read on aiosqlite's connection, run on this thread on the sqlite3 connection it wraps.

    A trip to aiosqlite's own thread and back cost about 0.1 ms (measured), as much as a whole
    lineage walk of a few dozen nodes; the connection is checked out to this caller, so nothing
    else runs on it meanwhile, and graph.db opens it with check_same_thread=False. Readers never
    wait for writers under WAL, so the event loop is held only for the read itself.
    """
    found: Sequence[Sequence[Any]] = driver._conn.execute(statement, parameters).fetchall()
    return found


def _announce(
    events: Connection | Engine, connection: Connection | None, statement: str, parameters: Sequence[Any]
) -> None:
    """Call the `before_cursor_execute` listeners of `events` as SQLAlchemy would (no cursor, no context)."""
    for listener in events.dispatch.before_cursor_execute:
        listener(connection, None, statement, parameters, None, False)


class _Readers(threading.local):
    connection: sqlite3.Connection | None = None


# Per engine: its readers by thread, and every one opened (to close them when it is disposed).
_readers: weakref.WeakKeyDictionary[Engine, tuple[_Readers, list[sqlite3.Connection]]] = (
    weakref.WeakKeyDictionary()
)
_readers_lock = threading.Lock()
# URL options that do not change what a separate connection to the same file reads.
_PLAIN_OPTIONS = frozenset({"check_same_thread"})


def _reader(engine: Engine) -> sqlite3.Connection | None:
    """The calling thread's read-only connection to the engine's SQLite file, or None (not a file).

    A pool checkout and checkin cost about 20 µs (measured on a 23-node walk: 84 against 62 µs for
    the statement alone). Outside a transaction each statement reads the newest committed state
    under WAL, as a pooled connection would; `query_only` makes sure nothing is ever written here.
    The engine's `engine_disposed` event closes them all.
    """
    held = _readers.get(engine)
    if held is not None and held[0].connection is not None:
        return held[0].connection
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if not set(url.query) <= _PLAIN_OPTIONS:
        return None  # URI filenames, shared caches and such: left to the pool's connections
    with _readers_lock:
        held = _readers.setdefault(engine, (_Readers(), []))
        if not event.contains(engine, "engine_disposed", _close_readers):
            event.listen(engine, "engine_disposed", _close_readers)
        connection = sqlite3.connect(url.database, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("PRAGMA query_only=ON")
        held[0].connection = connection
        held[1].append(connection)
    return connection


def _close_readers(engine: Engine) -> None:
    held = _readers.pop(engine, None)
    if held is None:
        return
    for connection in held[1]:
        connection.close()
