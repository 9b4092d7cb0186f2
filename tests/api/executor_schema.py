"""A small in-memory schema that exercises every branch of the fast executor, built twice:
once on strawberry's stock executor and once on ours, over the same objects.

Parts carry leaves of every kind (String, Int, Float, Boolean, ID, enum, DateTime, JSON), default
and custom resolvers (sync and async, some raising), non-null fields holding None, and things
behind the `Thing` interface; `Box.parts` and `Shelf.things` are plain lists.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.scalars import JSON
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.executor import FastExecutor


@strawberry.enum
class Color(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Thing:
    key: strawberry.ID
    name: str | None


@strawberry.type
class Part(Thing):
    weight: int
    ratio: float
    color: Color
    made: datetime
    tags: list[str]
    extra: JSON
    fragile: bool
    # Declared non-null; a few parts hold None to test how the null bubbles up.
    label: str
    colors: list[Color | None] | None

    @strawberry.field
    def broken(self) -> str | None:
        if self.weight % 3 == 2:
            raise ValueError(f"part {self.key} is broken")
        return f"fine {self.key}"

    @strawberry.field
    def strict(self) -> str:
        if self.weight == 12:
            raise ValueError("twelve is not allowed")
        return "strict"

    @strawberry.field
    async def doubled(self) -> int:
        await asyncio.sleep(0)
        return self.weight * 2

    @strawberry.field
    async def twin(self) -> Part | None:
        await asyncio.sleep(0)
        return self


@strawberry.type
class Box(Thing):
    size: int
    parts: list[Part]
    inner: Box | None
    sealed_parts: list[Part] | None

    @strawberry.field
    async def loose(self) -> list[Thing]:
        await asyncio.sleep(0)
        return [*self.parts[:1], self]


@strawberry.type
class Shelf:
    things: list[Thing | None]
    first: Thing | None
    boxes: list[Box]
    count: int


def part(index: int, label: str | None = "ok") -> Part:
    return Part(
        key=strawberry.ID(f"p{index}"),
        name=None if index % 4 == 3 else f"part {index}",
        weight=index,
        ratio=index / 4,
        color=Color.RED if index % 2 else Color.BLUE,
        made=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=index),
        tags=[f"t{index}", "all"],
        extra={"index": index, "nested": [1, None, "x"]},
        fragile=index % 2 == 0,
        label=label,  # type: ignore[arg-type]
        colors=[Color.RED, None] if index % 2 else None,
    )


def box(index: int, parts: int, *, bad_label: bool = False) -> Box:
    contents = [part(index * 10 + offset) for offset in range(parts)]
    if bad_label and contents:
        contents[-1].label = None  # type: ignore[assignment]
    return Box(
        key=strawberry.ID(f"b{index}"),
        name=f"box {index}",
        size=parts,
        parts=contents,
        inner=Box(key=strawberry.ID(f"b{index}i"), name=None, size=0, parts=[], inner=None, sealed_parts=None)
        if index % 2
        else None,
        sealed_parts=contents[:2] if index % 2 else None,
    )


def shelf(boxes: int = 3, parts: int = 4) -> Shelf:
    made = [box(index, parts, bad_label=index == 2) for index in range(boxes)]
    things: list[Thing | None] = [made[0], part(99), None, *made[1:]]
    return Shelf(things=things, first=made[0], boxes=made, count=len(made))


@cache
def big_shelf(boxes: int, parts: int) -> Shelf:
    """Built once, so that timing it measures execution alone (nothing writes to these objects)."""
    return Shelf(things=[], first=None, boxes=[box(index, parts) for index in range(boxes)], count=boxes)


@strawberry.type
class Query:
    @strawberry.field
    def shelf(self) -> Shelf:
        return shelf()

    @strawberry.field
    async def later_shelf(self, boxes: int = 3) -> Shelf | None:
        await asyncio.sleep(0)
        return shelf(boxes)

    @strawberry.field
    def thing(self, key: str) -> Thing | None:
        return next((item for item in shelf().things if item is not None and item.key == key), None)

    @strawberry.field
    def big_shelf(self, boxes: int = 50, parts: int = 12) -> Shelf:
        return big_shelf(boxes, parts)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def rename(self, key: str, name: str) -> Box:
        renamed = box(1, 2)
        renamed.key, renamed.name = strawberry.ID(key), name
        return renamed


def build(executor: type[Any]) -> strawberry.Schema:
    # Documents come back from the parser cache as the same nodes, as in the application.
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Part, Box],
        extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
        execution_context_class=executor,
    )


STOCK = build(StrawberryGraphQLCoreExecutionContext)
FAST = build(FastExecutor)
