"""Lineage queries answered without the executor, once their document is known to allow it.

A lineage view sends the same document again and again, asking of each walk only what the walk
gives (api.lineage_direct compiles such selections into one builder each). When a document has
run through the full path without an error (so it is valid and its builders are compiled), and
every root field of its operation is a plain `lineage` field (or `__typename`) that a builder
serves whatever the variables, later requests with the same text run only that: the variables
and arguments coerced by graphql-core as the executor coerces them, the walk, the builder.
Variables of leaf types are coerced as api.leaf_variables does, and each walk's arguments are then
filled in from them by a plan made once (`ArgumentPlan`), without graphql-core's general pass.
Anything out of the ordinary (a variable that does not coerce, a walk error such as an unknown
root, a value a builder does not vouch for) sends the request down the full path instead, which
answers it as usual; a read run twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import VariableValues, coerce_argument, get_argument_values, get_variable_values
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
class ArgumentPlan:
    """A field's arguments from its operation's coerced variables: an argument given as a variable
    takes the variable's value; the others (literals, defaults) are worked out once, by graphql-core's
    own `coerce_argument`. What graphql-core's `get_argument_values` does on each request for five
    arguments cost about 5 µs (measured)."""

    fixed: dict[str, Any]
    from_variables: tuple[tuple[str, str], ...]  # (argument's name in the resolver, variable's name)

    @classmethod
    def of(cls, field: GraphQLField, node: FieldNode) -> ArgumentPlan | None:
        """The plan, or None when an argument is not a plain variable and needs variables (`[$t]`)."""
        given = {argument.name.value: argument for argument in node.arguments or ()}
        fixed: dict[str, Any] = {}
        from_variables: list[tuple[str, str]] = []
        for name, definition in field.args.items():
            argument = given.get(name)
            if argument is not None and isinstance(argument.value, VariableNode):
                from_variables.append((definition.out_name or name, argument.value.name.value))
                continue
            try:
                coerce_argument(fixed, node, name, definition, argument, None, None)
            except GraphQLError:
                return None
        return cls(fixed, tuple(from_variables))

    def arguments(self, values: dict[str, Any]) -> dict[str, Any]:
        arguments = dict(self.fixed)
        for name, variable in self.from_variables:
            arguments[name] = values[variable]
        return arguments


@dataclass(frozen=True, slots=True)
class RootWalk:
    """One `lineage` root field: its node (for its arguments), its definition and its builder."""

    node: FieldNode
    field: GraphQLField
    builder: Builder
    plan: ArgumentPlan | None


@dataclass(frozen=True, slots=True)
class DirectOperation:
    """A query whose root fields are all walks served by their builders (or `__typename`)."""

    graphql_schema: GraphQLSchema
    operation: OperationDefinitionNode
    fields: tuple[tuple[str, RootWalk | None], ...]  # response name, and None for __typename
    root_type_name: str
    leaf_variables: LeafVariables | None
    planned: bool  # every walk has its ArgumentPlan

    async def answer(self, engine: AsyncEngine, variables: dict[str, Any] | None) -> dict[str, Any] | None:
        """The response body, or None to leave the request to the full path."""
        inputs = variables or {}
        values = None if self.leaf_variables is None else self.leaf_variables.values(inputs)
        coerced: VariableValues | None = None
        if values is None or not self.planned:
            definitions = self.operation.variable_definitions or ()
            general = get_variable_values(self.graphql_schema, definitions, inputs)
            if isinstance(general, list):
                return None  # the full path reports the variables' errors
            coerced = general
        data: dict[str, Any] = {}
        try:
            for name, walk in self.fields:
                if walk is None:
                    data[name] = self.root_type_name
                    continue
                if coerced is None:
                    assert walk.plan is not None and values is not None
                    arguments = walk.plan.arguments(values)
                else:
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
    planned = all(walk.plan is not None for _, walk in fields if walk is not None)
    return DirectOperation(graphql_schema, operation, tuple(fields), root_type.name, leaf_variables, planned)


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
    return None if builder is None else RootWalk(node, field, builder, ArgumentPlan.of(field, node))
