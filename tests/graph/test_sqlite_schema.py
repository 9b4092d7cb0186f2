"""A new SQLite file gets its schema replayed from graph/migrations/sqlite_schema.sql: the same
schema, byte for byte, as the migrations build, without loading Alembic."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy import text

from graph.db import create_engine, head_revision, migrate, open_engine
from graph.sqlite_schema import SCHEMA_FILE, dump, generated, parse, render, stored


def _dump(path: Path) -> list[str]:
    """Everything the file holds, schema and rows (FTS5's shadow tables included)."""
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


def test_the_stored_schema_is_what_the_migrations_build_now() -> None:
    assert stored() == generated(), f"{SCHEMA_FILE.name} is stale: run `python -m graph.sqlite_schema`"
    assert stored().revision == head_revision()


def test_the_file_parses_back_into_the_statements_it_was_rendered_from() -> None:
    schema = stored()
    assert parse(render(schema)) == schema
    # Trigger bodies hold semicolons of their own; each trigger is still one statement.
    triggers = [statement for statement in schema.statements if statement.startswith("CREATE TRIGGER")]
    assert len(triggers) == 3 and all(statement.endswith("END") for statement in triggers)
    assert f"INSERT OR REPLACE INTO \"alembic_version\" VALUES ('{head_revision()}')" in schema.statements


async def test_a_new_file_holds_exactly_what_the_migrations_leave(tmp_path: Path) -> None:
    replayed, migrated = tmp_path / "replayed.db", tmp_path / "migrated.db"
    await (await open_engine(f"sqlite+aiosqlite:///{replayed}")).dispose()
    engine = create_engine(f"sqlite+aiosqlite:///{migrated}")
    await migrate(engine)
    await engine.dispose()
    assert _dump(replayed) == _dump(migrated)
    with closing(sqlite3.connect(replayed)) as connection:
        assert dump(connection) == stored()


def test_opening_a_new_file_does_not_load_alembic(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from graph.db import open_engine\n"
        "async def main():\n"
        f"    await (await open_engine('sqlite+aiosqlite:///{tmp_path / 'new.db'}')).dispose()\n"
        "asyncio.run(main())\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    with closing(sqlite3.connect(tmp_path / "new.db")) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]


async def test_a_file_holding_other_tables_is_migrated_and_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('kept')")
        connection.commit()
    engine = await open_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT body FROM notes"))).all() == [("kept",)]
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == head_revision()
    finally:
        await engine.dispose()


async def test_alembic_takes_a_replayed_file_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command

    from graph.db import alembic_config

    path = tmp_path / "replayed.db"
    url = f"sqlite+aiosqlite:///{path}"
    await (await open_engine(url)).dispose()
    before = _dump(path)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:

            def down_and_up(sync: object) -> None:
                config = alembic_config()
                config.attributes["connection"] = sync
                command.downgrade(config, "0003")
                command.upgrade(config, "head")

            await connection.run_sync(down_and_up)
    finally:
        await engine.dispose()
    after = _dump(path)
    assert [line for line in after if "alembic_version" in line] == [
        line for line in before if "alembic_version" in line
    ]
    assert sorted(line for line in after if line.startswith("CREATE")) == sorted(
        line for line in before if line.startswith("CREATE")
    )
