"""Lineage answers serialized straight from the walk agree with the stock executor, field for field.

Random selections over every part of a lineage answer (aliases, repeated fields, `__typename`,
fragments with and without type conditions, @skip/@include) run on the stock executor and twice on
ours; all of them must be served without building an object per entity, and the same answers
must come back. Selections the walk cannot serve alone fall back to the objects and still agree.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLObjectType
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import api.lineage_answer
import api.lineage_direct
from api.context import get_context
from api.executor import FastExecutor
from api.executor_direct import COMPILERS, direct_result, serves_directly
from api.executor_plans import ObjectPlan
from api.schema import build_schema
from tests.api.graphs import SMALL_GRAPH, load

STOCK = copy.copy(build_schema())
STOCK.execution_context_class = StrawberryGraphQLCoreExecutionContext
FAST = copy.copy(STOCK)
FAST.execution_context_class = FastExecutor

ENTITY_CHOICES = [
    "key",
    "name",
    "id",
    "__typename",
    "... on Node {{ id }}",
    "... on ModelBinary {{ {alias}key }}",
    "... on FeatureSource {{ __typename name }}",
    "... on Entity {{ key }}",
    "...Ends",
    "... @include(if: $flag) {{ name }}",
]
FRAGMENT = "fragment Ends on Entity { key __typename }"


def _alias(rng: random.Random, field: str) -> str:
    # An alias always names the same field, so that repeated aliases merge rather than conflict.
    return rng.choice(["", "", f"{field}A: ", f"{field}B: "])


def _directive(rng: random.Random) -> str:
    return rng.choice(["", "", "", " @skip(if: $flag)", " @include(if: $flag)"])


def _leaf(rng: random.Random, field: str) -> str:
    return f"{_alias(rng, field)}{field}{_directive(rng)}"


def _entity(rng: random.Random) -> str:
    parts = []
    for choice in rng.sample(ENTITY_CHOICES, rng.randint(1, 4)):
        if choice in ("key", "name", "id", "__typename"):
            parts.append(_leaf(rng, choice))
        else:
            parts.append(choice.format(alias=_alias(rng, "key")).replace("{{", "{").replace("}}", "}"))
    return " ".join(parts)


def _object(rng: random.Random, leaves: list[str], entities: list[str]) -> str:
    parts = [_leaf(rng, leaf) for leaf in rng.sample(leaves, rng.randint(0, len(leaves)))]
    for field in rng.sample(entities, rng.randint(0 if parts else 1, len(entities))):
        parts.append(f"{_alias(rng, field)}{field}{_directive(rng)} {{ {_entity(rng)} }}")
    return " ".join(parts)


def random_lineage(rng: random.Random) -> str:
    parts = [_leaf(rng, leaf) for leaf in rng.sample(["truncated", "__typename"], rng.randint(0, 2))]
    parts.append(f"{_alias(rng, 'root')}root {{ {_entity(rng)} }}")
    parts.append(f"{_alias(rng, 'nodes')}nodes {{ {_object(rng, ['distance', '__typename'], ['entity'])} }}")
    if rng.random() < 0.8:
        edge = _object(rng, ["kind", "__typename"], ["source", "target"])
        parts.append(f"{_alias(rng, 'edges')}edges{_directive(rng)} {{ {edge} }}")
    rng.shuffle(parts)
    direction = rng.choice(["UPSTREAM", "DOWNSTREAM", "BOTH"])
    limit = rng.choice([2, 5, 100])
    arguments = f'key: "dep/1", direction: {direction}, depth: {rng.randint(0, 6)}, limit: {limit}'
    selection = " ".join(parts)
    variables = "($flag: Boolean!)" if "$flag" in selection else ""
    document = f"query{variables} {{ lineage({arguments}) {{ {selection} }} }}"
    return document + (f" {FRAGMENT}" if "...Ends" in document else "")


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the answers built as objects after all (a WalkedLineage whose builder declined)."""
    calls: list[int] = []
    build = api.lineage_answer.lineage_answer

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(api.lineage_direct, "lineage_answer", counting)
    yield calls


async def run(schema: Any, engine: AsyncEngine, document: str, flag: bool) -> dict[str, Any]:
    variables = {"flag": flag} if "$flag" in document else None
    result = await schema.execute(document, variable_values=variables, context_value=get_context(engine))
    return {"data": result.data, "errors": [error.formatted for error in result.errors or ()]}


async def test_random_walk_only_selections_are_served_from_the_walk_and_agree(
    engine: AsyncEngine, fallbacks: list[int]
) -> None:
    await load(engine, SMALL_GRAPH)
    rng = random.Random(20261205)
    for _ in range(60):
        document, flag = random_lineage(rng), rng.random() < 0.5
        expected = await run(STOCK, engine, document, flag)
        assert expected["errors"] == [], document
        fallbacks.clear()
        for _ in range(2):
            assert await run(FAST, engine, document, flag) == expected, document
        assert fallbacks == [], document


async def test_the_answer_keeps_the_selection_order_and_aliases(engine: AsyncEngine) -> None:
    await load(engine, SMALL_GRAPH)
    document = """{ lineage(key: "dep/1", depth: 1) {
      __typename truncated total: truncated
      root { id __typename k: key key }
      edges { kind __typename to: target { key } from: source { name key } } } }"""
    answer = (await run(FAST, engine, document, True))["data"]["lineage"]
    assert list(answer) == ["__typename", "truncated", "total", "root", "edges"]
    assert answer["__typename"] == "Lineage"
    assert list(answer["root"]) == ["id", "__typename", "k", "key"]
    assert answer["root"]["__typename"] == "ModelDeployment"
    edge = answer["edges"][0]
    assert list(edge) == ["kind", "__typename", "to", "from"]
    assert edge["__typename"] == "LineageEdge"
    assert edge["to"] == {"key": "dep/1"}
    assert answer == (await run(STOCK, engine, document, True))["data"]["lineage"]


@pytest.mark.parametrize(
    "entity",
    [
        "key metrics { metric { key } value }",  # a resolver
        "key owner { key }",  # a stored attribute: rows are loaded
        "key ... on ModelBinary { version }",  # a stored attribute under a type condition
    ],
)
async def test_selections_beyond_the_walk_are_answered_through_objects(
    engine: AsyncEngine, fallbacks: list[int], entity: str
) -> None:
    await load(engine, SMALL_GRAPH)
    document = f"""{{ lineage(key: "dep/1", direction: BOTH, depth: 6) {{ root {{ {entity} }}
      nodes {{ distance entity {{ {entity} }} }} edges {{ kind source {{ key }} }} }} }}"""
    expected = await run(STOCK, engine, document, True)
    assert expected["errors"] == []
    assert await run(FAST, engine, document, True) == expected
    if "metrics" in entity:
        # Walked entities, built as objects because `metrics` has a resolver of its own.
        assert fallbacks != []


class Declines:
    """A value whose builder raises: the executor must complete it through its plan."""


@serves_directly(Declines)
def _failing_compiler(executor: Any, plan: ObjectPlan) -> Any:
    def build(value: Any) -> dict[str, Any]:
        raise KeyError("not served")

    return build


def test_a_builder_that_raises_leaves_the_value_to_the_plan() -> None:
    plan = ObjectPlan(GraphQLObjectType("Declines", {}), "Declines", (), [])
    try:
        assert direct_result(None, plan, Declines()) is None  # type: ignore[arg-type]
        assert direct_result(None, plan, object()) is None  # type: ignore[arg-type]
    finally:
        del COMPILERS[Declines]
