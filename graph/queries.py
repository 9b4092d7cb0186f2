"""Set-based reads of entities and teams: by key or id, filtered pages, and related pages per parent.

Every function issues one statement whatever the number of keys or parents it is given.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, ColumnElement, Row, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.models import edge_table as edge
from graph.models import entity_table as entity
from graph.models import team_table as team
from graph.pages import Page, PageRequest, single_page, single_page_query, split_pages, windowed_page_query


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


def filter_conditions(entities: Any, where: EntityFilter) -> list[ColumnElement[bool]]:
    """SQL conditions for a filter on a selectable that has the entity columns."""
    conditions: list[ColumnElement[bool]] = []
    if where.name_contains:
        conditions.append(func.lower(entities.c.name).contains(where.name_contains.lower(), autoescape=True))
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


async def entities_by_keys(connection: AsyncConnection, keys: Iterable[str]) -> Sequence[Row[Any]]:
    result = await connection.execute(select(entity).where(entity.c.key.in_(list(keys))))
    return result.all()


async def entities_by_ids(connection: AsyncConnection, ids: Iterable[int]) -> Sequence[Row[Any]]:
    result = await connection.execute(select(entity).where(entity.c.id.in_(list(ids))))
    return result.all()


async def teams_by_keys(connection: AsyncConnection, keys: Iterable[str]) -> Sequence[Row[Any]]:
    result = await connection.execute(select(team).where(team.c.key.in_(list(keys))))
    return result.all()


async def teams_by_ids(connection: AsyncConnection, ids: Iterable[int]) -> Sequence[Row[Any]]:
    result = await connection.execute(select(team).where(team.c.id.in_(list(ids))))
    return result.all()


def _typed_entities(entity_type: str, where: EntityFilter) -> Select[Any]:
    return select(entity).where(entity.c.type == entity_type, *filter_conditions(entity, where))


async def entity_page(
    connection: AsyncConnection, entity_type: str, where: EntityFilter, request: PageRequest
) -> Page:
    """One page of the entities of a type (a root connection)."""
    rows = _typed_entities(entity_type, where).subquery("rows")
    result = await connection.execute(single_page_query(rows, request))
    return single_page(result.all(), request)


async def entity_count(connection: AsyncConnection, entity_type: str, where: EntityFilter) -> int:
    rows = _typed_entities(entity_type, where).subquery("rows")
    result = await connection.execute(select(func.count()).select_from(rows))
    return int(result.scalar_one())


def related_pairs(relation: Relation, parent_ids: Sequence[int]) -> Any:
    """(parent, child_id) for every entity reached from a parent along the relation's hops.

    A one-hop relation also carries the edge's traffic_percent and role; longer ones are made
    distinct, since several paths may reach the same entity.
    """
    first = relation[0]
    hop = edge.alias("hop0")
    start = hop.c.source_id if first.downstream else hop.c.target_id
    end = hop.c.target_id if first.downstream else hop.c.source_id
    joined: Any = hop
    conditions: list[ColumnElement[bool]] = [hop.c.kind == first.kind, start.in_(list(parent_ids))]
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


async def related_entity_pages(
    connection: AsyncConnection,
    relation: Relation,
    parent_ids: Sequence[int],
    where: EntityFilter,
    request: PageRequest,
) -> dict[Hashable, Page]:
    """One page of related entities per parent entity id, in one windowed statement."""
    pairs = related_pairs(relation, parent_ids).subquery("pairs")
    rows = (
        select(pairs.c.parent, pairs.c.traffic_percent, pairs.c.role, entity)
        .join_from(pairs, entity, entity.c.id == pairs.c.child_id)
        .where(*filter_conditions(entity, where))
        .subquery("rows")
    )
    result = await connection.execute(windowed_page_query(rows, "parent", request))
    return split_pages(result.all(), "parent", request)


async def team_entity_pages(
    connection: AsyncConnection,
    team_ids: Sequence[int],
    entity_types: Sequence[str] | None,
    where: EntityFilter,
    request: PageRequest,
) -> dict[Hashable, Page]:
    """One page per team of the entities owned by the team or any team under it."""
    roots = select(team.c.id.label("root_id"), team.c.id.label("team_id")).where(
        team.c.id.in_(list(team_ids))
    )
    subtree = owned_subtree(roots)
    conditions = filter_conditions(entity, where)
    if entity_types is not None:
        conditions.append(entity.c.type.in_(list(entity_types)))
    rows = (
        select(subtree.c.root_id.label("parent"), entity)
        .join_from(subtree, entity, entity.c.owner_id == subtree.c.team_id)
        .where(*conditions)
        .subquery("rows")
    )
    result = await connection.execute(windowed_page_query(rows, "parent", request))
    return split_pages(result.all(), "parent", request)


async def team_page(connection: AsyncConnection, request: PageRequest) -> Page:
    """One page of all teams (the root `teams` connection)."""
    rows = select(team).subquery("rows")
    result = await connection.execute(single_page_query(rows, request))
    return single_page(result.all(), request)


async def team_count(connection: AsyncConnection) -> int:
    result = await connection.execute(select(func.count()).select_from(team))
    return int(result.scalar_one())


async def child_team_pages(
    connection: AsyncConnection, parent_ids: Sequence[int], request: PageRequest
) -> dict[Hashable, Page]:
    """One page of direct child teams per parent team id."""
    rows = select(team.c.parent_id.label("parent"), team).where(team.c.parent_id.in_(list(parent_ids)))
    result = await connection.execute(windowed_page_query(rows.subquery("rows"), "parent", request))
    return split_pages(result.all(), "parent", request)
