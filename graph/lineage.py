"""Lineage: the bounded subgraph upstream or downstream of one entity, walked set-based in SQL.

A walk costs three statements whatever its fan-out: the root by key, one recursive query that
walks the edge table and returns the matching entities with their distances, and the edges
among the root and the returned nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Table,
    bindparam,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graph.models import Base

Direction = Literal["UPSTREAM", "DOWNSTREAM", "BOTH"]
DIRECTIONS: tuple[Direction, ...] = ("UPSTREAM", "DOWNSTREAM", "BOTH")
MAX_DEPTH = 20
MAX_LIMIT = 10_000

entity_table: Table = Base.metadata.tables["entity"]
edge_table: Table = Base.metadata.tables["edge"]


class LineageError(ValueError):
    """A lineage request that cannot be answered; the message is meant for the caller."""


class LineageRootNotFound(LineageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no entity with key {key!r}")
        self.key = key


class LineageLimitError(LineageError):
    """Depth or limit outside what one request may ask for."""


@dataclass(frozen=True, slots=True)
class LineageNode:
    entity: Row[Any]
    distance: int


@dataclass(frozen=True, slots=True)
class LineageEdge:
    source_key: str
    target_key: str
    kind: str


@dataclass(frozen=True, slots=True)
class LineageResult:
    root: Row[Any]
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool
    statements: int


async def walk_lineage(
    connection_or_engine: AsyncConnection | AsyncEngine,
    root_key: str,
    direction: Direction,
    depth: int,
    types: Sequence[str] | None,
    limit: int,
) -> LineageResult:
    """The nodes within `depth` hops of `root_key` (ordered by distance, key) and their edges.

    `types` filters the answer, never the walk; more than `limit` nodes keep the first `limit`
    and set `truncated`. Raises LineageRootNotFound or LineageLimitError.
    """
    _check_bounds(direction, depth, limit)
    if isinstance(connection_or_engine, AsyncEngine):
        async with connection_or_engine.connect() as connection:
            return await _walk(connection, root_key, direction, depth, types, limit)
    return await _walk(connection_or_engine, root_key, direction, depth, types, limit)


def _check_bounds(direction: str, depth: int, limit: int) -> None:
    if direction not in DIRECTIONS:
        raise LineageLimitError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if not 0 <= depth <= MAX_DEPTH:
        raise LineageLimitError(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    if not 0 <= limit <= MAX_LIMIT:
        raise LineageLimitError(f"limit must be between 0 and {MAX_LIMIT}, not {limit}")


async def _walk(
    connection: AsyncConnection,
    root_key: str,
    direction: Direction,
    depth: int,
    types: Sequence[str] | None,
    limit: int,
) -> LineageResult:
    root = (await connection.execute(select(entity_table).where(entity_table.c.key == root_key))).first()
    if root is None:
        raise LineageRootNotFound(root_key)
    statements = 1
    nodes: list[LineageNode] = []
    truncated = False
    if depth > 0 and (types is None or len(types) > 0):
        # One row more than asked for tells whether the answer was cut.
        query = _nodes_query(connection, root.id, direction, depth, types, limit + 1)
        rows = (await connection.execute(query)).all()
        statements += 1
        truncated = len(rows) > limit
        nodes = [LineageNode(entity=row, distance=row.distance) for row in rows[:limit]]
    ids = [root.id, *(node.entity.id for node in nodes)]
    edge_rows = (await connection.execute(_edges_query(connection), {"ids": ids})).all()
    statements += 1
    edges = [LineageEdge(row.source_key, row.target_key, row.kind) for row in edge_rows]
    return LineageResult(root=root, nodes=nodes, edges=edges, truncated=truncated, statements=statements)


def _directed_walk(name: str, root_id: int, depth: int, upstream: bool) -> CTE:
    """Every (entity id, hops) pair reachable by a walk of at most `depth` hops from the root.

    UNION (not UNION ALL) drops a pair already produced, so a node re-entered through a cycle or
    a second path at the same distance is not expanded again and the walk cannot hang: at most
    depth x reached-nodes pairs exist, never one per path.
    """
    near, far = (
        (edge_table.c.target_id, edge_table.c.source_id)
        if upstream
        else (edge_table.c.source_id, edge_table.c.target_id)
    )
    seed = select(literal(root_id, Integer).label("id"), literal(0, Integer).label("distance")).cte(
        name, recursive=True
    )
    step = (
        select(far.label("id"), (seed.c.distance + 1).label("distance"))
        .select_from(seed.join(edge_table, near == seed.c.id))
        .where(seed.c.distance < literal(depth, Integer))
    )
    return seed.union(step)


def _nodes_query(
    connection: AsyncConnection,
    root_id: int,
    direction: Direction,
    depth: int,
    types: Sequence[str] | None,
    limit: int,
) -> Any:
    walks = []
    if direction in ("UPSTREAM", "BOTH"):
        walks.append(_directed_walk("upstream_walk", root_id, depth, upstream=True))
    if direction in ("DOWNSTREAM", "BOTH"):
        walks.append(_directed_walk("downstream_walk", root_id, depth, upstream=False))
    pairs = union_all(*(select(walk.c.id, walk.c.distance) for walk in walks)).subquery("pairs")
    # BOTH is the union of two directed walks: a node reached both ways keeps its smaller distance.
    reached = (
        select(pairs.c.id, func.min(pairs.c.distance).label("distance"))
        .where(pairs.c.id != root_id)
        .group_by(pairs.c.id)
        .subquery("reached")
    )
    query = (
        select(entity_table, reached.c.distance)
        .join_from(reached, entity_table, entity_table.c.id == reached.c.id)
        .order_by(reached.c.distance, _by_key(connection, entity_table.c.key))
        .limit(limit)
    )
    if types is not None:
        query = query.where(entity_table.c.type.in_(list(types)))
    return query


def _edges_query(connection: AsyncConnection) -> Any:
    source = entity_table.alias("source")
    target = entity_table.alias("target")
    ids: BindParameter[int] = bindparam("ids", expanding=True)
    return (
        select(
            source.c.key.label("source_key"),
            target.c.key.label("target_key"),
            edge_table.c.kind,
        )
        .join_from(edge_table, source, source.c.id == edge_table.c.source_id)
        .join(target, target.c.id == edge_table.c.target_id)
        .where(edge_table.c.source_id.in_(ids), edge_table.c.target_id.in_(ids))
        .order_by(
            _by_key(connection, source.c.key),
            _by_key(connection, target.c.key),
            edge_table.c.kind,
        )
    )


def _by_key(connection: AsyncConnection, key: ColumnElement[Any]) -> ColumnElement[Any]:
    """Keys sort by code point everywhere: SQLite does so natively, PostgreSQL needs the C collation."""
    if connection.dialect.name == "postgresql":
        return cast(ColumnElement[Any], key.collate("C"))
    return key
