"""NUL characters in GraphQL arguments: refused with a reason on both engines, never a database error."""

from __future__ import annotations

import base64

import httpx
import pytest

from api.nul_characters import MESSAGE


@pytest.mark.parametrize(
    "query",
    [
        '{ entity(key: "a\\u0000b") { key } }',
        '{ lineage(key: "\\u{0}", direction: DOWNSTREAM) { truncated } }',
        '{ modelSources(filter: {nameContains: "x\\u0000"}) { totalCount } }',
    ],
)
async def test_nul_in_an_argument_is_refused(client: httpx.AsyncClient, query: str) -> None:
    response = await client.post("/graphql", json={"query": query})
    assert (response.status_code, response.json()["errors"][0]["message"]) == (400, MESSAGE)


async def test_nul_in_a_variable_is_refused(client: httpx.AsyncClient) -> None:
    query = "query Find($key: String!) { entity(key: $key) { key } }"
    response = await client.post("/graphql", json={"query": query, "variables": {"key": "a\x00b"}})
    assert (response.status_code, response.json()["errors"][0]["message"]) == (400, MESSAGE)


async def test_an_escaped_backslash_before_u0000_is_not_a_nul(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": '{ entity(key: "\\\\u0000") { key } }'})
    assert response.json() == {"data": {"entity": None}}


async def test_a_global_id_hiding_a_nul_names_nothing(client: httpx.AsyncClient) -> None:
    hidden = base64.urlsafe_b64encode(b"ModelSource:a\x00b").decode()
    response = await client.post("/graphql", json={"query": f'{{ node(id: "{hidden}") {{ id }} }}'})
    assert response.json() == {"data": {"node": None}}


async def test_a_nul_escape_written_with_json_escapes_is_refused(client: httpx.AsyncClient) -> None:
    # `\u005c` is a backslash: the query reads `"\u0000"`, GraphQL's escape of a NUL.
    body = b'{"query": "{ entity(key: \\"\\u005cu0000\\") { key } }"}'
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["errors"][0]["message"]) == (400, MESSAGE)
