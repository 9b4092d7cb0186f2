"""Relay ids: node(id) and nodes(ids) round-trip every type; entity(key) finds any type."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.ids import global_id
from tests.api.graphs import SMALL_GRAPH, graphql, graphql_errors, load

ONE_OF_EACH = [
    ("FeatureSource", "fs/a"),
    ("LogicalFeature", "lf/1"),
    ("TrainingDataset", "ds/1"),
    ("ModelSource", "ms/1"),
    ("WorkflowRun", "run/1"),
    ("ModelBinary", "mb/1"),
    ("ModelDeployment", "dep/1"),
    ("Team", "team/ads"),
]


@pytest.fixture
async def small(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    await load(engine, SMALL_GRAPH)
    return client


@pytest.mark.parametrize(("type_name", "key"), ONE_OF_EACH)
async def test_node_round_trip(small: httpx.AsyncClient, type_name: str, key: str) -> None:
    root = "entity" if type_name != "Team" else "teams"
    if type_name == "Team":
        data = await graphql(small, "{ teams(first: 100) { edges { node { id key } } } }")
        ids = {edge["node"]["key"]: edge["node"]["id"] for edge in data[root]["edges"]}
        node_id = ids[key]
    else:
        node_id = (await graphql(small, f'{{ entity(key: "{key}") {{ id }} }}'))["entity"]["id"]
    assert node_id == global_id(type_name, key)
    query = "query($id: ID!) { node(id: $id) { __typename id ... on Entity { key } ... on Team { key } } }"
    node = (await graphql(small, query, id=node_id))["node"]
    assert node == {"__typename": type_name, "id": node_id, "key": key}


async def test_nodes_keeps_order_and_nulls(small: httpx.AsyncClient) -> None:
    ids = [
        global_id("ModelBinary", "mb/2"),
        "not-an-id",
        global_id("ModelSource", "mb/2"),
        global_id("Team", "org"),
    ]
    query = (
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Entity { key } ... on Team { key } } }"
    )
    nodes = (await graphql(small, query, ids=ids))["nodes"]
    assert nodes == [
        {"__typename": "ModelBinary", "key": "mb/2"},
        None,
        None,
        {"__typename": "Team", "key": "org"},
    ]


async def test_entity_by_key_has_common_and_own_fields(small: httpx.AsyncClient) -> None:
    query = """{ entity(key: "fs/a") { __typename key name system createdAt updatedAt properties
        owner { key name } ... on FeatureSource { kind uri } } }"""
    found = (await graphql(small, query))["entity"]
    assert found["__typename"] == "FeatureSource"
    assert (found["name"], found["system"], found["kind"], found["owner"]) == (
        "Clicks",
        "hive",
        "TABLE",
        {"key": "team/ads", "name": "Ads"},
    )
    assert found["createdAt"].startswith("2026-01-01T00:00:00")
    assert found["properties"] == {}


async def test_unknown_key_is_null(small: httpx.AsyncClient) -> None:
    assert (await graphql(small, '{ entity(key: "nope") { key } }'))["entity"] is None


async def test_run_and_deployment_status_in_one_selection_need_aliases(small: httpx.AsyncClient) -> None:
    """The two `status` fields are different enums: together they are asked for under aliases."""
    fragments = "... on WorkflowRun { {run}status } ... on ModelDeployment { {deployment}status }"
    query = '{ nodes(ids: ["%s", "%s"]) { ' + fragments + " } }"
    ids = (global_id("WorkflowRun", "run/1"), global_id("ModelDeployment", "dep/1"))
    plain = query.replace("{run}", "").replace("{deployment}", "") % ids
    [message] = await graphql_errors(small, plain)
    assert "status" in message and "conflict" in message
    aliased = query.replace("{run}", "runStatus: ").replace("{deployment}", "deploymentStatus: ") % ids
    answer = (await graphql(small, aliased))["nodes"]
    assert answer == [{"runStatus": "SUCCEEDED"}, {"deploymentStatus": "ACTIVE"}]
