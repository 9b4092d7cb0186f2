"""Filters on root and nested connections: name, owner subtree, system, creation time, own fields."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import SMALL_GRAPH, entity, graphql, keys, load


@pytest.fixture
async def small(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    await load(engine, SMALL_GRAPH)
    return client


async def _feature_sources(client: httpx.AsyncClient, where: str) -> list[str]:
    data = await graphql(client, f"{{ featureSources(filter: {where}) {{ edges {{ node {{ key }} }} }} }}")
    return keys(data["featureSources"])


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('{nameContains: "LOG"}', ["fs/log"]),
        ('{nameContains: "i"}', ["fs/a", "fs/b"]),
        ('{nameContains: "%"}', []),
        ('{nameContains: "_"}', []),
        ('{nameContains: "/"}', []),
        ('{nameContains: "CLICKS"}', ["fs/a"]),
        ('{owner: "org"}', ["fs/a", "fs/b", "fs/log"]),
        ('{owner: "group/ml"}', ["fs/a", "fs/log"]),
        ('{owner: "team/feed"}', ["fs/b"]),
        ('{owner: "team/unknown"}', []),
        ('{system: "kafka"}', ["fs/b"]),
        ('{createdAfter: "2026-01-01T00:00:00Z"}', ["fs/b", "fs/log"]),
        ('{createdBefore: "2026-01-03T00:00:00Z"}', ["fs/a", "fs/b"]),
        ('{createdAfter: "2026-01-01T00:00:00Z", createdBefore: "2026-01-03T00:00:00Z"}', ["fs/b"]),
        ("{kind: LOG}", ["fs/log"]),
        ('{kind: TABLE, owner: "team/feed"}', []),
    ],
)
async def test_feature_source_filters(small: httpx.AsyncClient, where: str, expected: list[str]) -> None:
    assert await _feature_sources(small, where) == expected


async def test_name_contains_matches_non_ascii_names(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    await load(engine, [entity("FeatureSource", "fs/u", name="Ärger_100%"), entity("FeatureSource", "fs/v")])
    assert await _feature_sources(client, '{nameContains: "Ärg"}') == ["fs/u"]
    assert await _feature_sources(client, '{nameContains: "r_100%"}') == ["fs/u"]


async def test_unknown_owner_gives_an_empty_page(small: httpx.AsyncClient) -> None:
    data = await graphql(small, '{ modelSources(filter: {owner: "nobody"}) { totalCount edges { cursor } } }')
    assert data["modelSources"] == {"totalCount": 0, "edges": []}


async def test_type_specific_filters(small: httpx.AsyncClient) -> None:
    query = """{ workflowRuns(filter: {status: FAILED}) { edges { node { key } } }
      modelDeployments(filter: {environment: "prod", status: ACTIVE}) { edges { node { key } } }
      region: modelDeployments(filter: {region: "eu"}) { edges { node { key } } }
      modelSources(filter: {purpose: "retrieval"}) { edges { node { key } } } }"""
    data = await graphql(small, query)
    assert keys(data["workflowRuns"]) == ["run/2"]
    assert keys(data["modelDeployments"]) == ["dep/1"]
    assert keys(data["region"]) == ["dep/2"]
    assert keys(data["modelSources"]) == ["ms/2"]


async def test_nested_connections_filter_and_order(small: httpx.AsyncClient) -> None:
    query = """{ entity(key: "ms/1") { ... on ModelSource {
        runs(filter: {status: SUCCEEDED}) { totalCount edges { node { key } } }
        deployments(filter: {owner: "team/feed"}) { edges { node { key } } }
        binaries(orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { key } } } } } }"""
    source = (await graphql(small, query))["entity"]
    assert keys(source["runs"]) == ["run/1"]
    assert source["runs"]["totalCount"] == 1
    assert keys(source["deployments"]) == ["dep/2"]
    assert keys(source["binaries"]) == ["mb/3", "mb/2", "mb/1"]


async def test_team_entities_filter_by_type_and_name(small: httpx.AsyncClient) -> None:
    query = """{ node(id: "VGVhbTpvcmc=") { ... on Team {
        entities(types: [FEATURE_SOURCE, LOGICAL_FEATURE], filter: {nameContains: "lf"}) {
          edges { node { key __typename } } } } } }"""
    edges = (await graphql(small, query))["node"]["entities"]["edges"]
    assert [(e["node"]["key"], e["node"]["__typename"]) for e in edges] == [
        ("lf/1", "LogicalFeature"),
        ("lf/2", "LogicalFeature"),
    ]
