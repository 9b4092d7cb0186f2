"""The Node and Entity interfaces, Team, and turning stored rows into GraphQL objects."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import Row
from strawberry.scalars import JSON

from api.context import Info
from api.ids import global_id
from api.loaders import RelatedPageLoader
from api.pagination import After, Before, EntityOrder, First, Last, OrderBy, page_request
from api.types.connections import Connection, connection
from api.types.described import resolver
from api.types.enums import EntityType
from api.types.filters import AnyFilter, EntityFilter, graph_filter
from api.types.metrics import MetricResult, entity_metrics
from graph.pages import Order

# Filled by the module of each entity type, so rows of any type can be built from here.
ENTITY_CLASSES: dict[str, type[Entity]] = {}


@strawberry.interface(description="An object with a globally unique id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque and stable id; see `node(id)`.")


@strawberry.interface(description="A lineage entity: one of the seven types of the graph.")
class Entity(Node):
    key: str = strawberry.field(
        description="Unique key chosen by the source system, unique across all types."
    )
    name: str = strawberry.field(description="Human-readable name.")
    system: str | None = strawberry.field(description="The tool that reported this entity.")
    created_at: datetime = strawberry.field(description="When the entity was created (or first ingested).")
    updated_at: datetime = strawberry.field(description="When the entity last changed.")
    properties: JSON = strawberry.field(
        description="Free-form properties, including unknown fields ingested."
    )
    owner: Team | None = strawberry.field(description="The team that owns this entity.")
    metrics: list[MetricResult] = strawberry.field(
        resolver=entity_metrics,
        description="The latest value at or before asOf of each requested metric that applies to this type.",
    )
    row_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row[Any]) -> Entity:
        """The object of a stored entity row; each entity type builds its own."""
        raise NotImplementedError


def common_fields(row: Row[Any]) -> dict[str, Any]:
    """The constructor arguments every entity type shares."""
    values = row._mapping
    return {
        "id": strawberry.ID(global_id(values["type"], values["key"])),
        "key": values["key"],
        "name": values["name"],
        "system": values["system"],
        "created_at": values["created_at"],
        "updated_at": values["updated_at"],
        "properties": values["properties"],
        "owner": None if values["owner_id"] is None else Team.from_row(row, "owner_"),
        "row_id": values["id"],
    }


def build_entity(row: Row[Any]) -> Entity:
    return ENTITY_CLASSES[row._mapping["type"]].from_row(row)


async def related(
    loader: RelatedPageLoader,
    parent: Entity,
    where: EntityFilter | None,
    order_by: EntityOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    """A nested connection, loaded together with the same field of every sibling parent."""
    order = order_by.to_order() if order_by else Order()
    request = page_request(first, after, last, before, order)
    page = await loader.load(parent.row_id, (graph_filter(where), request))
    return connection(page, order, build_entity)


@strawberry.type(description="A team of the org > group > team hierarchy; entities are owned by teams.")
class Team(Node):
    key: str = strawberry.field(description="Unique team key.")
    name: str = strawberry.field(description="Human-readable name.")
    properties: JSON = strawberry.field(description="Free-form properties.")
    row_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row[Any], prefix: str = "") -> Team:
        """A team row, or with prefix `owner_` the owner columns that every entity row carries."""
        values = row._mapping
        key = values[f"{prefix}key"]
        return cls(
            id=strawberry.ID(global_id("Team", key)),
            key=key,
            name=values[f"{prefix}name"],
            properties=values[f"{prefix}properties"],
            row_id=values[f"{prefix}id"],
            parent_id=values[f"{prefix}parent_id"],
        )

    @resolver(description="The team this one belongs to; null for a top-level team.")
    async def parent(self, info: Info) -> Team | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.team_by_id.load(self.parent_id)
        return None if row is None else Team.from_row(row)

    @resolver(description="The teams directly under this one, by key.")
    async def children(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[Team]:
        order = Order()
        request = page_request(first, after, last, before, order)
        page = await info.context.loaders.child_teams_by_team_id.load(self.row_id, request)
        return connection(page, order, Team.from_row)

    @resolver(description="Entities owned by this team or any team under it.")
    async def entities(
        self,
        info: Info,
        types: Annotated[
            list[EntityType] | None,
            strawberry.argument(description="Only entities of these types (default: all)."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: AnyFilter = None,
        order_by: OrderBy = None,
    ) -> Connection[Entity]:
        order = order_by.to_order() if order_by else Order()
        request = page_request(first, after, last, before, order)
        type_names = None if types is None else tuple(sorted(str(kind.value) for kind in types))
        arguments = (type_names, graph_filter(filter), request)
        page = await info.context.loaders.entities_by_team_id.load(self.row_id, arguments)
        return connection(page, order, build_entity)
