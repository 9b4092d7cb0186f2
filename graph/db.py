"""Engines and transactions: SQLite pragmas, one writer at a time, migrations on open."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolResetState
from sqlalchemy.util import await_only

DEFAULT_URL = "sqlite+aiosqlite:///./aigraph.db"
MIGRATIONS = Path(__file__).with_name("migrations")
if TYPE_CHECKING:
    from alembic.config import Config

# Any constant works: every aigraph writer takes the same PostgreSQL advisory lock.
WRITER_LOCK_ID = 0x616967726170


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else AIGRAPH_DATABASE_URL, else ./aigraph.db."""
    return explicit or os.environ.get("AIGRAPH_DATABASE_URL") or DEFAULT_URL


def dump_json(value: Any) -> str:
    """JSON text for a column; integers beyond 64 bits, which orjson refuses, go through the stdlib."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def is_sqlite(engine: AsyncEngine | AsyncConnection) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str | None = None, **options: Any) -> AsyncEngine:
    """An async engine with aigraph's connection settings for its dialect."""
    options.setdefault("json_serializer", dump_json)
    options.setdefault("json_deserializer", orjson.loads)
    url = database_url(url)
    sqlite = url.startswith("sqlite")
    if sqlite:
        # Reset on return is done by on_reset below, only when there is something to roll back.
        options.setdefault("pool_reset_on_return", None)
        # graph.driver reads on the event loop's thread through the connection aiosqlite opened in
        # its own; connect_args win over the URL's query, so a URL cannot turn the check back on.
        options["connect_args"] = {**options.get("connect_args", {}), "check_same_thread": False}
    engine = create_async_engine(url, **options)
    if sqlite:
        _configure_sqlite(engine)
    else:
        _configure_postgresql(engine)
    return engine


# The cost PostgreSQL plans a random page read at, against 1 for a page read in sequence, for our
# sessions when the server leaves it at its default of 4 (set for spinning disks). A lineage walk
# reaches an unknown number of nodes, and at 4 the planner hash-joins the whole edge and entity
# tables of a small graph instead of probing their indexes: BOTH walks of 14 to 87 nodes on the
# 1000-model demo took 4.2-5.8 ms, and take 0.46-1.5 ms at 1.1 (the usual value for SSDs and for
# data that fits in memory); on the 10000-model demo walks stay within about 10 % (measured).
RANDOM_PAGE_COST = "1.1"
# A value the operator set (server, database, role) is theirs: only the built-in default is replaced.
_SET_RANDOM_PAGE_COST = (
    "SELECT set_config('random_page_cost', $1, false) FROM pg_settings"
    " WHERE name = 'random_page_cost' AND source = 'default'"
)


def _configure_postgresql(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        await_only(dbapi_connection.driver_connection.fetch(_SET_RANDOM_PAGE_COST, RANDOM_PAGE_COST))


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun by hand below, so pysqlite must not begin them itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "reset")
    def on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        # Every rollback is a trip to aiosqlite's thread; a connection back from a read outside any
        # transaction (most requests) has nothing to roll back, and sqlite3 knows it without a trip.
        if not state.terminate_only and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A writer takes the write lock up front, so it never fails to upgrade a read lock halfway.
        writing = connection.get_execution_options().get("aigraph_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One all-or-nothing write; concurrent writers wait for each other instead of failing."""
    async with engine.connect() as connection:
        connection = await connection.execution_options(aigraph_write=True)
        async with connection.begin():
            if not is_sqlite(connection):
                await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": WRITER_LOCK_ID})
            yield connection


def head_revision() -> str:
    """The newest migration, read from the file names (NNNN_description.py) without loading Alembic."""
    names = (path.name for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return max(name[:4] for name in names)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        try:
            return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        except DBAPIError:
            return None  # an empty database: no version table yet


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (every command does this on start).

    An up-to-date database costs one query; Alembic is loaded only when there is work to do. A
    SQLite file that holds nothing yet gets the schema the migrations would leave in it, replayed
    from `graph.sqlite_schema` in a few milliseconds.
    """
    if await current_revision(engine) == head_revision():
        return
    async with write_transaction(engine) as connection:
        if not await _replayed(connection):
            await connection.run_sync(_upgrade)


async def migrate(engine: AsyncEngine) -> None:
    """Run the migrations up to the newest, whatever the database holds (no replayed schema)."""
    async with write_transaction(engine) as connection:
        await connection.run_sync(_upgrade)


async def _replayed(connection: AsyncConnection) -> bool:
    """Replay the stored schema when the database is a SQLite file holding nothing yet."""
    if not is_sqlite(connection):
        return False
    # Checked inside the write transaction: a second process opening the same new file waits for
    # the first, then finds its schema.
    found = await connection.exec_driver_sql("SELECT count(*) FROM sqlite_master")
    if found.scalar_one() != 0:
        return False
    from graph.sqlite_schema import stored

    schema = stored()
    if schema.revision != head_revision():
        return False
    for statement in schema.statements:
        await connection.exec_driver_sql(statement)
    return True


async def open_engine(url: str | None = None) -> AsyncEngine:
    """An engine on an up-to-date schema."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
    except BaseException:
        # Disposed at once, so no driver thread outlives the caller's event loop.
        await engine.dispose()
        raise
    return engine
