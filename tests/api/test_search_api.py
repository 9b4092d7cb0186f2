"""`search` over GraphQL: ranking, types, page size and its cap."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import TEAMS, entity, graphql, graphql_errors, load

SEARCH = """query($text: String!, $types: [EntityType!], $first: Int) {
  search(query: $text, types: $types, first: $first) { key __typename } }"""

NAMED = [
    *TEAMS,
    entity("ModelSource", "ranker", name="Main model"),
    entity("ModelSource", "ms/2", name="Ranker v2"),
    entity("FeatureSource", "ranker/logs", name="logs"),
    entity("FeatureSource", "fs/ads_ranker", name="ads ranker data"),
    entity("ModelBinary", "mb/1", name="Old RANKER"),
    entity("LogicalFeature", "lf/1", name="unrelated"),
]


@pytest.fixture
async def named(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    await load(engine, NAMED)
    return client


async def search(client: httpx.AsyncClient, query: str, **arguments: Any) -> list[str]:
    found = (await graphql(client, SEARCH, text=query, **arguments))["search"]
    return [item["key"] for item in found]


async def test_exact_key_then_prefix_then_substring(named: httpx.AsyncClient) -> None:
    assert await search(named, "ranker") == ["ranker", "ms/2", "ranker/logs", "fs/ads_ranker", "mb/1"]


async def test_answers_are_typed_entities(named: httpx.AsyncClient) -> None:
    found = (await graphql(named, SEARCH, text="ranker", first=2))["search"]
    assert found == [
        {"key": "ranker", "__typename": "ModelSource"},
        {"key": "ms/2", "__typename": "ModelSource"},
    ]


async def test_types_restrict_the_answer(named: httpx.AsyncClient) -> None:
    assert await search(named, "ranker", types=["FEATURE_SOURCE"]) == ["ranker/logs", "fs/ads_ranker"]
    assert await search(named, "ranker", types=["MODEL_BINARY", "MODEL_SOURCE"]) == ["ranker", "ms/2", "mb/1"]


async def test_empty_types_match_nothing(named: httpx.AsyncClient) -> None:
    assert await search(named, "ranker", types=[]) == []


async def test_first_bounds_the_answer(named: httpx.AsyncClient) -> None:
    assert await search(named, "ranker", first=3) == ["ranker", "ms/2", "ranker/logs"]
    assert await search(named, "ranker", first=0) == []


async def test_first_defaults_to_twenty(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    await load(engine, [*TEAMS, *(entity("ModelSource", f"ms/{index:02}") for index in range(30))])
    assert await search(client, "ms/") == [f"ms/{index:02}" for index in range(20)]


async def test_first_above_the_cap_is_an_error(named: httpx.AsyncClient) -> None:
    messages = await graphql_errors(named, SEARCH, text="ranker", first=101)
    assert messages == ["search: first must be between 0 and 100, not 101"]
