"""Lineage documents answered straight from their walks agree with the full path, errors and all.

Each document runs once through the full path (which learns it), then again: a document made of
walks the walk alone serves must now be answered directly, with the same bytes; any other must
still go through the executor. Requests that fail after a document was learnt (an unknown root,
a depth over the cap, a variable of the wrong type) get the full path's errors.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import get_argument_values, parse
from graphql.execution.values import get_variable_values
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

import api.operation_direct
from api.bounded_cache import OldestFirst
from api.operation_direct import ArgumentPlan, DirectOperation
from api.schema import schema
from tests.api.graphs import SMALL_GRAPH, load
from tests.api.test_lineage_direct import random_lineage

WALK = """query Walk($key: String!, $direction: LineageDirection, $depth: Int, $limit: Int,
    $types: [EntityType!]) {
  lineage(key: $key, direction: $direction, depth: $depth, limit: $limit, types: $types) {
    truncated nodes { distance entity { key name } } edges { kind source { key } target { key } } } }"""
VARIABLES = {"key": "dep/1", "direction": "BOTH", "depth": 6, "limit": 100}

SERVED = [
    # The bench's and a lineage view's document, with every argument from variables.
    (WALK, VARIABLES),
    # Defaults: no direction, depth or limit; explicit nulls mean the defaults too.
    ('{ lineage(key: "fs/log") { nodes { distance entity { key } } } }', None),
    (WALK, {"key": "fs/log", "direction": None, "depth": None, "limit": None}),
    # A type filter from a variable, two aliased walks, the root's __typename, ids and fragments.
    (
        """query Two($types: [EntityType!]) { __typename
          up: lineage(key: "dep/1", depth: 6, types: $types) { truncated root { id __typename }
            nodes { entity { ...Named ... on ModelBinary { version: key } } } }
          down: lineage(key: "fs/log", direction: DOWNSTREAM, depth: 2, limit: 1) {
            truncated edges { kind __typename } } }
        fragment Named on Entity { key name __typename }""",
        {"types": ["MODEL_BINARY", "FEATURE_SOURCE"]},
    ),
    # Directives with literal arguments keep the selection the same from one request to the next.
    (
        '{ lineage(key: "dep/1", depth: 3) { nodes @skip(if: true) { distance } edges { kind } } }',
        None,
    ),
]
NOT_SERVED = [
    # @include reading a variable: the selection depends on the request.
    (
        'query($on: Boolean!) { lineage(key: "dep/1") { nodes @include(if: $on) { distance } } }',
        {"on": True},
    ),
    # Stored attributes and resolvers need objects.
    ('{ lineage(key: "dep/1") { nodes { entity { key owner { key } } } } }', None),
    ('{ lineage(key: "dep/1") { root { key metrics { value } } } }', None),
    # Other root fields, a directive on a root field, a root fragment.
    ('{ lineage(key: "dep/1") { truncated } entity(key: "dep/1") { key } }', None),
    ('{ lineage(key: "dep/1") @include(if: true) { truncated } }', None),
    ('{ ... on Query { lineage(key: "dep/1") { truncated } } }', None),
    ("{ __typename }", None),
]


@pytest.fixture
def direct_answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any] | None]]:
    """What each direct attempt gave (None: left to the full path), with nothing learnt before."""
    monkeypatch.setattr(api.operation_direct, "_LEARNED", OldestFirst(api.operation_direct.DIRECT_CACHE_SIZE))
    answers: list[dict[str, Any] | None] = []
    answer = DirectOperation.answer

    async def recording(self: DirectOperation, *args: Any) -> dict[str, Any] | None:
        body = await answer(self, *args)
        answers.append(body)
        return body

    monkeypatch.setattr(DirectOperation, "answer", recording)
    yield answers


async def post(client: httpx.AsyncClient, document: str, variables: dict[str, Any] | None) -> bytes:
    response = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"x-request-id": "req-7"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-7"
    return response.content


@pytest.mark.parametrize(
    ("document", "variables", "served"),
    [(*case, True) for case in SERVED] + [(*case, False) for case in NOT_SERVED],
)
async def test_walk_only_documents_are_answered_directly_and_others_by_the_executor(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    direct_answers: list[Any],
    document: str,
    variables: dict[str, Any] | None,
    served: bool,
) -> None:
    await load(engine, SMALL_GRAPH)
    expected = await post(client, document, variables)
    assert b'"errors"' not in expected
    assert direct_answers == []
    for _ in range(2):
        # The same bytes either way.
        assert await post(client, document, variables) == expected
    if served:
        assert len(direct_answers) == 2 and None not in direct_answers
    else:
        assert direct_answers == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({**VARIABLES, "key": "no/such"}, "lineage: no entity with key 'no/such'"),
        ({**VARIABLES, "depth": 99}, "lineage: depth must be between 0 and 20, not 99"),
        ({**VARIABLES, "depth": "six"}, "Variable '$depth' has invalid value"),
        ({**VARIABLES, "types": ["NOT_A_TYPE"]}, "Variable '$types' has invalid value"),
    ],
)
async def test_failing_requests_of_a_learnt_document_get_the_full_paths_errors(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    direct_answers: list[Any],
    variables: dict[str, Any],
    message: str,
) -> None:
    await load(engine, SMALL_GRAPH)
    await post(client, WALK, VARIABLES)  # learnt
    response = await client.post("/graphql", json={"query": WALK, "variables": variables})
    body = response.json()
    assert next(error["message"] for error in body["errors"]).startswith(message), body
    assert direct_answers == [None]
    # The same as a full path that never learnt the document.
    api.operation_direct._LEARNED.clear()
    again = await client.post("/graphql", json={"query": WALK, "variables": variables})
    assert (again.status_code, again.json()) == (response.status_code, body)
    assert direct_answers == [None]


async def test_random_selections_agree_and_only_variable_free_ones_are_direct(
    engine: AsyncEngine, client: httpx.AsyncClient, direct_answers: list[Any]
) -> None:
    await load(engine, SMALL_GRAPH)
    rng = random.Random(20261206)
    for _ in range(25):
        document = random_lineage(rng)
        variables = {"flag": rng.random() < 0.5} if "$flag" in document else None
        direct_answers.clear()
        expected = await post(client, document, variables)
        assert await post(client, document, variables) == expected, document
        assert len(direct_answers) == (0 if variables else 1), document


async def test_a_direct_walk_is_one_statement(
    engine: AsyncEngine, client: httpx.AsyncClient, direct_answers: list[Any]
) -> None:
    await load(engine, SMALL_GRAPH)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    await post(client, WALK, VARIABLES)
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        for key in ("dep/1", "fs/log"):
            statements.clear()
            await post(client, WALK, {**VARIABLES, "key": key})
            assert len(statements) == 1 and "RECURSIVE" in statements[0]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(direct_answers) == 2 and None not in direct_answers


PLANNED = [
    # Every argument from a variable; literals (an enum, a list of enums); nothing but the key.
    ("query($k: String!, $d: Int!, $l: Int!) { lineage(key: $k, depth: $d, limit: $l) { truncated } }", True),
    (
        '{ lineage(key: "dep/1", direction: BOTH, types: [FEATURE_SOURCE], limit: 5) { truncated } }',
        True,
    ),
    ('{ lineage(key: "dep/1") { truncated } }', True),
    # A variable inside a literal list: no plan, graphql-core's general pass instead.
    ('query($t: EntityType!) { lineage(key: "dep/1", types: [$t]) { truncated } }', False),
]


@pytest.mark.parametrize(("document", "planned"), PLANNED)
def test_argument_plans_give_what_graphql_core_gives(document: str, planned: bool) -> None:
    field = schema._schema.query_type.fields["lineage"]  # type: ignore[union-attr]
    operation: Any = parse(document).definitions[0]
    node = operation.selection_set.selections[0]
    plan = ArgumentPlan.of(field, node)
    assert (plan is not None) == planned
    if plan is None:
        return
    values = {"k": "fs/log", "d": 4, "l": 7}
    definitions = operation.variable_definitions or ()
    declared = {definition.variable.name.value for definition in definitions}
    variables = get_variable_values(schema._schema, definitions, {name: values[name] for name in declared})
    assert not isinstance(variables, list)
    assert plan.arguments(values) == get_argument_values(field, node, variables)
