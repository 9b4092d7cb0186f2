"""The fast executor answers exactly as the stock one: same data, same errors in the same order.

Each document runs on the stock executor and twice on ours (the second time from cached plans),
over an in-memory schema built for it (tests/api/executor_schema.py) and over the application's
schema on a small graph.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any, ClassVar

import pytest
import strawberry
from graphql import get_introspection_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.context import get_context
from api.executor import FastExecutor
from api.schema import build_schema, schema
from tests.api import executor_schema
from tests.api.graphs import SMALL_GRAPH, load


def answer(result: Any) -> dict[str, Any]:
    return {"data": result.data, "errors": [error.formatted for error in result.errors or ()]}


async def settled_answer(
    on: strawberry.Schema, document: str, variables: dict[str, Any] | None, context: Any
) -> dict[str, Any]:
    result = await on.execute(document, variable_values=variables, context_value=context)
    # A bubbling error leaves sibling work to settle in the background (both executors do): let it
    # finish, or the loop closes on coroutines never awaited.
    while pending := asyncio.all_tasks() - {asyncio.current_task()}:
        await asyncio.gather(*pending, return_exceptions=True)
    return answer(result)


async def same_answer(
    stock: strawberry.Schema,
    fast: strawberry.Schema,
    document: str,
    variables: dict[str, Any] | None = None,
    context: Any = None,
) -> dict[str, Any]:
    expected = await settled_answer(stock, document, variables, context)
    for _ in range(2):
        assert await settled_answer(fast, document, variables, context) == expected
    return expected


async def same(document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return await same_answer(executor_schema.STOCK, executor_schema.FAST, document, variables)


PART_LEAVES = "key name weight ratio color made tags extra fragile colors broken doubled __typename"
ALL_FIELDS = f"""
query {{
  shelf {{
    count
    first {{ __typename key ...thing }}
    things {{
      __typename
      ... on Part {{ {PART_LEAVES} label twin {{ key twin {{ weight }} }} }}
      ... on Box {{ size inner {{ key name }} parts {{ key }} sealedParts {{ key doubled }} }}
    }}
    boxes {{ key loose {{ ...thing ... on Part {{ weight }} }} parts {{ {PART_LEAVES} }} }}
  }}
}}
fragment thing on Thing {{ key name }}
"""


async def test_every_kind_of_field_matches() -> None:
    data = (await same(ALL_FIELDS))["data"]
    assert data["shelf"]["things"][1]["__typename"] == "Part"
    assert data["shelf"]["things"][2] is None


async def test_aliases_and_repeated_fields_merge_in_document_order() -> None:
    await same("""{ shelf { b: boxes { k: key size key parts { w: weight weight w2: weight } }
      boxes { name parts { key } } count } s: shelf { count } }""")


async def test_skip_and_include_follow_the_variables() -> None:
    document = """query($a: Boolean!, $b: Boolean = true) { shelf {
      boxes { key @skip(if: $a) name @include(if: $b) parts @include(if: $a) { key weight @skip(if: $b) }
        ... on Box @skip(if: $b) { size } } } }"""
    answers = [await same(document, {"a": a, "b": b}) for a in (True, False) for b in (True, False)]
    assert len({repr(item) for item in answers}) == 4


async def test_non_null_violation_bubbles_to_the_nearest_nullable_field() -> None:
    nulled_root = await same("{ shelf { boxes { key parts { key label } } } }")
    assert nulled_root["data"] is None
    assert nulled_root["errors"][0]["path"] == ["shelf", "boxes", 2, "parts", 3, "label"]
    nulled_field = await same("{ laterShelf { boxes { parts { label } } } count: shelf { count } }")
    assert nulled_field["data"] == {"laterShelf": None, "count": {"count": 3}}


async def test_resolver_errors_mid_list_keep_their_paths_and_order() -> None:
    result = await same("{ shelf { boxes { parts { key broken doubled } } } }")
    assert [error["path"] for error in result["errors"]][:2] == [
        ["shelf", "boxes", 0, "parts", 2, "broken"],
        ["shelf", "boxes", 1, "parts", 1, "broken"],
    ]


async def test_a_non_null_resolver_error_nulls_its_parent_item() -> None:
    result = await same("{ laterShelf { things { ... on Part { key strict } } boxes { parts { strict } } } }")
    assert result["errors"] and result["data"] == {"laterShelf": None}


async def test_async_fields_inside_planned_lists() -> None:
    await same("{ laterShelf(boxes: 4) { boxes { loose { __typename key } parts { twin { doubled } } } } }")


async def test_abstract_field_with_argument() -> None:
    for key in ("p99", "b1", "missing"):
        await same(
            "query($key: String!) { thing(key: $key) { __typename key ... on Box { size } } }", {"key": key}
        )


async def test_mutation_result() -> None:
    result = await same('mutation { rename(key: "x", name: "y") { key name parts { key color made } } }')
    assert result["data"]["rename"]["key"] == "x"


async def test_introspection() -> None:
    await same(get_introspection_query(descriptions=True))


async def test_a_large_list_matches() -> None:
    await same("{ bigShelf(boxes: 20) { boxes { key parts { key name weight color made tags } } } }")


class CountingExecutor(FastExecutor):
    """Records the fields that reach the stock per-field machinery."""

    stock_fields: ClassVar[list[str]] = []

    def execute_field(self, parent_type: Any, source: Any, details: Any, path: Any, context: Any) -> Any:
        self.stock_fields.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, path, context)


async def test_only_fields_with_resolvers_reach_the_stock_machinery() -> None:
    counting = executor_schema.build(CountingExecutor)
    document = "{ laterShelf { count first { key } boxes { key parts { key weight color tags doubled } } } }"
    for _ in range(2):
        CountingExecutor.stock_fields.clear()
        result = await counting.execute(document)
        assert not result.errors
        assert CountingExecutor.stock_fields == ["Query.laterShelf"] + ["Part.doubled"] * 12


class InterpretingExecutor(FastExecutor):
    """Records the objects completed through their plan rather than their compiled function."""

    interpreted: ClassVar[list[str]] = []

    def execute_plan(self, plan: Any, source: Any, path: Any) -> Any:
        self.interpreted.append(plan.type_name)
        return super().execute_plan(plan, source, path)


async def test_plain_selections_run_as_compiled_functions() -> None:
    interpreting = executor_schema.build(InterpretingExecutor)
    document = """{ bigShelf(boxes: 5, parts: 3) { count
      boxes { key name size inner { key } sealedParts { key }
        parts { key name weight ratio color made tags extra fragile label colors __typename } } } }"""
    expected = await same(document)
    for _ in range(2):
        InterpretingExecutor.interpreted.clear()
        result = await interpreting.execute(document)
        assert answer(result) == expected
    # Once the classes are known, no object of this document goes through the per-field loop.
    assert InterpretingExecutor.interpreted == []


async def test_a_value_the_compiled_function_cannot_vouch_for_goes_through_the_plan() -> None:
    interpreting = executor_schema.build(InterpretingExecutor)
    document = "{ shelf { boxes { key parts { key label } } } }"
    expected = await same(document)
    for _ in range(2):
        InterpretingExecutor.interpreted.clear()
        assert answer(await interpreting.execute(document)) == expected
    # The null label of the last box's last part: that object is completed again through its plan.
    assert "Part" in InterpretingExecutor.interpreted


def _leaf(name: str) -> st.SearchStrategy[str]:
    alias = [] if name.startswith("...") else [f"x{name.strip('_')}: {name}"]
    return st.sampled_from([name, *alias, f"{name} @skip(if: $flag)", f"{name} @include(if: $flag)"])


def _selection(type_name: str, depth: int) -> st.SearchStrategy[str]:
    leaves = {
        "Part": [*PART_LEAVES.split(), "label", "strict"],
        "Box": ["key", "name", "size", "__typename"],
        "Thing": ["key", "name", "__typename", "...thing"],
    }[type_name]
    choices: list[st.SearchStrategy[str]] = [st.sampled_from(leaves).flatmap(_leaf)]
    if depth > 0:
        nested = {
            "Part": [("twin", "Part")],
            "Box": [("parts", "Part"), ("inner", "Box"), ("sealedParts", "Part"), ("loose", "Thing")],
            "Thing": [("... on Part", "Part"), ("... on Box", "Box")],
        }[type_name]
        for field, child in nested:
            choices.append(
                _selection(child, depth - 1).map(lambda inner, field=field: f"{field} {{ {inner} }}")
            )
    return st.lists(st.one_of(choices), min_size=1, max_size=5).map(" ".join)


DOCUMENTS = st.builds(
    lambda things, boxes: (
        f"""query($flag: Boolean!) {{ count: shelf {{ count @include(if: $flag) first {{ ...thing }} }}
      shelf {{ things {{ {things} }} boxes {{ {boxes} }} }} laterShelf {{ first {{ {things} }} }} }}
      fragment thing on Thing {{ key name }}"""
    ),
    _selection("Thing", 2),
    _selection("Box", 2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS, flag=st.booleans())
def test_random_selections_match(document: str, flag: bool) -> None:
    asyncio.run(same(document, {"flag": flag}))


def test_the_application_schema_runs_on_planned_selections() -> None:
    # An extension with a `resolve` hook becomes middleware around every field, which turns plans off.
    assert schema.execution_context_class is FastExecutor
    assert [type(item).__name__ for item in schema.get_extensions() if item._implements_resolve()] == []


# The application's schema, on the stock executor and on ours.
APP_STOCK = copy.copy(build_schema())
APP_STOCK.execution_context_class = StrawberryGraphQLCoreExecutionContext
APP_FAST = copy.copy(APP_STOCK)
APP_FAST.execution_context_class = FastExecutor

APP_DOCUMENTS = [
    """{ modelSources(first: 2) { totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { __typename id key name system createdAt updatedAt properties
        owner { key name }
        runs(first: 5) { edges { node { key status datasets { edges { node { key } } } } } }
        latestBinary { key } deployments { edges { node { key } } } } } } }""",
    """query($key: String!) { entity(key: $key) { __typename ...bits
      ... on ModelDeployment { environment status
        binaries { edges { trafficPercent role node { key ...bits } } } } } }
      fragment bits on Entity { key name owner { key } }""",
    """query($full: Boolean!) { modelBinaries(first: 10) { edges { node {
      key run @include(if: $full) { key status } modelSource @skip(if: $full) { key }
      metrics { value bucket score observedAt metric { key category } } } } } }""",
    """{ lineage(key: "dep/1", depth: 6) { truncated root { key }
      nodes { distance entity { __typename key name owner { key } } }
      edges { source { key } target { key } kind } } }""",
    '{ lineage(key: "nope") { truncated } }',
    """{ teams(first: 10) { edges { node { key name parent { key }
      children { edges { node { key } } }
      entities(first: 3) { edges { node { __typename key } } } } } } }""",
    '{ search(query: "run") { __typename key name } }',
    """{ metricDefinitions { key name category entityType unit higherIsBetter derived } }""",
    'query { nodes(ids: ["bad", "Team:org"]) { id __typename } }',
    """mutation { ingest(batch: { teams: [{ key: "org", name: "Org" }] }) {
      ok created unchanged types { type } } }""",
    'mutation { deleteEntities(keys: ["nope"]) { deleted keys } }',
]


@pytest.mark.parametrize("document", APP_DOCUMENTS)
async def test_application_documents_match(engine: AsyncEngine, document: str) -> None:
    await load(engine, SMALL_GRAPH)
    variables = {"key": "dep/1", "full": True} if "$" in document else None
    if document.startswith("mutation"):
        # Once beforehand, so that every run below finds the same state.
        await APP_STOCK.execute(document, context_value=get_context(engine))
    expected = answer(
        await APP_STOCK.execute(document, variable_values=variables, context_value=get_context(engine))
    )
    for _ in range(2):
        fast = await APP_FAST.execute(document, variable_values=variables, context_value=get_context(engine))
        assert answer(fast) == expected
