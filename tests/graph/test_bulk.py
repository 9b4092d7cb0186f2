"""Bulk inserts: many rows to a statement, within each engine's parameter limit, ids returned."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph import bulk
from graph.demo import demo_records
from graph.ingest import ingest, record_list
from graph.models import entity_table, team_table
from graph.records import MAX_KEY_LENGTH, utf8_longer
from graph.timestamps import now


def team_rows(count: int) -> list[dict[str, Any]]:
    moment = now()
    return [
        {"key": f"team/{n:05d}", "name": f"Team {n}", "properties": {"n": n}, "created_at": moment}
        | {"updated_at": moment}
        for n in range(count)
    ]


class Statements:
    """The statements an engine sends while the block runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sent: list[str] = []

    def _record(self, *args: Any) -> None:
        self.sent.append(args[2])

    def __enter__(self) -> list[str]:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._record)
        return self.sent

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._record)


async def test_rows_beyond_one_statement_all_arrive_with_their_ids(engine: AsyncEngine) -> None:
    rows = team_rows(2500)
    with Statements(engine) as sent:
        async with engine.begin() as connection:
            returned = await bulk.insert_rows(connection, team_table, rows, returning=("key", "id"))
    inserts = [statement for statement in sent if statement.startswith("INSERT INTO team")]
    # Full statements, then the rest in powers of two: few statement texts to prepare and cache.
    assert [statement.count("(") - 1 for statement in inserts] == [1000, 1000, 256, 128, 64, 32, 16, 4]
    async with engine.connect() as connection:
        stored = (
            await connection.execute(select(team_table.c.key, team_table.c.id, team_table.c.properties))
        ).all()
    assert sorted(returned) == sorted((key, team_id) for key, team_id, _ in stored)
    assert len(returned) == 2500
    assert {key: properties["n"] for key, _, properties in stored}["team/01234"] == 1234


async def test_statements_stay_within_the_parameter_limit(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five columns per team row: a limit of 17 parameters leaves room for three rows a statement.
    monkeypatch.setattr(bulk, "SQLITE_PARAMETERS", 17)
    monkeypatch.setattr(bulk, "POSTGRESQL_PARAMETERS", 17)
    with Statements(engine) as sent:
        async with engine.begin() as connection:
            await bulk.insert_rows(connection, team_table, team_rows(7))
    inserts = [statement for statement in sent if statement.startswith("INSERT INTO team")]
    assert [statement.count("(") - 1 for statement in inserts] == [3, 3, 1]  # 7 = 3 + 3 + 1
    async with engine.connect() as connection:
        assert len((await connection.execute(select(team_table.c.id))).all()) == 7


async def test_a_new_batch_reads_no_entity_back_to_link_it(engine: AsyncEngine) -> None:
    """Edges and values of a batch's own entities use the ids its inserts returned."""
    # The demo's framework needs the built-in metrics, which graph/ does not install.
    records = [record for record in demo_records(30) if record["type"] != "MetricFramework"]
    with Statements(engine) as sent:
        summary = await ingest(engine, record_list(records))
    assert summary.of("MetricValue").created > 300
    reads = [statement for statement in sent if statement.startswith("SELECT") and "FROM entity" in statement]
    # One look for existing rows per chunk of 1000 entities, before they are written: no more.
    entities = sum(
        1
        for record in records
        if record["type"] not in ("Team", "MetricValue", "MetricDefinition", "MetricFramework")
    )
    assert len(reads) == -(-entities // 1000)
    async with engine.connect() as connection:
        stored = (await connection.execute(select(entity_table.c.key))).scalars().all()
    assert len(stored) == entities


def test_a_key_is_measured_in_utf8_bytes_only_when_it_could_be_too_long() -> None:
    assert not utf8_longer("a" * MAX_KEY_LENGTH, MAX_KEY_LENGTH)
    assert utf8_longer("a" * (MAX_KEY_LENGTH + 1), MAX_KEY_LENGTH)
    assert not utf8_longer("\U0001f600" * (MAX_KEY_LENGTH // 4), MAX_KEY_LENGTH)  # 4 bytes each
    assert utf8_longer("\U0001f600" * (MAX_KEY_LENGTH // 4 + 1), MAX_KEY_LENGTH)
    assert utf8_longer("\u00e9" * 513, MAX_KEY_LENGTH)  # 2 bytes each: 1026
    assert utf8_longer("\ud800" * 342, MAX_KEY_LENGTH)  # a lone surrogate passes through as 3 bytes
