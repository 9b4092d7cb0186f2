"""Root fields `lineage` and `search`: arguments checked and handed to graph.lineage and graph.search.

A lineage answer comes from the walk (one statement): serialized straight from it by
api.lineage_direct when the selection allows, else built by api.lineage_answer, with the full rows
of its entities (one more statement) only when the selection reads stored attributes beyond key
and name.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.context import Info
from api.errors import UserError
from api.lineage_answer import lineage_answer, needs_rows, selected_entity_field_names
from api.lineage_direct import WalkedLineage
from api.types.described import resolver
from api.types.entities import Entity, build_entity
from api.types.enums import EntityType
from api.types.lineage import Lineage, LineageDirection
from graph.lineage import MAX_DEPTH, MAX_LIMIT, Direction, LineageError, LineageRows, walk_lineage_rows
from graph.lookups import entities_by_ids
from graph.search import MAX_FIRST, SearchLimitError, search_entities

DEFAULT_DEPTH = 3
DEFAULT_LIMIT = 1000
DEFAULT_SEARCH_FIRST = 20
DIRECTIONS: dict[LineageDirection, Direction] = {
    LineageDirection.UPSTREAM: "UPSTREAM",
    LineageDirection.DOWNSTREAM: "DOWNSTREAM",
    LineageDirection.BOTH: "BOTH",
}

Types = Annotated[
    list[EntityType] | None,
    strawberry.argument(description="Only entities of these types (default: all); `[]` matches none."),
]


def _type_names(types: list[EntityType] | None) -> list[str] | None:
    return None if types is None else [str(kind.value) for kind in types]


async def walked(
    connection: AsyncConnection | AsyncEngine,
    key: str,
    direction: LineageDirection | None,
    depth: int | None,
    types: list[EntityType] | None,
    limit: int | None,
) -> LineageRows:
    """The walk `lineage` answers from, for its arguments as the resolver receives them (on a
    connection of the engine's pool of its own when given the engine)."""
    # An explicit null means the default, as an absent argument does.
    walk = DIRECTIONS[direction or LineageDirection.UPSTREAM]
    hops = DEFAULT_DEPTH if depth is None else depth
    most = DEFAULT_LIMIT if limit is None else limit
    try:
        return await walk_lineage_rows(connection, key, walk, hops, _type_names(types), most)
    except LineageError as error:
        raise UserError(f"lineage: {error}") from error


@strawberry.type(description="Lineage walks and search.")
class LineageQuery:
    @resolver(
        description=(
            "The subgraph within `depth` hops of an entity: where it came from (UPSTREAM), "
            "what it affects (DOWNSTREAM) or both. Walked in the database, bounded by `depth` and `limit`."
        )
    )
    async def lineage(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="Key of the root entity.")],
        direction: Annotated[
            LineageDirection | None,
            strawberry.argument(description="Which way to walk from the root (null: UPSTREAM)."),
        ] = LineageDirection.UPSTREAM,
        depth: Annotated[
            int | None,
            strawberry.argument(
                description=f"Most hops from the root, 0 to {MAX_DEPTH} (null: {DEFAULT_DEPTH})."
            ),
        ] = DEFAULT_DEPTH,
        types: Annotated[
            list[EntityType] | None,
            strawberry.argument(
                description=(
                    "Return only nodes of these types (default: all); the walk still passes through "
                    "every type. `[]` returns no nodes."
                )
            ),
        ] = None,
        limit: Annotated[
            int | None,
            strawberry.argument(
                description=(
                    f"Most nodes returned, 0 to {MAX_LIMIT} (null: {DEFAULT_LIMIT}); "
                    "more matches set `truncated`."
                )
            ),
        ] = DEFAULT_LIMIT,
    ) -> Lineage:
        names = selected_entity_field_names(info)
        async with info.context.engine.connect() as connection:
            walk = await walked(connection, key, direction, depth, types, limit)
            if not needs_rows(names, info.schema.config.name_converter):
                # Served from the walk itself, most often without an object per entity.
                return WalkedLineage(walk, with_ids="id" in names)
            result = walk.result()
            ids = [result.root.id, *(node.entity.id for node in result.nodes)]
            rows = await entities_by_ids(connection, ids)
        return lineage_answer(result, rows)

    @resolver(
        description=(
            "Entities whose key or name matches `query` (ignoring case), best first: the exact key, "
            "then keys or names starting with it, then containing it; ties by key."
        )
    )
    async def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="Text to find in keys and names.")],
        types: Types = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"Most results, 0 to {MAX_FIRST} (default {DEFAULT_SEARCH_FIRST})."
            ),
        ] = None,
    ) -> list[Entity]:
        wanted = DEFAULT_SEARCH_FIRST if first is None else first
        try:
            rows = await search_entities(info.context.engine, query, _type_names(types), wanted)
        except SearchLimitError as error:
            raise UserError(f"search: {error}") from error
        return [build_entity(row) for row in rows]
