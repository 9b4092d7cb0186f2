"""Relay connections: generic Connection/Edge, the traffic-carrying edge of DEPLOYED_TO, PageInfo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Row

from api.ids import cursor
from api.types.described import resolver
from api.types.enums import DeploymentRole
from graph.pages import Order, Page, position_of

NodeType = TypeVar("NodeType")


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item of the page.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item of the page.")


@strawberry.type(description="An item of a list with its cursor.")
class Edge(Generic[NodeType]):
    cursor: str = strawberry.field(description="Opaque position of this item; pass it as after/before.")
    node: NodeType = strawberry.field(description="The item.")


@strawberry.type(
    description="A DEPLOYED_TO edge: an item with the traffic the binary serves in the deployment."
)
class TrafficEdge(Generic[NodeType]):
    cursor: str = strawberry.field(description="Opaque position of this item; pass it as after/before.")
    node: NodeType = strawberry.field(description="The item.")
    traffic_percent: float | None = strawberry.field(
        description="Share of the deployment's traffic, 0 to 100."
    )
    role: DeploymentRole | None = strawberry.field(description="CONTROL or CANARY.")


Counter = Callable[[], Awaitable[int]]


@strawberry.type(description="A page of a list (Relay connection).")
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total: strawberry.Private[int | None]
    counter: strawberry.Private[Counter | None]

    @resolver(description="Number of items in the whole list (all pages), cursors aside.")
    async def total_count(self) -> int:
        if self.total is not None:
            return self.total
        assert self.counter is not None, "a connection has either a total or a counter"
        return await self.counter()


@strawberry.type(description="A page of DEPLOYED_TO neighbours, with the traffic on each edge.")
class TrafficConnection(Generic[NodeType]):
    edges: list[TrafficEdge[NodeType]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total: strawberry.Private[int | None]
    counter: strawberry.Private[Counter | None]

    @resolver(description="Number of items in the whole list (all pages), cursors aside.")
    async def total_count(self) -> int:
        if self.total is not None:
            return self.total
        assert self.counter is not None, "a connection has either a total or a counter"
        return await self.counter()


def _page_info(cursors: list[str], page: Page) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def connection(
    page: Page, order: Order, build: Callable[[Row[Any]], Any], counter: Counter | None = None
) -> Connection[Any]:
    """A connection over a page of rows, each turned into a GraphQL object by `build`."""
    cursors = [cursor(order, position_of(row, order)) for row in page.rows]
    edges = [Edge(cursor=at, node=build(row)) for at, row in zip(cursors, page.rows, strict=True)]
    return Connection(edges=edges, page_info=_page_info(cursors, page), total=page.total, counter=counter)


def traffic_connection(page: Page, order: Order, build: Callable[[Row[Any]], Any]) -> TrafficConnection[Any]:
    """Like `connection`, for rows that carry a DEPLOYED_TO edge's traffic_percent and role."""
    cursors = [cursor(order, position_of(row, order)) for row in page.rows]
    edges = [
        TrafficEdge(
            cursor=at,
            node=build(row),
            traffic_percent=row._mapping["traffic_percent"],
            role=DeploymentRole(row._mapping["role"]) if row._mapping["role"] else None,
        )
        for at, row in zip(cursors, page.rows, strict=True)
    ]
    return TrafficConnection(edges=edges, page_info=_page_info(cursors, page), total=page.total, counter=None)
