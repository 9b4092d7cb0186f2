"""Keyset pages: one ordered LIMIT query for a single list, one windowed query for many parents.

A position is the (order value, key) pair of a row, so a page boundary survives inserts; the
key breaks ties, which makes every order total. Statements take cursors and sizes as bound
parameters, so one statement serves every page of the same shape and can be built once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, case, func, or_, select, true
from sqlalchemy.sql.expression import FromClause


@dataclass(frozen=True)
class Order:
    """Sort by one column (then by key, in the same direction)."""

    field: str = "key"
    descending: bool = False


@dataclass(frozen=True)
class Position:
    """Where a row sits in an order: its order value and its key."""

    value: Any
    key: str


@dataclass(frozen=True)
class Shape:
    """What a page statement depends on; the cursor values and sizes are parameters."""

    order: Order
    after: bool
    before: bool
    backward: bool


@dataclass(frozen=True)
class PageRequest:
    """A Relay page: `limit` rows after `after` and before `before`, from the end when `backward`."""

    limit: int
    order: Order = field(default_factory=Order)
    after: Position | None = None
    before: Position | None = None
    backward: bool = False

    @property
    def shape(self) -> Shape:
        return Shape(self.order, self.after is not None, self.before is not None, self.backward)

    def parameters(self) -> dict[str, Any]:
        """Bound values of a page statement of this request's shape."""
        values: dict[str, Any] = {"fetch_limit": self.limit + 1, "rank_limit": max(self.limit, 1)}
        for name, position in (("after", self.after), ("before", self.before)):
            if position is not None:
                values[f"{name}_value"], values[f"{name}_key"] = position.value, position.key
        return values


@dataclass
class Page:
    """Rows of one page, in order, with what lies around it."""

    rows: list[Row[Any]]
    has_next: bool
    has_previous: bool
    total: int | None = None


def empty_page() -> Page:
    return Page(rows=[], has_next=False, has_previous=False, total=0)


def position_of(row: Row[Any], order: Order) -> Position:
    mapping = row._mapping
    return Position(mapping[order.field], mapping["key"])


def _beyond(rows: FromClause, order: Order, name: str, greater: bool) -> ColumnElement[bool]:
    key = rows.c.key
    key_parameter = bindparam(f"{name}_key", type_=key.type)
    if order.field == "key":
        return key > key_parameter if greater else key < key_parameter
    value = rows.c[order.field]
    value_parameter = bindparam(f"{name}_value", type_=value.type)
    if greater:
        return or_(value > value_parameter, and_(value == value_parameter, key > key_parameter))
    return or_(value < value_parameter, and_(value == value_parameter, key < key_parameter))


def in_range(rows: FromClause, shape: Shape) -> ColumnElement[bool]:
    """Rows strictly between the cursors (all rows when there are none)."""
    conditions: list[ColumnElement[bool]] = []
    ascending = not shape.order.descending
    if shape.after:
        conditions.append(_beyond(rows, shape.order, "after", greater=ascending))
    if shape.before:
        conditions.append(_beyond(rows, shape.order, "before", greater=not ascending))
    return and_(*conditions) if conditions else true()


def ordering(rows: FromClause, order: Order, reverse: bool = False) -> list[ColumnElement[Any]]:
    descending = order.descending != reverse
    columns = [rows.c.key] if order.field == "key" else [rows.c[order.field], rows.c.key]
    return [column.desc() if descending else column.asc() for column in columns]


def single_page_query(rows: FromClause, shape: Shape) -> Select[Any]:
    """One list: the page rows plus one, to tell whether more follow in the reading direction."""
    return (
        select(rows)
        .where(in_range(rows, shape))
        .order_by(*ordering(rows, shape.order, reverse=shape.backward))
        .limit(bindparam("fetch_limit"))
    )


def single_page(result: Sequence[Row[Any]], request: PageRequest) -> Page:
    rows = list(result[: request.limit])
    more = len(result) > request.limit
    if request.backward:
        rows.reverse()
        # Rows after a `before` cursor exist by construction of the cursor.
        return Page(rows=rows, has_next=request.before is not None, has_previous=more)
    return Page(rows=rows, has_next=more, has_previous=request.after is not None)


def windowed_page_query(rows: FromClause, parent: str, shape: Shape) -> Select[Any]:
    """Many lists at once: up to `rank_limit` rows per parent, ranked by ROW_NUMBER over the parent.

    Rows outside the cursors rank after the ones inside, so each parent keeps at least one row
    that carries its totals even when its page is empty; `split_pages` drops them.
    """
    inside = case((in_range(rows, shape), 1), else_=0)
    partition = rows.c[parent]
    ranked = select(
        rows,
        inside.label("page_inside"),
        func.row_number()
        .over(
            partition_by=partition,
            order_by=[inside.desc(), *ordering(rows, shape.order, reverse=shape.backward)],
        )
        .label("page_rank"),
        func.count().over(partition_by=partition).label("page_total"),
        func.sum(inside).over(partition_by=partition).label("page_inside_total"),
    ).subquery("ranked")
    return (
        select(ranked)
        .where(ranked.c.page_rank <= bindparam("rank_limit"))
        .order_by(ranked.c[parent], ranked.c.page_rank)
    )


def split_pages(result: Sequence[Row[Any]], parent: str, request: PageRequest) -> dict[Hashable, Page]:
    """The rows of a windowed query, grouped into one page per parent (parents without rows absent)."""
    pages: dict[Hashable, Page] = {}
    for row in result:
        mapping = row._mapping
        owner = mapping[parent]
        page = pages.get(owner)
        if page is None:
            total = int(mapping["page_total"])
            inside = int(mapping["page_inside_total"] or 0)
            more, outside = inside > request.limit, total > inside
            page = Page(
                rows=[],
                has_next=outside if request.backward else more,
                has_previous=more if request.backward else outside,
                total=total,
            )
            pages[owner] = page
        if mapping["page_inside"] and len(page.rows) < request.limit:
            page.rows.append(row)
    if request.backward:
        for page in pages.values():
            page.rows.reverse()
    return pages
