"""Lineage: the bounded subgraph upstream or downstream of one entity, walked set-based in SQL.

A walk costs two statements whatever its fan-out: one recursive query that finds the root by
key, walks the edge table and returns the root and the matching entities with their distances,
then one for the edges among them. Both statements are built once per shape, with bound
parameters, so a request pays neither query construction nor compilation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, NamedTuple, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graph.models import edge_table, entity_table
from graph.queries import OWNER_COLUMNS, owner

Direction = Literal["UPSTREAM", "DOWNSTREAM", "BOTH"]
DIRECTIONS: tuple[Direction, ...] = ("UPSTREAM", "DOWNSTREAM", "BOTH")
MAX_DEPTH = 20
MAX_LIMIT = 10_000


class LineageError(ValueError):
    """A lineage request that cannot be answered; the message is meant for the caller."""


class LineageRootNotFound(LineageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no entity with key {key!r}")
        self.key = key


class LineageLimitError(LineageError):
    """Depth or limit outside what one request may ask for."""


class LineageNode(NamedTuple):
    """A reached entity (an entity row as graph.queries gives them, then `distance`) and its hops."""

    entity: Row[Any]
    distance: int


class LineageEdge(NamedTuple):
    source_key: str
    target_key: str
    kind: str


@dataclass(frozen=True, slots=True)
class LineageResult:
    """The root's row, the nodes by (distance, key), the induced edges by (source, target, kind)."""

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

    `types` (entity type names) filters the answer, never the walk; more than `limit` nodes keep
    the first `limit` and set `truncated`. Raises LineageRootNotFound or LineageLimitError.
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
    postgresql = connection.dialect.name == "postgresql"
    parameters: dict[str, Any] = {
        "root_key": root_key,
        # No type wanted: nothing to find, so the walk stops at the root.
        "depth": 0 if types is not None and len(types) == 0 else depth,
        # The root comes first (distance 0); one row past the limit tells whether the answer was cut.
        "row_limit": limit + 2,
    }
    if types is not None:
        parameters["types"] = list(types)
    statement = _nodes_statement(direction, types is not None, postgresql)
    rows = (await connection.execute(statement, parameters)).all()
    if not rows or rows[0].distance != 0:
        raise LineageRootNotFound(root_key)
    root, found = rows[0], rows[1:]
    # The distance is the last column of each row, the id the first.
    nodes = [LineageNode(row, row[-1]) for row in found[:limit]]
    ids = [root[0], *(row[0] for row in found[:limit])]
    edge_rows = await connection.execute(_edges_statement(postgresql), {"ids": ids})
    edges = [LineageEdge(*row) for row in edge_rows]
    return LineageResult(root=root, nodes=nodes, edges=edges, truncated=len(found) > limit, statements=2)


def _directed_walk(name: str, upstream: bool) -> CTE:
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
    seed = (
        select(entity_table.c.id.label("id"), literal_column("0", Integer).label("distance"))
        .where(entity_table.c.key == bindparam("root_key", type_=String))
        .cte(name, recursive=True)
    )
    step = (
        select(far.label("id"), (seed.c.distance + literal_column("1", Integer)).label("distance"))
        .select_from(seed.join(edge_table, near == seed.c.id))
        .where(seed.c.distance < bindparam("depth", type_=Integer))
    )
    return seed.union(step)


@cache
def _nodes_statement(direction: Direction, filtered: bool, postgresql: bool) -> Select[Any]:
    """The root (distance 0) and the reached entities of the wanted types, by distance and key."""
    walks = []
    if direction in ("UPSTREAM", "BOTH"):
        walks.append(_directed_walk("upstream_walk", upstream=True))
    if direction in ("DOWNSTREAM", "BOTH"):
        walks.append(_directed_walk("downstream_walk", upstream=False))
    pairs = union_all(*(select(walk.c.id, walk.c.distance) for walk in walks)).subquery("pairs")
    # BOTH is the union of two directed walks: a node reached both ways keeps its smaller distance,
    # and the root keeps 0 even when a cycle leads back to it.
    reached = (
        select(pairs.c.id, func.min(pairs.c.distance).label("distance"))
        .group_by(pairs.c.id)
        .subquery("reached")
    )
    # Rows have the shape of graph.queries' entity rows (owner team columns included), then distance.
    statement = (
        select(entity_table, *OWNER_COLUMNS, reached.c.distance)
        .join_from(reached, entity_table, entity_table.c.id == reached.c.id)
        .outerjoin(owner, owner.c.id == entity_table.c.owner_id)
        .order_by(reached.c.distance, _by_key(entity_table.c.key, postgresql))
        .limit(bindparam("row_limit", type_=Integer))
    )
    if filtered:
        wanted = entity_table.c.type.in_(bindparam("types", expanding=True, type_=String))
        statement = statement.where(or_(reached.c.distance == 0, wanted))
    return statement


@cache
def _edges_statement(postgresql: bool) -> Select[Any]:
    source = entity_table.alias("source")
    target = entity_table.alias("target")
    ids = bindparam("ids", expanding=True, type_=Integer)
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
            _by_key(source.c.key, postgresql),
            _by_key(target.c.key, postgresql),
            edge_table.c.kind,
        )
    )


def _by_key(key: ColumnElement[Any], postgresql: bool) -> ColumnElement[Any]:
    """Keys sort by code point everywhere: SQLite does so natively, PostgreSQL needs the C collation."""
    if postgresql:
        return cast(ColumnElement[Any], key.collate("C"))
    return key
