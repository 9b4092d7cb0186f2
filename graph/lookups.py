"""Entities and teams by lists of keys or row ids: one statement whatever the list's length.

These are the reads behind `entity(key)`, `node(id)`, owners, parents and a lineage answer's full
rows, asked on nearly every request: each is written once per dialect and sent straight to the
driver (graph.driver_select), rows typed as SQLAlchemy types them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Dialect, Row, Select, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graph.driver_select import DriverSelect, in_list, list_value
from graph.models import entity_table as entity
from graph.models import team_table as team
from graph.queries import select_entities

Listed = Callable[[bool], Select[Any]]


def _entities_where(column: ColumnElement[Any]) -> Listed:
    return lambda postgresql: select_entities().where(in_list(column, "listed", postgresql))


def _teams_where(column: ColumnElement[Any]) -> Listed:
    return lambda postgresql: select(team).where(in_list(column, "listed", postgresql))


ENTITIES_BY_KEYS = _entities_where(entity.c.key)
ENTITIES_BY_IDS = _entities_where(entity.c.id)
TEAMS_BY_KEYS = _teams_where(team.c.key)
TEAMS_BY_IDS = _teams_where(team.c.id)


@lru_cache(maxsize=64)
def _compiled(listed: Listed, dialect: Dialect) -> DriverSelect:
    return DriverSelect.compile(listed(dialect.name == "postgresql"), dialect)


async def _rows(
    connection_or_engine: AsyncConnection | AsyncEngine, listed: Listed, values: Iterable[Any]
) -> Sequence[Row[Any]]:
    dialect = connection_or_engine.dialect
    value = list_value(list(values), dialect.name == "postgresql")
    return await _compiled(listed, dialect).rows(connection_or_engine, {"listed": value})


async def entities_by_keys(
    connection_or_engine: AsyncConnection | AsyncEngine, keys: Iterable[str]
) -> Sequence[Row[Any]]:
    return await _rows(connection_or_engine, ENTITIES_BY_KEYS, keys)


async def entities_by_ids(
    connection_or_engine: AsyncConnection | AsyncEngine, ids: Iterable[int]
) -> Sequence[Row[Any]]:
    return await _rows(connection_or_engine, ENTITIES_BY_IDS, ids)


async def teams_by_keys(
    connection_or_engine: AsyncConnection | AsyncEngine, keys: Iterable[str]
) -> Sequence[Row[Any]]:
    return await _rows(connection_or_engine, TEAMS_BY_KEYS, keys)


async def teams_by_ids(
    connection_or_engine: AsyncConnection | AsyncEngine, ids: Iterable[int]
) -> Sequence[Row[Any]]:
    return await _rows(connection_or_engine, TEAMS_BY_IDS, ids)
