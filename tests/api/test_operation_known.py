"""Queries run before without an error skip strawberry's execute, and still answer as it would.

The first request of a document goes through `schema.execute` (extensions and all); later
requests of the same query text run graphql-core's execute directly, with the same bytes in the
answer. A request that meets any error there is answered by the full path: masked, logged and
counted as always. Mutations always take the full path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

import api.operation_known
from api.bounded_cache import OldestFirst
from api.schema import schema
from graph import lookups
from tests.api.graphs import SMALL_GRAPH, load
from tests.api.test_operation_direct import post

ENTITY = "query One($key: String!) { entity(key: $key) { key name ... on ModelDeployment { status } } }"
# Not only walks: the lineage path of api.operation_direct leaves it to the executor.
WALK = """query W($key: String!, $depth: Int) {
  lineage(key: $key, depth: $depth) { truncated } entity(key: $key) { key } }"""
PAGE = "query Page($first: Int) { teams(first: $first) { totalCount edges { node { key } } } }"


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The query of every request that went through strawberry's execute, nothing known before."""
    monkeypatch.setattr(api.operation_known, "_KNOWN", OldestFirst(api.operation_known.KNOWN_CACHE_SIZE))
    runs: list[str] = []
    execute = schema.execute

    async def recording(query: str, *args: Any, **kwargs: Any) -> Any:
        runs.append(query)
        return await execute(query, *args, **kwargs)

    monkeypatch.setattr(schema, "execute", recording)
    yield runs


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (ENTITY, {"key": "dep/1"}),
        (PAGE, {"first": 2}),
        ("{ __typename }", None),
        ('{ __type(name: "Team") { name fields { name } } }', None),
    ],
)
async def test_a_known_query_skips_the_full_path_with_the_same_answer(
    engine: AsyncEngine, client: httpx.AsyncClient, full_runs: list[str], document: str, variables: Any
) -> None:
    await load(engine, SMALL_GRAPH)
    expected = await post(client, document, variables)
    assert b'"errors"' not in expected
    for _ in range(3):
        assert await post(client, document, variables) == expected
    assert full_runs == [document]


async def test_other_variables_of_a_known_query_get_their_own_answer(
    engine: AsyncEngine, client: httpx.AsyncClient, full_runs: list[str]
) -> None:
    await load(engine, SMALL_GRAPH)
    assert b'"key":"dep/1"' in await post(client, ENTITY, {"key": "dep/1"})
    assert await post(client, ENTITY, {"key": "nope"}) == b'{"data":{"entity":null}}'
    assert (
        await post(client, ENTITY, {"key": "fs/log"})
        == b'{"data":{"entity":{"key":"fs/log","name":"ranker logs"}}}'
    )
    assert full_runs == [ENTITY]


async def test_an_error_on_a_known_query_is_answered_by_the_full_path(
    engine: AsyncEngine, client: httpx.AsyncClient, full_runs: list[str]
) -> None:
    await load(engine, SMALL_GRAPH)
    await post(client, WALK, {"key": "dep/1", "depth": 2})
    unknown = await post(client, WALK, {"key": "nope", "depth": 2})
    wrong = await post(client, WALK, {"key": "dep/1", "depth": "two"})
    # The full path's own answers: the same bytes as when the document was never seen.
    api.operation_known._KNOWN.clear()
    assert await post(client, WALK, {"key": "nope", "depth": 2}) == unknown
    assert b"no entity with key 'nope'" in unknown
    assert await post(client, WALK, {"key": "dep/1", "depth": "two"}) == wrong
    assert b"Int cannot represent non-integer value" in wrong
    assert full_runs == [WALK] * 5


async def test_an_unexpected_error_on_a_known_query_is_masked_logged_and_counted(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    full_runs: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await load(engine, SMALL_GRAPH)
    await post(client, ENTITY, {"key": "dep/1"})

    async def broken(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(lookups, "entities_by_keys", broken)
    before = REGISTRY.get_sample_value("aigraph_errors_total", {"kind": "internal"}) or 0.0
    with caplog.at_level(logging.ERROR):
        body = await post(client, ENTITY, {"key": "dep/1"})
    assert b"secret" not in body and b"Unexpected error" in body
    assert any("req-7" in record.getMessage() and record.exc_info for record in caplog.records)
    assert REGISTRY.get_sample_value("aigraph_errors_total", {"kind": "internal"}) == before + 1
    assert full_runs == [ENTITY, ENTITY]


async def test_mutations_always_take_the_full_path(
    client: httpx.AsyncClient, full_runs: list[str], write_token: str
) -> None:
    mutation = 'mutation { ingest(batch: {teams: [{key: "team/x", name: "X"}]}) { created } }'
    for _ in range(2):
        response = await client.post(
            "/graphql", json={"query": mutation}, headers={"authorization": f"Bearer {write_token}"}
        )
        assert "errors" not in response.json(), response.text
    assert full_runs == [mutation, mutation]


async def test_a_known_introspection_query_is_refused_once_introspection_is_off(
    client: httpx.AsyncClient, full_runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = "{ __schema { queryType { name } } }"
    await post(client, document, None)
    await post(client, document, None)
    monkeypatch.setenv("AIGRAPH_INTROSPECTION", "0")
    response = await client.post("/graphql", json={"query": document})
    assert "introspection" in response.text
    assert full_runs == [document]
