"""Every traversal field answers with the right neighbours, in both directions, on a small graph."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import SMALL_GRAPH, graphql, keys, load


@pytest.fixture
async def small(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    await load(engine, SMALL_GRAPH)
    return client


def _fragment(field: str) -> str:
    return f"{field} {{ edges {{ node {{ key }} }} }}"


CONNECTIONS = [
    ("FeatureSource", "fs/a", "features", ["lf/1", "lf/2"]),
    ("FeatureSource", "fs/log", "loggedFrom", ["dep/1"]),
    ("FeatureSource", "fs/a", "loggedFrom", []),
    ("LogicalFeature", "lf/1", "sources", ["fs/a", "fs/b"]),
    ("LogicalFeature", "lf/2", "datasets", ["ds/1", "ds/2"]),
    ("TrainingDataset", "ds/1", "features", ["lf/1", "lf/2"]),
    ("TrainingDataset", "ds/2", "runs", ["run/2", "run/3"]),
    ("ModelSource", "ms/1", "runs", ["run/1", "run/2"]),
    ("ModelSource", "ms/1", "binaries", ["mb/1", "mb/2", "mb/3"]),
    ("ModelSource", "ms/1", "deployments", ["dep/1", "dep/2"]),
    ("ModelSource", "ms/2", "deployments", []),
    ("WorkflowRun", "run/2", "datasets", ["ds/1", "ds/2"]),
    ("WorkflowRun", "run/2", "binaries", ["mb/2", "mb/3"]),
    ("ModelBinary", "mb/2", "deployments", ["dep/1", "dep/2"]),
    ("ModelDeployment", "dep/1", "binaries", ["mb/2", "mb/3"]),
    ("ModelDeployment", "dep/1", "loggedTo", ["fs/log"]),
]


@pytest.mark.parametrize(("type_name", "key", "field", "expected"), CONNECTIONS)
async def test_connection_field_lists_neighbours(
    small: httpx.AsyncClient, type_name: str, key: str, field: str, expected: list[str]
) -> None:
    query = f'{{ entity(key: "{key}") {{ ... on {type_name} {{ {_fragment(field)} }} }} }}'
    data = await graphql(small, query)
    assert keys(data["entity"][field]) == expected


SINGLES = [
    ("WorkflowRun", "run/3", "modelSource", "ms/2"),
    ("ModelBinary", "mb/3", "run", "run/2"),
    ("ModelBinary", "mb/4", "modelSource", "ms/2"),
    ("ModelSource", "ms/1", "latestBinary", "mb/3"),
    ("ModelSource", "ms/2", "latestBinary", "mb/4"),
]


@pytest.mark.parametrize(("type_name", "key", "field", "expected"), SINGLES)
async def test_single_field_leads_to_one_entity(
    small: httpx.AsyncClient, type_name: str, key: str, field: str, expected: str
) -> None:
    data = await graphql(
        small, f'{{ entity(key: "{key}") {{ ... on {type_name} {{ {field} {{ key }} }} }} }}'
    )
    assert data["entity"][field]["key"] == expected


async def test_deployed_to_edges_carry_traffic_and_role(small: httpx.AsyncClient) -> None:
    query = """{ entity(key: "dep/2") { ... on ModelDeployment {
        binaries { edges { trafficPercent role node { key } } } } } }"""
    edges = (await graphql(small, query))["entity"]["binaries"]["edges"]
    assert [(e["node"]["key"], e["trafficPercent"], e["role"]) for e in edges] == [
        ("mb/1", 100.0, "CONTROL"),
        ("mb/2", None, "CANARY"),
    ]
    query = """{ entity(key: "mb/2") { ... on ModelBinary {
        deployments { edges { trafficPercent role node { key } } } } } }"""
    edges = (await graphql(small, query))["entity"]["deployments"]["edges"]
    assert [(e["node"]["key"], e["role"]) for e in edges] == [("dep/1", "CONTROL"), ("dep/2", "CANARY")]


async def test_owner_and_team_fields(small: httpx.AsyncClient) -> None:
    query = """{ entity(key: "ds/2") { owner { key parent { key parent { key parent { key } } } } } }"""
    owner = (await graphql(small, query))["entity"]["owner"]
    assert owner == {"key": "team/feed", "parent": {"key": "org", "parent": None}}
    query = """{ teams { edges { node { key children { edges { node { key } } }
        entities(types: [MODEL_SOURCE]) { totalCount edges { node { key } } } } } } }"""
    teams = {edge["node"]["key"]: edge["node"] for edge in (await graphql(small, query))["teams"]["edges"]}
    assert keys(teams["org"]["children"]) == ["group/ml", "team/feed"]
    assert keys(teams["org"]["entities"]) == ["ms/1", "ms/2"]
    assert keys(teams["group/ml"]["entities"]) == ["ms/1"]
    assert teams["team/ads"]["entities"]["totalCount"] == 1


async def test_nested_connections_page_per_parent(small: httpx.AsyncClient) -> None:
    query = """{ modelSources { edges { node { key
        binaries(first: 1, orderBy: {field: KEY, direction: DESC}) {
          totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { key } } } } } } }"""
    nodes = [edge["node"] for edge in (await graphql(small, query))["modelSources"]["edges"]]
    assert [(n["key"], keys(n["binaries"]), n["binaries"]["totalCount"]) for n in nodes] == [
        ("ms/1", ["mb/3"], 3),
        ("ms/2", ["mb/4"], 1),
    ]
    assert nodes[0]["binaries"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    assert nodes[1]["binaries"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False}
