"""Connection arguments: Relay first/after/last/before and orderBy, checked and turned into a PageRequest."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.errors import UserError
from api.ids import parse_cursor
from api.types.enums import EntityOrderField, OrderDirection
from graph.pages import Order, PageRequest

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Return the first n items (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})."
    ),
]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor.")]
Last = Annotated[
    int | None, strawberry.argument(description=f"Return the last n items (at most {MAX_PAGE_SIZE}).")
]
Before = Annotated[str | None, strawberry.argument(description="Return items before this cursor.")]


@strawberry.input(
    description="How to order a list of entities; ties are broken by key, in the same direction."
)
class EntityOrder:
    field: EntityOrderField = strawberry.field(default=EntityOrderField.KEY, description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Which way.")

    def to_order(self) -> Order:
        return Order(str(self.field.value), descending=self.direction is OrderDirection.DESC)


OrderBy = Annotated[
    EntityOrder | None, strawberry.argument(description="Sort order (default: by key, ascending).")
]


def _size(name: str, value: int) -> int:
    if value < 0 or value > MAX_PAGE_SIZE:
        raise UserError(f"`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {value}")
    return value


def page_request(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    order: Order | None = None,
) -> PageRequest:
    """The page a connection field's arguments ask for; raises a UserError naming a bad argument."""
    order = order or Order()
    if first is not None and last is not None:
        raise UserError("pass either `first` or `last`, not both")
    backward = last is not None
    limit = (
        _size("last", last)
        if last is not None
        else _size("first", DEFAULT_PAGE_SIZE if first is None else first)
    )
    return PageRequest(
        limit=limit,
        order=order,
        after=parse_cursor(after, order) if after else None,
        before=parse_cursor(before, order) if before else None,
        backward=backward,
    )
