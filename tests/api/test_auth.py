"""Bearer tokens: writes need a write token, reads are open unless a read token is required."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.tokens import create_token, revoke_token
from tests.graph.factories import snapshot

OPENLINEAGE_EVENT = {
    "eventType": "START",
    "eventTime": "2026-10-01T00:00:00Z",
    "producer": "https://example.com/producer",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "0190e3f2-6f3a-7c1e-9f45-2b1d2f9c1a01"},
    "job": {"namespace": "airflow", "name": "train"},
    "inputs": [],
    "outputs": [],
}
# One request per write route, each writing something when it is let through.
WRITES: dict[str, dict[str, Any]] = {
    "mutation": {
        "url": "/graphql",
        "json": {"query": 'mutation { ingest(batch: {modelSources: [{key: "ms/1", name: "m"}]}) { ok } }'},
    },
    "ingest": {"url": "/ingest", "content": b'{"type":"ModelSource","key":"ms/1","name":"m"}\n'},
    "openlineage": {"url": "/api/v1/lineage", "json": OPENLINEAGE_EVENT},
}
READ = {"query": "{ modelSources { totalCount } }"}


async def token(engine: AsyncEngine, scope: str) -> str:
    return (await create_token(engine, scope))[1]


def bearer(value: str) -> dict[str, str]:
    return {"authorization": f"Bearer {value}"}


async def send(
    client: httpx.AsyncClient, route: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    request = dict(WRITES[route])
    return await client.post(request.pop("url"), headers=headers, **request)


@pytest.mark.parametrize("route", WRITES)
async def test_write_without_token_is_401_and_writes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, route: str
) -> None:
    before = await snapshot(engine)
    response = await send(client, route)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await snapshot(engine) == before


@pytest.mark.parametrize("route", WRITES)
async def test_write_with_unknown_token_is_401(
    client: httpx.AsyncClient, engine: AsyncEngine, route: str
) -> None:
    before = await snapshot(engine)
    response = await send(client, route, bearer("aig_not-a-token"))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert await snapshot(engine) == before


@pytest.mark.parametrize("route", WRITES)
async def test_write_with_read_token_is_403_and_writes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, route: str
) -> None:
    headers = bearer(await token(engine, "read"))
    before = await snapshot(engine)
    response = await send(client, route, headers)
    assert response.status_code == 403
    assert "write token" in response.text
    assert await snapshot(engine) == before


@pytest.mark.parametrize("route", WRITES)
async def test_write_with_write_token_is_let_through(
    client: httpx.AsyncClient, engine: AsyncEngine, route: str
) -> None:
    response = await send(client, route, bearer(await token(engine, "write")))
    assert response.status_code in (200, 201), response.text
    assert "errors" not in response.json()


async def test_revoked_token_is_refused(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    info, secret = await create_token(engine, "write")
    assert (await send(client, "ingest", bearer(secret))).status_code == 200
    await revoke_token(engine, info.id)
    assert (await send(client, "ingest", bearer(secret))).status_code == 401


async def test_other_schemes_are_not_tokens(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    secret = await token(engine, "write")
    response = await send(client, "ingest", {"authorization": f"Basic {secret}"})
    assert response.status_code == 401


async def test_mutation_refusal_is_a_graphql_error_body(client: httpx.AsyncClient) -> None:
    response = await send(client, "mutation")
    assert response.json() == {"errors": [{"message": "this request needs a write token"}]}


async def test_reads_are_open_by_default(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=READ)
    assert response.json() == {"data": {"modelSources": {"totalCount": 0}}}


async def test_required_read_token_refuses_anonymous_reads(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGRAPH_REQUIRE_READ_TOKEN", "1")
    response = await client.post("/graphql", json=READ)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/graphql", params=READ)).status_code == 401


@pytest.mark.parametrize("scope", ["read", "write"])
async def test_required_read_token_accepts_either_scope(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    monkeypatch.setenv("AIGRAPH_REQUIRE_READ_TOKEN", "1")
    response = await client.post("/graphql", json=READ, headers=bearer(await token(engine, scope)))
    assert response.json() == {"data": {"modelSources": {"totalCount": 0}}}


async def test_required_read_token_leaves_health_open(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGRAPH_REQUIRE_READ_TOKEN", "1")
    assert (await client.get("/healthz")).status_code == 200
