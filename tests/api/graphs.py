"""Small graphs by name for API tests, written through the store's ingest, and a GraphQL helper."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest, record_list


def entity(entity_type: str, key: str, **fields: Any) -> dict[str, Any]:
    return {"type": entity_type, "key": key, "name": fields.pop("name", key), **fields}


TEAMS = [
    {"type": "Team", "key": "org", "name": "Org"},
    {"type": "Team", "key": "group/ml", "name": "ML", "parent": "org"},
    {"type": "Team", "key": "team/ads", "name": "Ads", "parent": "group/ml"},
    {"type": "Team", "key": "team/feed", "name": "Feed", "parent": "org"},
]

# Two model sources; run/2 produced two binaries created at the same instant (a latestBinary tie);
# dep/1 serves mb/2 (CONTROL) and mb/3 (CANARY) and logs into fs/log (a feedback loop).
SMALL_GRAPH = [
    *TEAMS,
    entity(
        "FeatureSource",
        "fs/a",
        name="Clicks",
        owner="team/ads",
        system="hive",
        kind="TABLE",
        created_at="2026-01-01T00:00:00Z",
    ),
    entity(
        "FeatureSource",
        "fs/b",
        name="Views",
        owner="team/feed",
        system="kafka",
        kind="STREAM",
        created_at="2026-01-02T00:00:00Z",
    ),
    entity(
        "FeatureSource",
        "fs/log",
        name="ranker logs",
        owner="team/ads",
        system="scribe",
        kind="LOG",
        logged_from=["dep/1"],
        created_at="2026-01-03T00:00:00Z",
    ),
    entity("LogicalFeature", "lf/1", owner="team/ads", sources=["fs/a", "fs/b"]),
    entity("LogicalFeature", "lf/2", owner="team/ads", sources=["fs/a"]),
    entity("TrainingDataset", "ds/1", owner="team/ads", features=["lf/1", "lf/2"], row_count=10),
    entity("TrainingDataset", "ds/2", owner="team/feed", features=["lf/2"]),
    entity("ModelSource", "ms/1", owner="team/ads", purpose="ranking"),
    entity("ModelSource", "ms/2", owner="team/feed", purpose="retrieval"),
    entity(
        "WorkflowRun", "run/1", owner="team/ads", model_source="ms/1", datasets=["ds/1"], status="SUCCEEDED"
    ),
    entity(
        "WorkflowRun",
        "run/2",
        owner="team/ads",
        model_source="ms/1",
        datasets=["ds/1", "ds/2"],
        status="FAILED",
    ),
    entity(
        "WorkflowRun", "run/3", owner="team/feed", model_source="ms/2", datasets=["ds/2"], status="RUNNING"
    ),
    entity("ModelBinary", "mb/1", owner="team/ads", run="run/1", created_at="2026-01-01T00:00:00Z"),
    entity("ModelBinary", "mb/2", owner="team/ads", run="run/2", created_at="2026-02-01T00:00:00Z"),
    entity("ModelBinary", "mb/3", owner="team/ads", run="run/2", created_at="2026-02-01T00:00:00Z"),
    entity("ModelBinary", "mb/4", owner="team/feed", run="run/3", created_at="2026-03-01T00:00:00Z"),
    entity(
        "ModelDeployment",
        "dep/1",
        owner="team/ads",
        environment="prod",
        region="us-east",
        status="ACTIVE",
        binaries=[
            {"binary": "mb/2", "traffic_percent": 90, "role": "CONTROL"},
            {"binary": "mb/3", "traffic_percent": 10, "role": "CANARY"},
        ],
    ),
    entity(
        "ModelDeployment",
        "dep/2",
        owner="team/feed",
        environment="staging",
        region="eu",
        status="CANARY",
        binaries=[{"binary": "mb/1", "traffic_percent": 100}, {"binary": "mb/2", "role": "CANARY"}],
    ),
]


def model_fleet(models: int) -> list[dict[str, Any]]:
    """`models` model sources, each with two runs, two binaries per run and one deployment per binary."""
    records: list[dict[str, Any]] = list(TEAMS)
    for index in range(models):
        records.append(entity("ModelSource", f"ms/{index:04}", owner="team/ads"))
        for run in range(2):
            run_key = f"run/{index:04}/{run}"
            records.append(entity("WorkflowRun", run_key, owner="team/ads", model_source=f"ms/{index:04}"))
            for binary in range(2):
                binary_key = f"{run_key}/mb/{binary}"
                records.append(entity("ModelBinary", binary_key, run=run_key))
                records.append(entity("ModelDeployment", f"{binary_key}/dep", binaries=[binary_key]))
    return records


async def load(engine: AsyncEngine, records: list[dict[str, Any]]) -> None:
    await ingest(engine, record_list(records))


async def graphql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """The data of a query that must succeed."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def graphql_errors(client: httpx.AsyncClient, query: str, **variables: Any) -> list[str]:
    """The error messages of a query that must fail."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert body.get("errors"), body
    return [error["message"] for error in body["errors"]]


def keys(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["key"] for edge in connection["edges"]]
