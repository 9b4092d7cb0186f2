"""The HTTP surface: GraphiQL, GraphQL over GET and POST, health, malformed requests, masked errors."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from graph import lookups
from graph.db import create_engine


async def test_get_without_query_serves_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql")
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_get_with_query_executes_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ teams { totalCount } }"})
    assert response.json() == {"data": {"teams": {"totalCount": 0}}}


async def test_healthz_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "worker": os.getpid()})


async def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'aigraph.db'}")
    app = create_app(engine=engine)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            response = await client.get("/healthz")
    finally:
        await engine.dispose()
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the request body is not valid JSON"),
        (b"[1]", "the request body must be a JSON object"),
        (b"{}", "the request has no `query`"),
        (b'{"query": "{ teams { totalCount } }", "variables": [1]}', "`variables` must be a JSON object"),
    ],
)
async def test_malformed_requests_are_400(client: httpx.AsyncClient, body: bytes, message: str) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"errors": [{"message": message}]})


async def test_syntax_errors_are_reported_with_their_location(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ teams { "})).json()
    assert body["data"] is None
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 11}]


async def test_malformed_global_id_is_null_not_an_error(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": '{ node(id: "%%%") { id } }'})).json()
    assert body == {"data": {"node": None}}


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(lookups, "entities_by_keys", broken)
    response = await client.post("/graphql", json={"query": '{ entity(key: "x") { key } }'})
    [error] = response.json()["errors"]
    assert "secret" not in error["message"]
    assert error["message"].startswith("Unexpected error")
    request_id = response.headers["x-request-id"]
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def test_errors_a_client_can_fix_are_shown(client: httpx.AsyncClient) -> None:
    body = (
        await client.post("/graphql", json={"query": "{ modelSources(first: 1000) { totalCount } }"})
    ).json()
    assert body["errors"][0]["message"] == "`first` must be between 0 and 100, got 1000"


async def test_other_methods_on_graphql_get_405_with_the_allowed_ones(client: httpx.AsyncClient) -> None:
    # GET and POST are taken straight to the endpoint; anything else goes through the router.
    response = await client.put("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


async def test_graphql_is_served_under_a_root_path(engine: AsyncEngine) -> None:
    app = create_app(engine=engine)
    transport = httpx.ASGITransport(app=app, root_path="/aigraph")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/aigraph/graphql", json={"query": "{ __typename }"})
        assert response.json() == {"data": {"__typename": "Query"}}
        assert len(response.headers["x-request-id"]) == 16
        assert (await client.get("/aigraph/healthz")).json()["status"] == "ok"
