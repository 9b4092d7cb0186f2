"""Selection plans for the fast executor: each object selection compiled once per document shape.

A plan lists an object's response fields in order, each tagged with how to produce it: the type
name, a plain attribute read completed by its type's shape, or the stock resolver machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from math import isfinite
from typing import Any, Final

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetailsList, collect_subfields
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

# Kinds of response field and of type shape.
TYPENAME: Final = 0
LEAF: Final = 1
COMPOSITE: Final = 2
RESOLVER: Final = 3
LIST: Final = 4
OBJECT: Final = 5
ABSTRACT: Final = 6

# How an object type checks that a value belongs to it.
NO_CHECK: Final = 0
CHECK_BY_CLASS: Final = 1  # strawberry's generated is_type_of: an isinstance test, cacheable per class
CHECK_EACH: Final = 2  # a custom is_type_of: every value goes through the stock executor

# Built-in scalars that return values of exactly this class unchanged.
IDENTITY_CLASSES: Final[dict[GraphQLLeafType, type]] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
}
complete_leaf_value = Executor.complete_leaf_value
BACKREF: Final = GraphQLCoreConverter.DEFINITION_BACKREF


class Uncompiled:
    """Marks an object shape whose plan is compiled on first use."""


UNCOMPILED: Final = Uncompiled()


@dataclass(eq=False, slots=True)
class Shape:
    """How to complete a value of one output type, with what earlier values taught about classes."""

    kind: int
    graphql_type: GraphQLOutputType  # with its non-null wrapper: decides where an error stops
    non_null: bool
    named: Any = None  # the leaf, object or abstract type under the wrappers
    item: Shape | None = None
    identity_class: type | None = None
    type_check: int = NO_CHECK
    # Whether a strawberry.cast on the value could change the answer cached for its class.
    cast_check: bool = False
    # Leaves: the serializer of each class met. Objects and abstract types: the plan that completes
    # a value of each class met, once its type checks passed and can be trusted for the class.
    known: dict[type, Any] = field(default_factory=dict)
    plan: ObjectPlan | Uncompiled | None = UNCOMPILED
    object_shapes: dict[GraphQLObjectType, Shape] = field(default_factory=dict)
    by_class_interface: type | None = None

    def object_shape(self, object_type: GraphQLObjectType) -> Shape:
        """The shape of one runtime type of this abstract position."""
        shape = self.object_shapes.get(object_type)
        if shape is None:
            shape = self.object_shapes[object_type] = object_shape(object_type, object_type, False)
        return shape


def leaf_serializer(named: GraphQLLeafType, value: Any) -> Callable[[Any], Any]:
    """What `complete_leaf_value(named, ...)` does to values of this value's class, without the detours."""
    serialize: Callable[[Any], Any] = partial(complete_leaf_value, named)
    kind = type(value)
    if named is GraphQLInt and kind is int:
        return lambda number: number if GRAPHQL_MIN_INT <= number <= GRAPHQL_MAX_INT else serialize(number)
    if named is GraphQLFloat and kind is float:
        return lambda number: number if isfinite(number) else serialize(number)
    if type(named) is CustomGraphQLEnumType and kind is named.wrapped_cls and issubclass(kind, Enum):
        # strawberry names a member by the first GraphQL value equal to the member's value. Members
        # are singletons, looked up by id: Enum's own __hash__ is Python code, slow in a hot loop.
        names: dict[int, str] = {}
        for member in kind:
            names[id(member)] = next(
                (name for name, item in named.values.items() if item.value == member.value), ""
            )
        return lambda member: names.get(id(member)) or serialize(member)
    return serialize


@dataclass(eq=False, slots=True)
class FieldPlan:
    """One response field of an object selection."""

    kind: int
    name: str
    details: FieldDetailsList
    parent_type: GraphQLObjectType
    field_def: GraphQLField
    attribute: str = ""
    shape: Shape | None = None
    null_message: str = ""

    @property
    def nodes(self) -> list[FieldNode]:
        return [details.node for details in self.details]


@dataclass(eq=False, slots=True)
class ObjectPlan:
    """The response fields of one object type under one group of field nodes."""

    object_type: GraphQLObjectType
    type_name: str
    fields: tuple[FieldPlan, ...]
    details: FieldDetailsList  # keeps the field nodes alive while their ids key the cache
    # The plan as one generated function (api.executor_compile), when its fields allow one.
    compiled: Callable[[Any], dict[str, Any]] | None = None
    deopts: int = 0
    # Builders of classes that serialize themselves (api.executor_direct), by class.
    direct: dict[type, Any] = field(default_factory=dict)


def object_shape(named: GraphQLObjectType, graphql_type: GraphQLOutputType, non_null: bool) -> Shape:
    check = NO_CHECK
    if named.is_type_of is not None:
        definition = named.extensions.get(BACKREF)
        generated = isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None
        check = CHECK_BY_CLASS if generated else CHECK_EACH
    return Shape(OBJECT, graphql_type, non_null, named, type_check=check, cast_check=check == CHECK_BY_CLASS)


def build_shape(graphql_type: GraphQLOutputType) -> Shape:
    non_null = is_non_null_type(graphql_type)
    inner: Any = graphql_type.of_type if non_null else graphql_type  # type: ignore[union-attr]
    if is_list_type(inner):
        return Shape(LIST, graphql_type, non_null, inner, item=build_shape(inner.of_type))
    if is_leaf_type(inner):
        return Shape(LEAF, graphql_type, non_null, inner, identity_class=IDENTITY_CLASSES.get(inner))
    if is_abstract_type(inner):
        interface = _generated_interface(inner)
        return Shape(ABSTRACT, graphql_type, non_null, inner, cast_check=True, by_class_interface=interface)
    return object_shape(inner, graphql_type, non_null)


def _generated_interface(abstract_type: GraphQLAbstractType) -> type | None:
    """The Python class of a strawberry interface whose runtime type follows from the value's class."""
    if not isinstance(abstract_type, GraphQLInterfaceType):
        return None
    definition = abstract_type.extensions.get(BACKREF)
    if (
        not isinstance(definition, StrawberryObjectDefinition)
        or not definition.is_interface
        or definition.resolve_type is not None
    ):
        return None
    origin: type = definition.origin
    return origin


def default_attribute(field_def: GraphQLField, details: FieldDetailsList) -> str | None:
    """The attribute a field reads when strawberry resolves it with a plain getattr, else None."""
    if not getattr(field_def.resolve, "_is_default", False) or field_def.args:
        return None
    definition = field_def.extensions.get(BACKREF)
    if (
        type(definition) is not StrawberryField
        or not definition.is_basic_field
        or definition.default_resolver is not getattr
    ):
        return None
    if any(field_details.node.arguments for field_details in details):
        return None
    return definition.python_name


def compile_plan(
    executor: Executor[Any], object_type: GraphQLObjectType, details: FieldDetailsList
) -> ObjectPlan | None:
    """The plan of a selection, or None where the stock executor must run it (fragment variables, @defer)."""
    collected = collect_subfields(
        executor.schema,
        executor.fragments,
        executor.variable_values,
        executor.operation,
        object_type,
        details,
        executor.hide_suggestions,
    )
    if collected.new_defer_usages or collected.forbidden_directive_instances:
        return None
    fields: list[FieldPlan] = []
    for response_name, field_details_list in collected.grouped_field_set.items():
        if any(
            item.fragment_variable_values is not None or item.defer_usage is not None
            for item in field_details_list
        ):
            return None
        field_name = field_details_list[0].node.name.value
        field_def = executor.schema.get_field(object_type, field_name)
        if field_def is None:
            continue
        plan = FieldPlan(RESOLVER, response_name, field_details_list, object_type, field_def)
        plan.null_message = f"Cannot return null for non-nullable field {object_type}.{field_name}."
        if field_name == "__typename":
            plan.kind = TYPENAME
        elif (attribute := default_attribute(field_def, field_details_list)) is not None:
            plan.attribute = attribute
            plan.shape = build_shape(field_def.type)
            plan.kind = LEAF if plan.shape.kind == LEAF else COMPOSITE
        fields.append(plan)
    return ObjectPlan(object_type, object_type.name, tuple(fields), details)
