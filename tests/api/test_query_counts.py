"""Statements per query are bounded by nesting depth: a query over 10 or 100 parents costs the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import SMALL_GRAPH, graphql, load, model_fleet

NESTED = """query($first: Int) { modelSources(first: $first) { totalCount edges { node {
  key owner { key parent { key } }
  latestBinary { key run { key } modelSource { key } }
  deployments(first: 5) { totalCount }
  runs(first: 3, orderBy: {field: NAME, direction: DESC}) { edges { node {
    key modelSource { key }
    binaries { edges { node { key
      deployments { edges { trafficPercent node { key binaries { totalCount } } } } } } }
  } } } } } } }"""

EVERY_FIELD = """{ featureSources { edges { node { key features { edges { node { key
    sources { totalCount }
    datasets { edges { node { key features { totalCount } runs { totalCount } } } } } } }
    loggedFrom { edges { node { key loggedTo { totalCount } binaries { totalCount } } } } } } }
  workflowRuns { edges { node { key datasets { totalCount } binaries { totalCount } modelSource { key } } } }
  modelBinaries { edges { node { key run { key } modelSource { key } deployments { totalCount } } } }
  teams { edges { node { key parent { key } children { totalCount }
    entities(first: 2) { edges { node { key owner { key } } } } } } } }"""


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Transaction control is not a query.
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _statements(engine: AsyncEngine, client: httpx.AsyncClient, query: str, **variables: Any) -> int:
    with counting(engine) as statements:
        await graphql(client, query, **variables)
    return len(statements)


async def test_nested_query_costs_the_same_over_10_and_100_parents(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load(engine, model_fleet(100))
    over_ten = await _statements(engine, client, NESTED, first=10)
    over_hundred = await _statements(engine, client, NESTED, first=100)
    assert over_ten == over_hundred
    # Root page + count, then one statement per nested field (owner, parent, latestBinary, run, ...).
    assert over_ten <= 14


async def test_every_traversal_field_is_batched(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    await load(engine, SMALL_GRAPH)
    small = await _statements(engine, client, EVERY_FIELD)
    await load(engine, model_fleet(30))
    larger = await _statements(engine, client, EVERY_FIELD)
    assert small == larger


async def test_nodes_are_loaded_in_one_statement(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    await load(engine, model_fleet(10))
    ids = (await graphql(client, "{ modelSources { edges { node { id } } } }"))["modelSources"]["edges"]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert await _statements(engine, client, query, ids=[edge["node"]["id"] for edge in ids]) == 1


@pytest.mark.parametrize("models", [3, 40])
async def test_counts_are_right_at_scale(engine: AsyncEngine, client: httpx.AsyncClient, models: int) -> None:
    await load(engine, model_fleet(models))
    data = await graphql(client, NESTED, first=100)
    sources = data["modelSources"]
    assert sources["totalCount"] == models
    for edge in sources["edges"]:
        node = edge["node"]
        assert node["deployments"]["totalCount"] == 4
        assert node["latestBinary"]["modelSource"]["key"] == node["key"]
        assert [len(run["node"]["binaries"]["edges"]) for run in node["runs"]["edges"]] == [2, 2]
