"""`aigraph ingest` killed with SIGKILL at random moments: the database holds all of the batch or none.

The content compared leaves out created_at and updated_at, which record when a run happened to write.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from api.store import open_store
from graph.db import create_engine
from graph.demo import write_demo_jsonl
from graph.models import Base
from metrics.builtin import install_builtins
from tests.api.server_process import AIGRAPH

MOMENT_OF_RECORDING = {"created_at", "updated_at"}
TRIALS = 10

Content = dict[str, list[tuple[Any, ...]]]


async def _content(url: str) -> Content:
    engine = create_engine(url)
    try:
        content: Content = {}
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                columns = [column for column in table.columns if column.name not in MOMENT_OF_RECORDING]
                rows = (await connection.execute(select(*columns))).all()
                content[table.name] = sorted(tuple(repr(value) for value in row) for row in rows)
        return content
    finally:
        await engine.dispose()


async def _empty_store(url: str) -> None:
    """The state every command starts from: migrated, built-ins installed, nothing else."""
    engine = await open_store(url)
    try:
        if engine.dialect.name != "sqlite":
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            async with engine.begin() as connection:
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await install_builtins(engine)
    finally:
        await engine.dispose()


def _fresh(database_url: str, template: Path | None, trial: int, tmp_path: Path) -> str:
    """A database in the starting state: a copy of the SQLite template, or PostgreSQL emptied again."""
    if template is None:
        asyncio.run(_empty_store(database_url))
        return database_url
    copy = tmp_path / f"trial-{trial}.db"
    shutil.copyfile(template, copy)
    return f"sqlite+aiosqlite:///{copy}"


async def _postgresql_writer_active(url: str) -> bool:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
            return bool(await connection.scalar(query))
    finally:
        await engine.dispose()


def _writer_active(url: str) -> bool:
    """Whether a writer holds the write lock right now, i.e. its transaction is under way."""
    if not url.startswith("sqlite"):
        return asyncio.run(_postgresql_writer_active(url))
    connection = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"), timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def test_killed_ingest_leaves_all_of_the_batch_or_none(database_url: str, tmp_path: Path) -> None:
    demo = tmp_path / "demo.jsonl"
    write_demo_jsonl(demo, 100)
    sqlite = database_url.startswith("sqlite")
    template = None
    if sqlite:
        template = tmp_path / "template.db"
        asyncio.run(_empty_store(f"sqlite+aiosqlite:///{template}"))
    before_url = _fresh(database_url, template, -1, tmp_path)
    before = asyncio.run(_content(before_url))

    started = time.monotonic()
    subprocess.run(
        [str(AIGRAPH), "ingest", str(demo), "--database", before_url], check=True, capture_output=True
    )
    duration = time.monotonic() - started
    after = asyncio.run(_content(before_url))
    assert after != before

    # Moments spread over the second half of a whole run and a little past its end.
    moments = random.Random(20261123)
    outcomes: list[str] = []
    mid_write = 0
    for trial in range(TRIALS):
        url = _fresh(database_url, template, trial, tmp_path)
        process = subprocess.Popen(
            [str(AIGRAPH), "ingest", str(demo), "--database", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(moments.uniform(0.4, 1.3) * duration)
        mid_write += _writer_active(url)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        content = asyncio.run(_content(url))
        outcomes.append("all" if content == after else "none" if content == before else "partial")
    print(
        f"\n{'sqlite' if sqlite else 'postgresql'}: {len(outcomes)} kills during a {duration:.1f} s ingest: "
        f"{outcomes.count('all')} all, {outcomes.count('none')} none, {outcomes.count('partial')} partial; "
        f"{mid_write} while the write transaction was under way"
    )
    assert "partial" not in outcomes
