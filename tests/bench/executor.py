"""Executor benchmark: the same answers on graphql-core's stock executor and on ours, in one loop.

Three answers, each timed on both executors in turn so the ratio holds on a noisy machine:
about 600 objects of an in-memory schema (tests/api/executor_schema.py) through graphql-core's
`execute` (the executor alone, no database); and, through `schema.execute` with a fresh context
each time (SQL included), `modelSources(first: 100)` with owners and five runs each, and a depth-6
lineage, on the demo graph cached under bench-data/. Answers are checked equal before timing.
"""

from __future__ import annotations

import asyncio
import copy
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import execute, parse
from rich.console import Console
from rich.table import Table
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.context import get_context
from api.executor import FastExecutor
from api.schema import schema
from graph.db import open_engine
from tests.api import executor_schema
from tests.bench.demo_cache import cached_demo
from tests.bench.lineage import LINEAGE_TYPES

MODELS = int(os.environ.get("AIGRAPH_BENCH_EXECUTOR_MODELS", "1000"))
REPEATS = int(os.environ.get("AIGRAPH_BENCH_REPEATS", "50"))

IN_MEMORY = """{ bigShelf(boxes: 50, parts: 12) { boxes { __typename key name
  parts { key name weight color made tags fragile } } } }"""
MODEL_SOURCES = """{ modelSources(first: 100) { edges { node { key name owner { key }
  runs(first: 5) { edges { node { key status } } } } } } }"""
LINEAGE = """query($key: String!) { lineage(key: $key, direction: DOWNSTREAM, depth: 6, limit: 10000) {
  nodes { distance entity { key name } } } }"""

Timed = Callable[[], Awaitable[Any]]


def run() -> None:
    rows = [_in_memory()]
    path = cached_demo(MODELS, "lineage", lambda record: record["type"] in LINEAGE_TYPES)
    rows += asyncio.run(_application(f"sqlite+aiosqlite:///{path}"))
    table = Table(title=f"GraphQL executor: stock vs fast, {REPEATS} runs each (median)")
    for heading in ("answer", "objects", "stock", "fast", "fast / stock"):
        table.add_column(heading)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def _in_memory() -> list[str]:
    graphql_schema = executor_schema.FAST._schema
    document = parse(IN_MEMORY)

    def once(executor: type[Any]) -> Any:
        result = execute(
            graphql_schema, document, executor_class=executor, is_awaitable=optimized_is_awaitable
        )
        assert not isinstance(result, Awaitable) and not result.errors
        return result.data

    expected = once(StrawberryGraphQLCoreExecutionContext)
    assert once(FastExecutor) == expected
    times: dict[type[Any], list[float]] = {StrawberryGraphQLCoreExecutionContext: [], FastExecutor: []}
    for _ in range(REPEATS):
        for executor, measured in times.items():
            started = time.perf_counter()
            once(executor)
            measured.append(time.perf_counter() - started)
    return _row("in-memory shelf (no database, executor alone)", _count_objects(expected), *times.values())


async def _application(url: str) -> list[list[str]]:
    stock = copy.copy(schema)
    stock.execution_context_class = StrawberryGraphQLCoreExecutionContext
    engine = await open_engine(url)
    try:
        root = await _largest_lineage_root(engine)
        rows = []
        for label, document, variables in (
            ("modelSources(first: 100), owner, 5 runs each", MODEL_SOURCES, None),
            (f"lineage downstream of {root}, depth 6", LINEAGE, {"key": root}),
        ):

            async def answer(on: Any, document: str = document, variables: Any = variables) -> Any:
                result = await on.execute(
                    document, variable_values=variables, context_value=get_context(engine)
                )
                assert not result.errors, result.errors
                return result.data

            expected = await answer(stock)
            assert await answer(schema) == expected, f"{label}: the answers differ"
            times: tuple[list[float], list[float]] = ([], [])
            for _ in range(REPEATS):
                for on, measured in zip((stock, schema), times, strict=True):
                    started = time.perf_counter()
                    await answer(on)
                    measured.append(time.perf_counter() - started)
            rows.append(_row(label, _count_objects(expected), *times))
        return rows
    finally:
        await engine.dispose()


async def _largest_lineage_root(engine: Any) -> str:
    """The feature source, among the first twenty, with the most downstream nodes at depth 6."""
    first = await schema.execute(
        "{ featureSources(first: 20) { edges { node { key } } } }", context_value=get_context(engine)
    )
    assert first.data is not None
    sizes: dict[str, int] = {}
    for edge in first.data["featureSources"]["edges"]:
        key = edge["node"]["key"]
        result = await schema.execute(
            LINEAGE, variable_values={"key": key}, context_value=get_context(engine)
        )
        assert result.data is not None
        sizes[key] = len(result.data["lineage"]["nodes"])
    return max(sizes, key=lambda key: sizes[key])


def _count_objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count_objects(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count_objects(item) for item in value)
    return 0


def _row(label: str, objects: int, stock: list[float], fast: list[float]) -> list[str]:
    stock_median, fast_median = statistics.median(stock), statistics.median(fast)
    return [
        label,
        str(objects),
        f"{stock_median * 1000:.2f} ms",
        f"{fast_median * 1000:.2f} ms",
        f"{fast_median / stock_median:.2f}x",
    ]


if __name__ == "__main__":
    run()
