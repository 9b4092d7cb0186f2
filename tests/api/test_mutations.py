"""Writes: the ingest mutation (counts, field errors with paths), deleteEntities, POST /ingest."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.ids import global_id
from tests.api.graphs import SMALL_GRAPH, graphql, keys, load

# These tests write: every request carries a write token.
pytestmark = pytest.mark.usefixtures("writer")

INGEST = """mutation($batch: IngestBatch!) { ingest(batch: $batch) {
  ok created updated unchanged warnings
  types { type created updated unchanged }
  errors { path message } } }"""

BATCH = {
    "teams": [{"key": "org", "name": "Org"}],
    "modelSources": [{"key": "ms/1", "name": "ranker", "owner": "org", "purpose": "ranking"}],
    "workflowRuns": [
        {
            "key": "run/1",
            "name": "train",
            "modelSource": "ms/1",
            "status": "SUCCEEDED",
            "startedAt": "2026-10-01T00:00:00Z",
        }
    ],
    "modelBinaries": [{"key": "mb/1", "name": "v1", "run": "run/1", "version": "1"}],
    "modelDeployments": [
        {
            "key": "dep/1",
            "name": "prod",
            "status": "ACTIVE",
            "binaries": [{"binary": "mb/1", "trafficPercent": 100, "role": "CONTROL"}],
        }
    ],
    "metricDefinitions": [
        {
            "key": "accuracy",
            "name": "Accuracy",
            "category": "MODEL",
            "entityType": "MODEL_BINARY",
            "buckets": [{"label": "POOR", "below": 0.8, "score": 0}, {"label": "GOOD", "score": 1}],
        }
    ],
    "metricValues": [
        {"metric": "accuracy", "entity": "mb/1", "value": 0.93, "observedAt": "2026-10-01T06:00:00Z"}
    ],
}


async def test_ingest_counts_created_then_unchanged(client: httpx.AsyncClient) -> None:
    result = (await graphql(client, INGEST, batch=BATCH))["ingest"]
    assert (result["ok"], result["created"], result["updated"], result["unchanged"]) == (True, 7, 0, 0)
    assert {t["type"]: t["created"] for t in result["types"]}["ModelBinary"] == 1
    assert result["errors"] == []
    again = (await graphql(client, INGEST, batch=BATCH))["ingest"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 7)
    query = """{ entity(key: "dep/1") { ... on ModelDeployment { status
        binaries { edges { trafficPercent role node { key ... on ModelBinary { run { key } } } } } } } }"""
    deployment = (await graphql(client, query))["entity"]
    assert deployment["status"] == "ACTIVE"
    assert deployment["binaries"]["edges"] == [
        {"trafficPercent": 100.0, "role": "CONTROL", "node": {"key": "mb/1", "run": {"key": "run/1"}}}
    ]


async def test_ingest_update_keeps_absent_fields_and_clears_nulls(client: httpx.AsyncClient) -> None:
    await graphql(client, INGEST, batch=BATCH)
    update = {"modelSources": [{"key": "ms/1", "repository": "git://x", "purpose": None}]}
    result = (await graphql(client, INGEST, batch=update))["ingest"]
    assert (result["updated"], result["unchanged"]) == (1, 0)
    query = '{ entity(key: "ms/1") { name ... on ModelSource { purpose repository } } }'
    assert (await graphql(client, query))["entity"] == {
        "name": "ranker",
        "purpose": None,
        "repository": "git://x",
    }


async def test_rejected_batch_reports_path_and_writes_nothing(client: httpx.AsyncClient) -> None:
    batch = {
        "modelSources": [{"key": "ms/9", "name": "fine"}],
        "modelBinaries": [{"key": "mb/8", "name": "ok"}, {"key": "mb/9", "name": "bad", "run": "run/404"}],
    }
    result = (await graphql(client, INGEST, batch=batch))["ingest"]
    assert result["ok"] is False
    assert result["created"] == 0
    [error] = result["errors"]
    assert error["path"] == "modelBinaries[1].run"
    assert "run/404" in error["message"]
    assert (await graphql(client, '{ entity(key: "ms/9") { key } }'))["entity"] is None


async def test_missing_name_names_the_field(client: httpx.AsyncClient) -> None:
    result = (await graphql(client, INGEST, batch={"teams": [{"key": "t"}]}))["ingest"]
    [error] = result["errors"]
    assert error["path"] == "teams[0].name"
    assert "name" in error["message"]


async def test_delete_entities_removes_their_edges(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    await load(engine, SMALL_GRAPH)
    mutation = 'mutation { deleteEntities(keys: ["nope", "mb/2", "dep/9"]) { deleted keys deletedIds } }'
    assert (await graphql(client, mutation))["deleteEntities"] == {
        "deleted": 1,
        "keys": ["mb/2"],
        "deletedIds": [global_id("ModelBinary", "mb/2")],
    }
    query = """{ entity(key: "run/2") { ... on WorkflowRun { binaries { edges { node { key } } } } }
      dep: entity(key: "dep/1") { ... on ModelDeployment { binaries { totalCount } } } }"""
    data = await graphql(client, query)
    assert keys(data["entity"]["binaries"]) == ["mb/3"]
    assert data["dep"]["binaries"]["totalCount"] == 1


async def test_post_ingest_accepts_json_lines(client: httpx.AsyncClient) -> None:
    body = (
        b'{"type":"Team","key":"org","name":"Org"}\n'
        b'{"type":"ModelSource","key":"ms/1","owner":"org","name":"m"}\n'
    )
    response = await client.post("/ingest", content=body)
    assert response.status_code == 200
    summary = response.json()
    assert (summary["created"], summary["types"]["ModelSource"]["created"]) == (2, 1)


async def test_post_ingest_rejection_names_the_line(client: httpx.AsyncClient) -> None:
    body = b'{"type":"Team","key":"org","name":"Org"}\n{"type":"Nope","key":"x"}\n'
    response = await client.post("/ingest", content=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("line 2: ")


async def test_mutation_over_get_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": 'mutation { deleteEntities(keys: ["x"]) { deleted } }'}
    )
    assert response.status_code == 405
