"""Lineage queries answered without the executor, once their document is known to allow it.

A lineage view sends the same document again and again, asking of each walk only what the walk
gives (api.lineage_direct compiles such selections into one builder each). When a document has
run through the full path without an error (so it is valid and its builders are compiled), and
every root field of its operation is a plain `lineage` field (or `__typename`) that a builder
serves whatever the variables, later requests with the same text run only that: the variables
and arguments coerced by graphql-core as the executor coerces them, the walk, the builder.
Variables of leaf types are coerced as api.leaf_variables does.
Anything out of the ordinary (a variable that does not coerce, a walk error such as an unknown
root, a value a builder does not vouch for) sends the request down the full path instead, which
answers it as usual; a read run twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    get_operation_ast,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import get_argument_values, get_variable_values
from sqlalchemy.ext.asyncio import AsyncEngine

from api.bounded_cache import OldestFirst
from api.context import Context
from api.document_cache import parsed
from api.executor import FastExecutor
from api.executor_cache import PLANS, skip_include_variables
from api.executor_direct import Builder, direct_builder
from api.leaf_variables import LeafVariables
from api.lineage import walked
from api.lineage_direct import WalkedLineage
from api.operation_known import hooks_per_field
from api.schema import schema

DIRECT_CACHE_SIZE: Final = 512
WALK_FIELD: Final = "lineage"
TYPENAME: Final = "__typename"


@dataclass(frozen=True, slots=True)
class RootWalk:
    """One `lineage` root field: its node (for its arguments), its definition and its builder."""

    node: FieldNode
    field: GraphQLField
    builder: Builder


@dataclass(frozen=True, slots=True)
class DirectOperation:
    """A query whose root fields are all walks served by their builders (or `__typename`)."""

    graphql_schema: GraphQLSchema
    operation: OperationDefinitionNode
    fields: tuple[tuple[str, RootWalk | None], ...]  # response name, and None for __typename
    root_type_name: str
    leaf_variables: LeafVariables | None

    async def answer(self, engine: AsyncEngine, variables: dict[str, Any] | None) -> dict[str, Any] | None:
        """The response body, or None to leave the request to the full path."""
        inputs = variables or {}
        leaves = None if self.leaf_variables is None else self.leaf_variables.coerced(inputs)
        coerced = (
            leaves
            if leaves is not None
            else get_variable_values(self.graphql_schema, self.operation.variable_definitions or (), inputs)
        )
        if isinstance(coerced, list):
            return None  # the full path reports the variables' errors
        data: dict[str, Any] = {}
        try:
            for name, walk in self.fields:
                if walk is None:
                    data[name] = self.root_type_name
                    continue
                arguments = get_argument_values(walk.field, walk.node, coerced)
                # Each walk on a connection of the pool's for its one statement.
                result = await walked(engine, **arguments)
                data[name] = walk.builder(WalkedLineage(result, with_ids=True))
        except Exception:
            # An error of the request's own (reported with its path by the full path) or a value
            # a builder does not vouch for.
            return None
        return {"data": data}


_LEARNED: OldestFirst[tuple[str, str | None], DirectOperation | None] = OldestFirst(DIRECT_CACHE_SIZE)


def direct_operation(query: str, operation_name: str | None) -> DirectOperation | None:
    """The direct form of a document learnt earlier, or None (not learnt, or not eligible)."""
    return _LEARNED.get((query, operation_name))


def learn(query: str, operation_name: str | None, variables: dict[str, Any] | None, context: Context) -> None:
    """Record whether a document that has just run without an error can be answered directly."""
    key = (query, operation_name)
    if key in _LEARNED:
        return
    _LEARNED[key] = _compiled(query, operation_name, variables, context)


def _compiled(
    query: str, operation_name: str | None, variables: dict[str, Any] | None, context: Context
) -> DirectOperation | None:
    graphql_schema = schema._schema
    root_type = graphql_schema.query_type
    assert root_type is not None
    # The document object the full path executed (the same parse cache), so the plans it compiled
    # are found again by node identity.
    document = parsed(query)
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY or operation.directives:
        return None
    roots = _root_fields(operation)
    if roots is None or all(node.name.value == TYPENAME for node in roots.values()):
        return None
    if hooks_per_field():
        return None  # extension hooks around every resolver must see every field
    executor = FastExecutor.build(graphql_schema, document, None, context, variables, operation_name)
    if isinstance(executor, list) or skip_include_variables(operation, executor.fragments):
        # Variables in @skip or @include change the selection from one request to the next.
        return None
    fields: list[tuple[str, RootWalk | None]] = []
    for name, node in roots.items():
        if node.name.value == TYPENAME:
            fields.append((name, None))
            continue
        walk = _root_walk(executor, root_type, node)
        if walk is None:
            return None
        fields.append((name, walk))
    leaf_variables = LeafVariables.of(graphql_schema, operation.variable_definitions or ())
    return DirectOperation(graphql_schema, operation, tuple(fields), root_type.name, leaf_variables)


def _root_fields(operation: OperationDefinitionNode) -> dict[str, FieldNode] | None:
    """The root fields by response name when all are plain `lineage` or `__typename` fields."""
    fields: dict[str, FieldNode] = {}
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None
        if selection.name.value not in (WALK_FIELD, TYPENAME):
            return None
        name = selection.alias.value if selection.alias else selection.name.value
        if name in fields:
            return None  # merged fields: left to the executor
        fields[name] = selection
    return fields


def _root_walk(executor: Executor[Any], root_type: GraphQLObjectType, node: FieldNode) -> RootWalk | None:
    field = root_type.fields[WALK_FIELD]
    answer_type = get_named_type(field.type)
    assert isinstance(answer_type, GraphQLObjectType)
    plan = PLANS.plan(executor, answer_type, [FieldDetails(node, None)])
    builder = None if plan is None else direct_builder(executor, plan, WalkedLineage)
    return None if builder is None else RootWalk(node, field, builder)
