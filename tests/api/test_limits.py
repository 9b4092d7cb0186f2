"""Hostile requests are refused before execution with HTTP 400 naming the limit; big bodies with 413."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.limits import MAX_ALIASES, MAX_BODY_BYTES, MAX_DEPTH, MAX_TOKENS


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables})


def refused_for(response: httpx.Response, limit: str) -> str:
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": limit}
    message: str = error["message"]
    return message


def let_through(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.json()


def nested(depth: int) -> str:
    """A query `depth` fields deep: teams > edges > node > parent … > key."""
    parents = depth - 4
    return "{ teams { edges { node { " + "parent { " * parents + "key" + " }" * parents + " } } } }"


async def test_depth_at_the_limit_passes(client: httpx.AsyncClient) -> None:
    let_through(await post(client, nested(MAX_DEPTH)))


async def test_depth_over_the_limit_is_400(client: httpx.AsyncClient) -> None:
    message = refused_for(await post(client, nested(MAX_DEPTH + 1)), "depth")
    assert "depth limit" in message and str(MAX_DEPTH) in message


async def test_depth_counts_through_fragments(client: httpx.AsyncClient) -> None:
    query = "query { teams { edges { node { ...Up } } } } fragment Up on Team { " + (
        "parent { " * (MAX_DEPTH - 3) + "key" + " }" * (MAX_DEPTH - 3) + " }"
    )
    refused_for(await post(client, query), "depth")


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{index}: teams {{ totalCount }}" for index in range(count)) + " }"


async def test_aliases_at_the_limit_pass(client: httpx.AsyncClient) -> None:
    let_through(await post(client, aliased(MAX_ALIASES)))


async def test_aliases_over_the_limit_are_400(client: httpx.AsyncClient) -> None:
    assert "alias limit" in refused_for(await post(client, aliased(MAX_ALIASES + 1)), "aliases")


async def test_fragments_spread_many_times_are_refused_quickly(client: httpx.AsyncClient) -> None:
    # Each fragment spreads the next twice: expanded, 2**40 aliases; measured once per fragment.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = f"query {{ ...F0 }} {fragments} fragment F40 on Query {{ a: __typename }}"
    refused_for(await post(client, query), "aliases")


def ids_query(tokens: int) -> str:
    """A query of exactly `tokens` lexical tokens: 12 of syntax, the rest ids."""
    return "{ nodes(ids: [" + '"x" ' * (tokens - 12) + "]) { id } }"


async def test_tokens_at_the_limit_pass(client: httpx.AsyncClient) -> None:
    let_through(await post(client, ids_query(MAX_TOKENS)))


async def test_tokens_over_the_limit_are_400(client: httpx.AsyncClient) -> None:
    assert "token limit" in refused_for(await post(client, ids_query(MAX_TOKENS + 1)), "tokens")


def pages(innermost: int) -> str:
    """Three nested pages: 100 sources x 100 runs x `innermost` binaries."""
    return (
        "{ modelSources(first: 100) { edges { node { runs(first: 100) { edges { node {"
        f" binaries(first: {innermost}) {{ edges {{ node {{ key }} }} }} }} }} }} }} }} }} }}"
    )


async def test_cost_just_under_the_limit_passes(client: httpx.AsyncClient) -> None:
    let_through(await post(client, pages(47)))  # 490,201 items at most


async def test_cost_over_the_limit_is_400(client: httpx.AsyncClient) -> None:
    assert "cost limit" in refused_for(await post(client, pages(49)), "cost")  # 510,201


async def test_cost_reads_page_sizes_from_variables(client: httpx.AsyncClient) -> None:
    query = pages(49).replace("modelSources(first: 100)", "modelSources(first: $n)")
    query = "query($n: Int) " + query
    let_through(await post(client, query, n=10))
    refused_for(await post(client, query, n=100), "cost")


async def test_counts_alone_are_not_multiplied(client: httpx.AsyncClient) -> None:
    query = pages(49).replace("edges { node { key } }", "totalCount")
    let_through(await post(client, query))


@pytest.mark.parametrize("argument", ["first: 101", "last: 101", "first: -1"])
async def test_page_size_over_the_cap_is_400(client: httpx.AsyncClient, argument: str) -> None:
    message = refused_for(await post(client, f"{{ teams({argument}) {{ totalCount }} }}"), "page size")
    assert "must be between 0 and 100" in message


async def test_page_size_from_a_variable_is_checked(client: httpx.AsyncClient) -> None:
    query = "query($n: Int) { teams { edges { node { children(first: $n) { totalCount } } } } }"
    let_through(await post(client, query, n=100))
    refused_for(await post(client, query, n=101), "page size")


async def test_body_at_the_cap_passes(client: httpx.AsyncClient) -> None:
    body = b'{"query": "{ teams { totalCount } }"}'
    body += b" " * (MAX_BODY_BYTES - len(body))
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    let_through(response)


@pytest.mark.parametrize("path", ["/graphql", "/ingest", "/api/v1/lineage"])
async def test_body_over_the_cap_is_413(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(path, content=b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert "body size limit" in response.text


async def test_body_over_the_cap_without_length_is_413(writer: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"\n" * (MAX_BODY_BYTES // 2)

    response = await writer.post("/ingest", content=chunks())
    assert response.status_code == 413


async def test_introspection_is_on_by_default(client: httpx.AsyncClient) -> None:
    let_through(await post(client, "{ __schema { queryType { name } } }"))
    response = await post(client, "{ teams { totalCont } }")
    assert "Did you mean" in response.json()["errors"][0]["message"]


async def test_introspection_off_refuses_schema_queries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGRAPH_INTROSPECTION", "0")
    refused_for(await post(client, "{ __schema { queryType { name } } }"), "introspection")
    refused_for(await post(client, '{ __type(name: "Team") { name } }'), "introspection")
    let_through(await post(client, "{ __typename }"))


async def test_introspection_off_hides_suggestions(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGRAPH_INTROSPECTION", "0")
    response = await post(client, "{ teams { totalCont } }")
    [error] = response.json()["errors"]
    assert error["message"] == "Cannot query field 'totalCont' on type 'TeamConnection'."
