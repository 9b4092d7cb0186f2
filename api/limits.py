"""Limits on what one GraphQL request may ask, checked on the parsed document before anything runs.

Depth, aliases, lexical tokens, page sizes and a cost are measured once per document and set of page
variables. The cost is the most items the lists of the query can return: a page of `first`/`last`
(default 20), a lineage of `limit` nodes, `nodes(ids)` multiply what each of their items holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    parse,
)
from graphql.utilities import get_operation_ast

from api.introspection import INTROSPECTION_FIELDS, introspection_enabled
from graph.lineage import MAX_LIMIT as MAX_LINEAGE_LIMIT

MAX_DEPTH = 15
MAX_ALIASES = 50
MAX_TOKENS = 2000
MAX_COMMENTS = 200
MAX_COST = 500_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_BODY_BYTES = 2 * 1024 * 1024
CACHE_SIZE = 512
PAGE_ITEMS = frozenset({"edges", "nodes"})

PageVariables = tuple[tuple[str, int], ...]


class Refused(Exception):
    """The request exceeds a limit; `limit` names it and the message says by how much."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.message = message

    @property
    def formatted(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"code": "LIMIT_EXCEEDED", "limit": self.limit}}


@lru_cache(maxsize=CACHE_SIZE)
def parsed(query: str) -> DocumentNode | None:
    """The document, None for a syntax error (execution reports it with its location), or Refused."""
    try:
        return parse(query, max_lexical_tokens=MAX_TOKENS, max_comments=MAX_COMMENTS)
    except GraphQLSyntaxError as error:
        if "Parsing aborted" in error.message:
            raise Refused("tokens", f"token limit: the query has more than {MAX_TOKENS} tokens") from None
        return None


def selected_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    return get_operation_ast(document, operation_name)


def check_document(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> str | None:
    """Raise Refused when the request exceeds a limit; else the name of the operation it runs."""
    refusal, name = _measured(query, operation_name, _page_variables(variables), introspection_enabled())
    if refusal is not None:
        raise refusal
    return name


def _page_variables(variables: dict[str, Any] | None) -> PageVariables:
    """The variables that can size a page (integers, and the lengths of lists): the cache key."""
    if not variables:
        return ()
    sizes: list[tuple[str, int]] = []
    for name, value in variables.items():
        if isinstance(value, int) and not isinstance(value, bool):
            sizes.append((name, value))
        elif isinstance(value, list):
            sizes.append((name, len(value)))
    return tuple(sorted(sizes))


@lru_cache(maxsize=CACHE_SIZE)
def _measured(
    query: str, operation_name: str | None, variables: PageVariables, introspection: bool
) -> tuple[Refused | None, str | None]:
    """The limit a request exceeds, if any, and the name of the operation it runs (the document's
    own, else the request's); a syntax error is left to execution, which reports it."""
    from api.schema import schema  # here, because the schema's own modules import this one

    document = parsed(query)
    if document is None:
        return None, operation_name
    operation = selected_operation(document, operation_name)
    name = operation.name.value if operation is not None and operation.name is not None else operation_name
    operations = (
        [operation]
        if operation is not None
        else [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
    )
    try:
        for candidate in operations:
            _Measure(schema._schema, document, candidate, dict(variables), introspection).check()
    except Refused as refusal:
        return refusal, name
    return None, name


@dataclass(frozen=True, slots=True)
class Shape:
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    # On a connection: the cost of one of its items (under `edges` or `nodes`), paid once per item
    # of the page; 0 when the query asks only for `totalCount` or `pageInfo`.
    item_cost: int = 0


class _Measure:
    """One walk over an operation, fragments expanded once each (a fragment's cost scales linearly)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, int],
        introspection: bool,
    ) -> None:
        self.schema = schema
        self.introspection = introspection
        self.fragments = {
            node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)
        }
        self.operation = operation
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and isinstance(definition.default_value, IntValueNode):
                self.variables[name] = int(definition.default_value.value)
        self.fragment_shapes: dict[str, Shape] = {}
        self.in_progress: set[str] = set()

    def check(self) -> None:
        root = self.schema.get_root_type(self.operation.operation)
        shape = self._selections(self.operation.selection_set, root, 1)
        if shape.depth > MAX_DEPTH:
            raise _too_deep(shape.depth)
        if shape.aliases > MAX_ALIASES:
            raise Refused(
                "aliases", f"alias limit: the query uses {shape.aliases} aliases, at most {MAX_ALIASES}"
            )
        if shape.cost > MAX_COST:
            raise Refused(
                "cost",
                f"cost limit: the query could return {shape.cost} items, at most {MAX_COST}"
                " (pages multiply what they hold: ask for smaller pages or fewer nested lists)",
            )

    def _selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None, level: int
    ) -> Shape:
        if selection_set is None:
            return Shape()
        if level > MAX_DEPTH + 1:
            # Stop walking at once: the answer is known and recursion stays bounded.
            raise _too_deep(level)
        depth = aliases = cost = item_cost = 0
        in_page = _is_connection(parent)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                shape = self._field(selection, parent, level)
                if in_page and selection.name.value in PAGE_ITEMS:
                    shape = Shape(shape.depth, shape.aliases, 0, 1 + shape.cost)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = parent if condition is None else self.schema.get_type(condition.name.value)
                shape = self._selections(selection.selection_set, scope, level)
            elif isinstance(selection, FragmentSpreadNode):
                shape = self._spread(selection, level)
            else:
                continue
            depth, aliases = max(depth, shape.depth), aliases + shape.aliases
            cost, item_cost = cost + shape.cost, item_cost + shape.item_cost
        return Shape(depth, aliases, cost, item_cost)

    def _field(self, field: FieldNode, parent: GraphQLNamedType | None, level: int) -> Shape:
        name = field.name.value
        if name in INTROSPECTION_FIELDS and not self.introspection:
            raise Refused("introspection", f"introspection is disabled: the query asks for `{name}`")
        definition = (
            parent.fields.get(name) if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else None
        )
        child_type = None if definition is None else get_named_type(definition.type)
        children = self._selections(field.selection_set, child_type, level + 1)
        multiplier = 0 if definition is None else self._multiplier(field, definition)
        # A list returns up to `multiplier` items, each holding what its selection asks for (on a
        # page: what its edges or nodes ask for, while `totalCount` and `pageInfo` are paid once).
        if multiplier and _is_connection(child_type):
            cost = 1 + multiplier * children.item_cost + children.cost
        elif multiplier:
            cost = multiplier * (1 + children.cost + children.item_cost)
        else:
            cost = children.cost + children.item_cost
        return Shape(
            depth=1 + children.depth, aliases=children.aliases + (field.alias is not None), cost=cost
        )

    def _spread(self, spread: FragmentSpreadNode, level: int) -> Shape:
        name = spread.name.value
        fragment = self.fragments.get(name)
        if fragment is None or name in self.in_progress:
            return Shape()  # validation reports unknown and cyclic fragments
        shape = self.fragment_shapes.get(name)
        if shape is None:
            self.in_progress.add(name)
            scope = self.schema.get_type(fragment.type_condition.name.value)
            shape = self.fragment_shapes[name] = self._selections(fragment.selection_set, scope, 1)
            self.in_progress.discard(name)
        if level - 1 + shape.depth > MAX_DEPTH:
            raise _too_deep(level - 1 + shape.depth)
        return shape

    def _multiplier(self, field: FieldNode, definition: GraphQLField) -> int:
        """How many items the field returns at most; 0 for a field that returns one object or a value."""
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        sizes = {name: self._int(arguments[name]) for name in ("first", "last") if name in arguments}
        given = [size for size in sizes.values() if size is not None]
        if _is_connection(get_named_type(definition.type)):
            for name, size in sizes.items():
                if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
                    raise Refused("page size", f"`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {size}")
        if "first" in definition.args:
            # Sizes over the cap of a plain list are its resolver's error; cost counts the cap.
            return min(max(given), MAX_PAGE_SIZE) if given else DEFAULT_PAGE_SIZE
        if "limit" in definition.args:
            limit = self._int(arguments["limit"]) if "limit" in arguments else None
            default = definition.args["limit"].default_value
            if limit is None and isinstance(default, int):
                limit = default
            if limit is None or not 0 < limit <= MAX_LINEAGE_LIMIT:
                return 0  # out of range: the resolver refuses it, naming its own bounds
            return limit
        if "ids" in arguments:
            ids = arguments["ids"]
            if isinstance(ids, ListValueNode):
                return len(ids.values)
            if isinstance(ids, VariableNode):
                return self.variables.get(ids.name.value, 0)
        return 0

    def _int(self, value: ValueNode) -> int | None:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        return None


def _is_connection(named_type: GraphQLNamedType | None) -> bool:
    return named_type is not None and named_type.name.endswith("Connection")


def _too_deep(depth: int) -> Refused:
    return Refused("depth", f"depth limit: the query nests {depth} levels of fields, at most {MAX_DEPTH}")
