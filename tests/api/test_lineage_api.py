"""`lineage` over GraphQL: exact answers on the small graph, errors, and statements per query."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import SMALL_GRAPH, TEAMS, entity, graphql, graphql_errors, load
from tests.api.test_query_counts import counting

LINEAGE = """query($key: String!, $direction: LineageDirection, $depth: Int, $types: [EntityType!],
    $limit: Int) {
  lineage(key: $key, direction: $direction, depth: $depth, types: $types, limit: $limit) {
    root { key __typename }
    nodes { distance entity { key __typename } }
    edges { kind source { key } target { key } }
    truncated } }"""

# A feedback loop: the deployment's inference log is the source its own model was trained from.
CYCLE = [
    *TEAMS,
    entity("FeatureSource", "fs/c", logged_from=["dep/c"]),
    entity("LogicalFeature", "lf/c", sources=["fs/c"]),
    entity("TrainingDataset", "ds/c", features=["lf/c"]),
    entity("WorkflowRun", "run/c", datasets=["ds/c"]),
    entity("ModelBinary", "mb/c", run="run/c"),
    entity("ModelDeployment", "dep/c", binaries=[{"binary": "mb/c"}]),
]


async def lineage(client: httpx.AsyncClient, key: str, **arguments: Any) -> dict[str, Any]:
    answer: dict[str, Any] = (await graphql(client, LINEAGE, key=key, **arguments))["lineage"]
    return answer


def nodes(answer: dict[str, Any]) -> list[tuple[str, int]]:
    return [(node["entity"]["key"], node["distance"]) for node in answer["nodes"]]


def edges(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(edge["source"]["key"], edge["target"]["key"], edge["kind"]) for edge in answer["edges"]]


@pytest.fixture
async def small(engine: AsyncEngine, client: httpx.AsyncClient) -> httpx.AsyncClient:
    await load(engine, SMALL_GRAPH)
    return client


async def test_upstream_of_a_deployment(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1")
    assert answer["root"] == {"key": "dep/1", "__typename": "ModelDeployment"}
    assert nodes(answer) == [("mb/2", 1), ("mb/3", 1), ("run/2", 2), ("ds/1", 3), ("ds/2", 3), ("ms/1", 3)]
    assert [node["entity"]["__typename"] for node in answer["nodes"]][:3] == [
        "ModelBinary",
        "ModelBinary",
        "WorkflowRun",
    ]
    assert edges(answer) == [
        ("ds/1", "run/2", "TRAINS"),
        ("ds/2", "run/2", "TRAINS"),
        ("mb/2", "dep/1", "DEPLOYED_TO"),
        ("mb/3", "dep/1", "DEPLOYED_TO"),
        ("ms/1", "run/2", "EXECUTES"),
        ("run/2", "mb/2", "PRODUCES"),
        ("run/2", "mb/3", "PRODUCES"),
    ]
    assert answer["truncated"] is False


async def test_upstream_reaches_the_data_origins_at_depth_six(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1", depth=6)
    assert nodes(answer)[6:] == [("lf/1", 4), ("lf/2", 4), ("fs/a", 5), ("fs/b", 5)]


async def test_downstream_of_a_feature_source(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "fs/a", direction="DOWNSTREAM")
    assert nodes(answer) == [
        ("lf/1", 1),
        ("lf/2", 1),
        ("ds/1", 2),
        ("ds/2", 2),
        ("run/1", 3),
        ("run/2", 3),
        ("run/3", 3),
    ]
    assert edges(answer) == [
        ("ds/1", "run/1", "TRAINS"),
        ("ds/1", "run/2", "TRAINS"),
        ("ds/2", "run/2", "TRAINS"),
        ("ds/2", "run/3", "TRAINS"),
        ("fs/a", "lf/1", "FEEDS"),
        ("fs/a", "lf/2", "FEEDS"),
        ("lf/1", "ds/1", "COMPOSES"),
        ("lf/2", "ds/1", "COMPOSES"),
        ("lf/2", "ds/2", "COMPOSES"),
    ]


async def test_both_is_the_union_of_the_directed_walks(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "mb/2", direction="BOTH", depth=2)
    # An undirected walk would also reach mb/3 (through run/2 or dep/1) and mb/1 (through dep/2).
    assert nodes(answer) == [
        ("dep/1", 1),
        ("dep/2", 1),
        ("run/2", 1),
        ("ds/1", 2),
        ("ds/2", 2),
        ("fs/log", 2),
        ("ms/1", 2),
    ]
    assert edges(answer) == [
        ("dep/1", "fs/log", "LOGS"),
        ("ds/1", "run/2", "TRAINS"),
        ("ds/2", "run/2", "TRAINS"),
        ("mb/2", "dep/1", "DEPLOYED_TO"),
        ("mb/2", "dep/2", "DEPLOYED_TO"),
        ("ms/1", "run/2", "EXECUTES"),
        ("run/2", "mb/2", "PRODUCES"),
    ]


async def test_a_feedback_loop_terminates_without_the_root(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load(engine, CYCLE)
    answer = await lineage(client, "fs/c", direction="DOWNSTREAM", depth=20)
    assert nodes(answer) == [("lf/c", 1), ("ds/c", 2), ("run/c", 3), ("mb/c", 4), ("dep/c", 5)]
    assert ("dep/c", "fs/c", "LOGS") in edges(answer)
    assert len(edges(answer)) == 6


async def test_types_filter_the_answer_not_the_walk(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1", types=["TRAINING_DATASET", "MODEL_SOURCE"])
    # Distances still count the binaries and the run the walk passed through.
    assert nodes(answer) == [("ds/1", 3), ("ds/2", 3), ("ms/1", 3)]
    assert edges(answer) == []


async def test_depth_zero_returns_no_nodes(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1", depth=0)
    assert (answer["root"]["key"], answer["nodes"], answer["edges"], answer["truncated"]) == (
        "dep/1",
        [],
        [],
        False,
    )


async def test_empty_types_return_no_nodes(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1", types=[])
    assert (answer["nodes"], answer["edges"], answer["truncated"]) == ([], [], False)


async def test_limit_keeps_the_first_nodes_and_says_so(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1", limit=2)
    assert nodes(answer) == [("mb/2", 1), ("mb/3", 1)]
    assert edges(answer) == [("mb/2", "dep/1", "DEPLOYED_TO"), ("mb/3", "dep/1", "DEPLOYED_TO")]
    assert answer["truncated"] is True
    assert (await lineage(small, "dep/1", limit=6))["truncated"] is False


async def test_explicit_nulls_take_the_defaults(small: httpx.AsyncClient) -> None:
    answer = await lineage(small, "dep/1", direction=None, depth=None, types=None, limit=None)
    assert answer == await lineage(small, "dep/1")


async def test_entities_carry_their_own_fields(small: httpx.AsyncClient) -> None:
    query = """{ lineage(key: "dep/1", depth: 1) { root { ... on ModelDeployment { environment } }
      nodes { entity { id name owner { key } ... on ModelBinary { run { key } } } } } }"""
    answer = (await graphql(small, query))["lineage"]
    assert answer["root"] == {"environment": "prod"}
    assert [node["entity"]["run"] for node in answer["nodes"]] == [{"key": "run/2"}, {"key": "run/2"}]
    assert answer["nodes"][0]["entity"]["owner"] == {"key": "team/ads"}


async def test_unknown_root_is_an_error_naming_it(small: httpx.AsyncClient) -> None:
    messages = await graphql_errors(small, LINEAGE, key="dep/nope")
    assert messages == ["lineage: no entity with key 'dep/nope'"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"depth": 21}, "lineage: depth must be between 0 and 20, not 21"),
        ({"depth": -1}, "lineage: depth must be between 0 and 20, not -1"),
        ({"limit": 10_001}, "lineage: limit must be between 0 and 10000, not 10001"),
        ({"limit": -1}, "lineage: limit must be between 0 and 10000, not -1"),
    ],
)
async def test_depth_and_limit_are_capped(
    small: httpx.AsyncClient, arguments: dict[str, int], message: str
) -> None:
    assert await graphql_errors(small, LINEAGE, key="dep/1", **arguments) == [message]


def fan_out(features: int) -> list[dict[str, Any]]:
    """One feature source feeding `features` logical features, each owned by a team."""
    records: list[dict[str, Any]] = [*TEAMS, entity("FeatureSource", "fs/root", owner="team/ads")]
    records += [
        entity("LogicalFeature", f"lf/{index:03}", owner="team/feed", sources=["fs/root"])
        for index in range(features)
    ]
    return records


NESTED = """{ lineage(key: "fs/root", direction: DOWNSTREAM, depth: 6) {
  root { key name owner { key } }
  nodes { distance entity { key name owner { key } } }
  edges { kind source { key name owner { key } } target { key name owner { key } } } } }"""


async def test_statements_do_not_grow_with_fan_out(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    counts = []
    for features in (10, 100):
        await load(engine, fan_out(features))
        with counting(engine) as statements:
            answer = (await graphql(client, NESTED))["lineage"]
        assert len(answer["nodes"]) == features
        counts.append(len(statements))
    # The walk with its edges, then the full rows of its entities (owners come with the rows).
    assert counts == [2, 2]
