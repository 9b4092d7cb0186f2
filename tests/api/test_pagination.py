"""Keyset pagination: forward and backward visit every node once, in every order; limits are clear."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import entity, graphql, graphql_errors, keys, load

# These tests write: every request carries a write token.
pytestmark = pytest.mark.usefixtures("writer")

ORDERS = [
    (field, direction)
    for field in ("KEY", "NAME", "CREATED_AT", "UPDATED_AT")
    for direction in ("ASC", "DESC")
]
PAGE = """query($first: Int, $after: String, $last: Int, $before: String, $order: EntityOrder) {
  modelBinaries(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { key } } } }"""


@pytest.fixture
async def binaries(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    # Repeated names and creation times, so ties must be broken by key.
    await load(
        engine,
        [
            entity(
                "ModelBinary",
                f"mb/{index:02}",
                name=f"binary {index % 4}",
                created_at=f"2026-01-0{index % 3 + 1}",
            )
            for index in range(23)
        ],
    )
    return client


async def _walk(client: httpx.AsyncClient, order: dict[str, str], backward: bool) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        variables: dict[str, Any] = {"order": order}
        variables.update({"last": 5, "before": cursor} if backward else {"first": 5, "after": cursor})
        page = (await graphql(client, PAGE, **variables))["modelBinaries"]
        assert page["totalCount"] == 23
        batch = keys(page)
        seen = batch + seen if backward else seen + batch
        info = page["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return seen
        cursor = info["startCursor"] if backward else info["endCursor"]


@pytest.mark.parametrize(("field", "direction"), ORDERS)
async def test_forward_and_backward_visit_every_node_once(
    binaries: httpx.AsyncClient, field: str, direction: str
) -> None:
    order = {"field": field, "direction": direction}
    forward = await _walk(binaries, order, backward=False)
    backward = await _walk(binaries, order, backward=True)
    assert sorted(forward) == [f"mb/{index:02}" for index in range(23)]
    assert forward == backward
    everything = keys((await graphql(binaries, PAGE, first=100, order=order))["modelBinaries"])
    assert forward == everything


async def test_cursor_survives_inserts_before_it(engine: AsyncEngine, binaries: httpx.AsyncClient) -> None:
    first = (await graphql(binaries, PAGE, first=5))["modelBinaries"]
    await load(engine, [entity("ModelBinary", "mb/00a"), entity("ModelBinary", "mb/05a")])
    after = first["pageInfo"]["endCursor"]
    following = (await graphql(binaries, PAGE, first=3, after=after))["modelBinaries"]
    assert keys(following) == ["mb/05", "mb/05a", "mb/06"]


async def test_first_defaults_to_twenty(binaries: httpx.AsyncClient) -> None:
    page = (await graphql(binaries, PAGE))["modelBinaries"]
    assert len(page["edges"]) == 20
    assert page["pageInfo"]["hasNextPage"] is True


async def test_first_above_one_hundred_is_a_clear_error(binaries: httpx.AsyncClient) -> None:
    assert await graphql_errors(binaries, PAGE, first=101) == ["`first` must be between 0 and 100, got 101"]
    nested = "{ modelSources { edges { node { runs(last: 500) { totalCount } } } } }"
    await load_one_source(binaries)
    assert await graphql_errors(binaries, nested) == ["`last` must be between 0 and 100, got 500"]


async def load_one_source(client: httpx.AsyncClient) -> None:
    mutation = 'mutation { ingest(batch: {modelSources: [{key: "ms/1", name: "m"}]}) { ok } }'
    assert (await graphql(client, mutation))["ingest"]["ok"] is True


async def test_cursor_from_another_order_is_refused(binaries: httpx.AsyncClient) -> None:
    page = (await graphql(binaries, PAGE, first=2))["modelBinaries"]
    errors = await graphql_errors(
        binaries, PAGE, first=2, after=page["pageInfo"]["endCursor"], order={"field": "NAME"}
    )
    assert "does not belong to an order by NAME" in errors[0]


@pytest.mark.parametrize(("field", "direction"), ORDERS)
async def test_nested_pages_walk_both_ways(
    engine: AsyncEngine, client: httpx.AsyncClient, field: str, direction: str
) -> None:
    runs = [
        entity(
            "WorkflowRun",
            f"run/{index}",
            name=f"run {index % 3}",
            model_source="ms/1",
            created_at=f"2026-01-0{index % 2 + 1}",
        )
        for index in range(7)
    ]
    await load(engine, [entity("ModelSource", "ms/1"), *runs])
    query = """query($first: Int, $after: String, $last: Int, $before: String, $order: EntityOrder) {
      entity(key: "ms/1") { ... on ModelSource {
        runs(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { key } } } } } }"""
    order = {"field": field, "direction": direction}
    everything = keys((await graphql(client, query, first=100, order=order))["entity"]["runs"])
    seen: list[str] = []
    after = None
    while True:
        page = (await graphql(client, query, first=3, after=after, order=order))["entity"]["runs"]
        seen += keys(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    assert sorted(seen) == [f"run/{index}" for index in range(7)]
    backward: list[str] = []
    before = None
    while True:
        page = (await graphql(client, query, last=3, before=before, order=order))["entity"]["runs"]
        backward = keys(page) + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == seen
