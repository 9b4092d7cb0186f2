"""What a lineage selection costs and returns: walked entities alone, or full rows when asked for.

A selection of keys, names, ids, `__typename` and resolver fields is answered from the walk; one
that reads stored attributes anywhere at an entity position (directly, in fragments, on `root`,
nodes or edge ends) loads the full rows. Both must answer exactly what `entity(key)` answers.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api.graphs import SMALL_GRAPH, graphql, load
from tests.api.test_query_counts import counting

EVERYTHING = """fragment Everything on Entity {
  __typename id key name system createdAt updatedAt properties owner { key name }
  metrics { metric { key } value }
  ... on FeatureSource { kind uri }
  ... on LogicalFeature { description }
  ... on TrainingDataset { rowCount }
  ... on ModelSource { purpose repository }
  ... on WorkflowRun { runStatus: status startedAt finishedAt }
  ... on ModelBinary { version }
  ... on ModelDeployment { environment region deploymentStatus: status }
}"""
WALKED = """fragment Walked on Entity { __typename key name ... on Node { id } metrics { metric { key } } }"""


def lineage_of(fragment: str, name: str, at: str) -> str:
    """A BOTH lineage of dep/1 asking for the fragment at one entity position (or all of them)."""
    spread = f"{{ ...{name} }}"
    root = f"root {spread}" if at in ("root", "all") else "root { key }"
    entity = f"entity {spread}" if at in ("nodes", "all") else "entity { key }"
    ends = f"source {spread} target {spread}" if at in ("edges", "all") else "source { key } target { key }"
    return f"""{{ lineage(key: "dep/1", direction: BOTH, depth: 6) {{
      {root} nodes {{ distance {entity} }} edges {{ kind {ends} }} }} }}
    {fragment}"""


async def by_entity_query(client: httpx.AsyncClient, fragment: str, name: str, key: str) -> dict[str, Any]:
    query = f"query($key: String!) {{ entity(key: $key) {{ ...{name} }} }} {fragment}"
    found: dict[str, Any] = (await graphql(client, query, key=key))["entity"]
    return found


async def assert_agrees_with_entity(
    client: httpx.AsyncClient, answer: dict[str, Any], fragment: str, name: str
) -> int:
    """Every entity object of the answer equals `entity(key)` with the same fragment; returns how many."""
    objects = [answer["root"], *(node["entity"] for node in answer["nodes"])]
    objects += [end for edge in answer["edges"] for end in (edge["source"], edge["target"])]
    checked = 0
    for found in objects:
        if len(found) > 1:
            assert found == await by_entity_query(client, fragment, name, found["key"])
            checked += 1
    return checked


async def test_a_view_of_keys_and_names_is_one_statement(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load(engine, SMALL_GRAPH)
    query = """{ lineage(key: "dep/1", direction: BOTH, depth: 6) {
      root { key name __typename } nodes { distance entity { key name __typename } }
      edges { kind source { key } target { key } } truncated } }"""
    with counting(engine) as statements:
        answer = (await graphql(client, query))["lineage"]
    assert len(statements) == 1
    assert answer["root"] == {"key": "dep/1", "name": "dep/1", "__typename": "ModelDeployment"}
    assert len(answer["nodes"]) == 11


async def test_walked_entities_answer_ids_and_resolver_fields(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load(engine, SMALL_GRAPH)
    with counting(engine) as statements:
        answer = (await graphql(client, lineage_of(WALKED, "Walked", "all")))["lineage"]
    # The walk, then the metrics of every entity in one batch: no entity rows.
    assert not any("owner" in statement for statement in statements)
    assert await assert_agrees_with_entity(client, answer, WALKED, "Walked") == 1 + 11 + 2 * len(
        answer["edges"]
    )


async def test_stored_fields_at_any_position_load_full_rows(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load(engine, SMALL_GRAPH)
    for at in ("root", "nodes", "edges", "all"):
        with counting(engine) as statements:
            answer = (await graphql(client, lineage_of(EVERYTHING, "Everything", at)))["lineage"]
        assert len(statements) >= 2, at
        assert await assert_agrees_with_entity(client, answer, EVERYTHING, "Everything") > 0, at


async def test_a_type_condition_alone_is_enough_to_load_rows(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load(engine, SMALL_GRAPH)
    query = (
        """{ lineage(key: "dep/1", depth: 2) { nodes { entity { key ... on ModelBinary { version } } } } }"""
    )
    with counting(engine) as statements:
        answer = (await graphql(client, query))["lineage"]
    assert len(statements) == 2
    binaries = [node["entity"] for node in answer["nodes"] if node["entity"]["key"].startswith("mb/")]
    assert binaries and all("version" in binary for binary in binaries)


async def test_two_aliased_walks_in_one_document_each_keep_their_own_selection(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """What a selection reads is remembered per document and field: sent again, each alias still
    loads rows only where it reads stored attributes."""
    await load(engine, SMALL_GRAPH)
    query = """{ plain: lineage(key: "dep/1", depth: 2) { nodes { entity { key } } }
      rich: lineage(key: "dep/1", depth: 2) { nodes { entity { key system } } } }"""
    for _ in range(2):
        with counting(engine) as statements:
            answer = await graphql(client, query)
        assert len(statements) == 3
        assert all(set(node["entity"]) == {"key"} for node in answer["plain"]["nodes"])
        assert all(set(node["entity"]) == {"key", "system"} for node in answer["rich"]["nodes"])
        assert [node["entity"]["key"] for node in answer["plain"]["nodes"]] == [
            node["entity"]["key"] for node in answer["rich"]["nodes"]
        ]
