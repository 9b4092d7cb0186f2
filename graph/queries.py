"""Set-based reads of entities and teams: filtered pages, and related pages per parent.

Every function issues one statement whatever the number of keys or parents it is given. Keys,
parent ids, cursors and page sizes are bound parameters, so each statement is built once per shape
(relation, filter, order) and reused: building SQLAlchemy selectables costs more than running them.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import CTE, ColumnElement, Row, Select, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.models import edge_table as edge
from graph.models import entity_table as entity
from graph.models import team_table as team
from graph.pages import (
    Page,
    PageRequest,
    Shape,
    single_page,
    single_page_query,
    split_pages,
    windowed_page_query,
)

# Entity rows come with their owner team's columns: `owner` is asked for on almost every entity,
# and a join on the team's primary key is cheaper than a second round trip.
owner = team.alias("owner")
OWNER_COLUMNS = (
    owner.c.key.label("owner_key"),
    owner.c.name.label("owner_name"),
    owner.c.parent_id.label("owner_parent_id"),
    owner.c.properties.label("owner_properties"),
)
ENTITY_WITH_OWNER = entity.outerjoin(owner, owner.c.id == entity.c.owner_id)


def select_entities(*extra: Any) -> Select[Any]:
    """Entity columns, owner columns, then `extra`, from entities joined to their owner."""
    return select(*extra, entity, *OWNER_COLUMNS).select_from(ENTITY_WITH_OWNER)


@dataclass(frozen=True)
class EntityFilter:
    """Conditions on entities; `attributes` are type-specific columns compared for equality."""

    name_contains: str | None = None
    owner: str | None = None
    system: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    attributes: tuple[tuple[str, str], ...] = ()


NO_FILTER = EntityFilter()


@dataclass(frozen=True)
class Hop:
    """One step along edges of a kind, downstream (source to target) or upstream."""

    kind: str
    downstream: bool


Relation = tuple[Hop, ...]


def owned_subtree(roots: Select[Any]) -> CTE:
    """(root_id, team_id) for every team under each root, the root included.

    UNION (not UNION ALL) keeps the walk finite even if team parents ever formed a cycle.
    """
    subtree = roots.cte("subtree", recursive=True)
    child = team.alias("child")
    return subtree.union(select(subtree.c.root_id, child.c.id).where(child.c.parent_id == subtree.c.team_id))


LIKE_ESCAPE = "/"


def _like_escaped(text: str) -> str:
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def filter_conditions(entities: Any, where: EntityFilter) -> list[ColumnElement[bool]]:
    """SQL conditions for a filter on a selectable that has the entity columns."""
    conditions: list[ColumnElement[bool]] = []
    if where.name_contains:
        # Both sides folded by the database, so they agree whatever it does with non-ASCII letters.
        pattern = literal(f"%{_like_escaped(where.name_contains)}%")
        conditions.append(func.lower(entities.c.name).like(func.lower(pattern), escape=LIKE_ESCAPE))
    if where.owner is not None:
        roots = select(team.c.id.label("root_id"), team.c.id.label("team_id")).where(
            team.c.key == where.owner
        )
        subtree = owned_subtree(roots)
        conditions.append(entities.c.owner_id.in_(select(subtree.c.team_id)))
    if where.system is not None:
        conditions.append(entities.c.system == where.system)
    if where.created_after is not None:
        conditions.append(entities.c.created_at > where.created_after)
    if where.created_before is not None:
        conditions.append(entities.c.created_at < where.created_before)
    for column, value in where.attributes:
        conditions.append(entities.c[column] == value)
    return conditions


STATEMENT_CACHE_SIZE = 256


async def _rows(
    connection: AsyncConnection, statement: Select[Any], values: dict[str, Any]
) -> Sequence[Row[Any]]:
    result = await connection.execute(statement, values)
    rows: Sequence[Row[Any]] = result.all()
    return rows


def _typed_entities(entity_type: str, where: EntityFilter) -> Select[Any]:
    return select_entities().where(entity.c.type == entity_type, *filter_conditions(entity, where))


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _entity_page_statement(entity_type: str, where: EntityFilter, shape: Shape) -> Select[Any]:
    return single_page_query(_typed_entities(entity_type, where).subquery("rows"), shape)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _entity_count_statement(entity_type: str, where: EntityFilter) -> Select[Any]:
    return select(func.count()).select_from(_typed_entities(entity_type, where).subquery("rows"))


async def entity_page(
    connection: AsyncConnection, entity_type: str, where: EntityFilter, request: PageRequest
) -> Page:
    """One page of the entities of a type (a root connection)."""
    statement = _entity_page_statement(entity_type, where, request.shape)
    return single_page(await _rows(connection, statement, request.parameters()), request)


async def entity_count(connection: AsyncConnection, entity_type: str, where: EntityFilter) -> int:
    result = await connection.execute(_entity_count_statement(entity_type, where))
    return int(result.scalar_one())


def related_pairs(relation: Relation) -> Select[Any]:
    """(parent, child_id) for every entity reached from a parent (`parent_ids`) along the relation.

    A one-hop relation also carries the edge's traffic_percent and role; longer ones are made
    distinct, since several paths may reach the same entity.
    """
    first = relation[0]
    hop = edge.alias("hop0")
    start = hop.c.source_id if first.downstream else hop.c.target_id
    end = hop.c.target_id if first.downstream else hop.c.source_id
    joined: Any = hop
    conditions: list[ColumnElement[bool]] = [
        hop.c.kind == first.kind,
        start.in_(bindparam("parent_ids", expanding=True)),
    ]
    for index, step in enumerate(relation[1:], start=1):
        following = edge.alias(f"hop{index}")
        near = following.c.source_id if step.downstream else following.c.target_id
        joined = joined.join(following, near == end)
        conditions.append(following.c.kind == step.kind)
        end = following.c.target_id if step.downstream else following.c.source_id
    if len(relation) == 1:
        return select(start.label("parent"), end.label("child_id"), hop.c.traffic_percent, hop.c.role).where(
            *conditions
        )
    return (
        select(
            start.label("parent"),
            end.label("child_id"),
            literal(None).label("traffic_percent"),
            literal(None).label("role"),
        )
        .select_from(joined)
        .where(*conditions)
        .distinct()
    )


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _related_statement(relation: Relation, where: EntityFilter, shape: Shape) -> Select[Any]:
    pairs = related_pairs(relation).subquery("pairs")
    rows = (
        select_entities(pairs.c.parent, pairs.c.traffic_percent, pairs.c.role)
        .join(pairs, entity.c.id == pairs.c.child_id)
        .where(*filter_conditions(entity, where))
        .subquery("rows")
    )
    return windowed_page_query(rows, "parent", shape)


async def related_entity_pages(
    connection: AsyncConnection,
    relation: Relation,
    parent_ids: Sequence[int],
    where: EntityFilter,
    request: PageRequest,
) -> dict[Hashable, Page]:
    """One page of related entities per parent entity id, in one windowed statement."""
    statement = _related_statement(relation, where, request.shape)
    values = {**request.parameters(), "parent_ids": list(parent_ids)}
    return split_pages(await _rows(connection, statement, values), "parent", request)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _team_entities_statement(
    entity_types: tuple[str, ...] | None, where: EntityFilter, shape: Shape
) -> Select[Any]:
    roots = select(team.c.id.label("root_id"), team.c.id.label("team_id")).where(
        team.c.id.in_(bindparam("team_ids", expanding=True))
    )
    subtree = owned_subtree(roots)
    conditions = filter_conditions(entity, where)
    if entity_types is not None:
        conditions.append(entity.c.type.in_(entity_types))
    rows = (
        select_entities(subtree.c.root_id.label("parent"))
        .join(subtree, entity.c.owner_id == subtree.c.team_id)
        .where(*conditions)
        .subquery("rows")
    )
    return windowed_page_query(rows, "parent", shape)


async def team_entity_pages(
    connection: AsyncConnection,
    team_ids: Sequence[int],
    entity_types: tuple[str, ...] | None,
    where: EntityFilter,
    request: PageRequest,
) -> dict[Hashable, Page]:
    """One page per team of the entities owned by the team or any team under it."""
    statement = _team_entities_statement(entity_types, where, request.shape)
    values = {**request.parameters(), "team_ids": list(team_ids)}
    return split_pages(await _rows(connection, statement, values), "parent", request)


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _team_page_statement(shape: Shape) -> Select[Any]:
    return single_page_query(select(team).subquery("rows"), shape)


async def team_page(connection: AsyncConnection, request: PageRequest) -> Page:
    """One page of all teams (the root `teams` connection)."""
    rows = await _rows(connection, _team_page_statement(request.shape), request.parameters())
    return single_page(rows, request)


async def team_count(connection: AsyncConnection) -> int:
    result = await connection.execute(select(func.count()).select_from(team))
    return int(result.scalar_one())


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _child_teams_statement(shape: Shape) -> Select[Any]:
    rows = select(team.c.parent_id.label("parent"), team).where(
        team.c.parent_id.in_(bindparam("parent_ids", expanding=True))
    )
    return windowed_page_query(rows.subquery("rows"), "parent", shape)


async def child_team_pages(
    connection: AsyncConnection, parent_ids: Sequence[int], request: PageRequest
) -> dict[Hashable, Page]:
    """One page of direct child teams per parent team id."""
    statement = _child_teams_statement(request.shape)
    values = {**request.parameters(), "parent_ids": list(parent_ids)}
    return split_pages(await _rows(connection, statement, values), "parent", request)
