"""Lineage answers serialized straight from the walk: no object per entity, node or edge.

The usual lineage view asks of each entity only what the walk returns (key, name, the global id,
`__typename`), of each node its distance and of each edge its kind. For such a selection this
module compiles, once per document shape, one Python function that builds the answer's result
dicts from the walk's rows (graph.lineage.LineageRows) in plain loops, in the order, under the
aliases and with the type conditions of the selection (the executor's plans worked those out).
Anything else in the selection (a resolver such as `metrics`, a stored attribute such as `owner`)
leaves the answer to the executor, through the objects `WalkedLineage` builds on demand.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLString,
    get_named_type,
)
from graphql.execution import Executor

from api.executor_cache import PLANS
from api.executor_direct import Builder, serves_directly
from api.executor_plans import COMPOSITE, LEAF, TYPENAME, FieldPlan, ObjectPlan, leaf_serializer
from api.ids import global_id
from api.lineage_answer import EDGE_KINDS, lineage_answer
from api.types.entities import ENTITY_CLASSES
from api.types.lineage import Lineage
from graph.lineage import LineageRows

# What the walk's rows hold (graph.lineage.LineageRows), by the attribute of the object that would
# carry it. A node row, which is also its entity's, is [id, distance, type, key, name]; an edge row
# (source key, target key, kind, source's node row, target's node row).
ENTITY_VALUES = {"key": "{e}[3]", "name": "{e}[4]", "id": "gid({e}[2], {e}[3])"}
ENTITY_TYPE = "{e}[2]"
ENTITY_LEAVES = {"key": GraphQLString, "name": GraphQLString, "id": GraphQLID}
NODE_DISTANCE = 1
EDGE_KIND = 2
NODE_ENTITY: dict[str, int | None] = {"entity": None}  # the node row itself
EDGE_ENTITIES: dict[str, int | None] = {"source": 3, "target": 4}


class WalkedLineage(Lineage):
    """A lineage answer held as its walk until objects are needed.

    The executor serializes it straight from the walk (below) when the selection reads
    only what a walk gives; any other reader gets `root`, `nodes` and `edges` built from the walk
    on first access, as `lineage_answer` builds them.
    """

    def __init__(self, walk: LineageRows, with_ids: bool) -> None:
        # Not the dataclass constructor: root, nodes and edges are built only if read.
        self.walk = walk
        self.with_ids = with_ids
        self.truncated = walk.truncated

    def __getattr__(self, name: str) -> Any:
        if name not in ("root", "nodes", "edges"):
            raise AttributeError(name)
        built = lineage_answer(self.walk.result(), None, self.with_ids)
        self.root, self.nodes, self.edges = built.root, built.nodes, built.edges
        return getattr(self, name)


class Unservable(Exception):
    """The selection asks for something the walk alone does not give."""


class Source:
    """The source text of one builder and the values its names refer to."""

    def __init__(self, executor: Executor[Any]) -> None:
        self.executor = executor
        self.namespace: dict[str, Any] = {"gid": global_id}
        self.lines: list[str] = []

    def constant(self, value: Any) -> str:
        name = f"c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def plan(self, object_type: GraphQLNamedType, field: FieldPlan) -> ObjectPlan:
        assert isinstance(object_type, GraphQLObjectType)
        plan = PLANS.plan(self.executor, object_type, field.details)
        if plan is None:
            raise Unservable(object_type.name)
        return plan


@serves_directly(WalkedLineage)
def compile_lineage(executor: Executor[Any], plan: ObjectPlan) -> Builder | None:
    """The builder of a `Lineage` selection's result dict from a WalkedLineage, or None."""
    source = Source(executor)
    try:
        lines = _lineage_lines(source, plan)
    except Unservable:
        return None
    text = "\n".join(["def build(answer):", "    walk = answer.walk", "    result = {}", *lines])
    exec(compile(text + "\n    return result", "<lineage answer builder>", "exec"), source.namespace)
    builder: Builder = source.namespace["build"]
    return builder


def _lineage_lines(source: Source, plan: ObjectPlan) -> list[str]:
    lines: list[str] = []
    for index, field in enumerate(plan.fields):
        key = repr(field.name)
        if field.kind == TYPENAME:
            lines.append(f"    result[{key}] = {plan.type_name!r}")
        elif field.kind == LEAF and field.attribute == "truncated":
            _expect_leaf(field, GraphQLBoolean)
            lines.append(f"    result[{key}] = walk.truncated")
        elif field.kind == COMPOSITE and field.attribute == "root":
            lines.append(f"    result[{key}] = {_entity(source, field, 'walk.nodes[0]')}")
        elif field.kind == COMPOSITE and field.attribute in ("nodes", "edges"):
            item_type = get_named_type(field.field_def.type)
            item_plan = source.plan(item_type, field)
            variables = NODE_ENTITY if field.attribute == "nodes" else EDGE_ENTITIES
            item = "node" if field.attribute == "nodes" else "edge"
            row = f"{item}{index}"
            expression = _item(source, item_plan, item, variables, row)
            # The root is the first node row, not one of the answer's nodes.
            rows = "walk.nodes[1:]" if item == "node" else "walk.edges"
            lines.append(f"    result[{key}] = [{expression} for {row} in {rows}]")
        else:
            raise Unservable(field.name)
    return lines


def _position(row: str, position: int | None) -> str:
    """The expression of a position of the row named `row` (None: the row itself)."""
    return row if position is None else f"{row}[{position}]"


def _item(
    source: Source, plan: ObjectPlan, item: str, entity_positions: dict[str, int | None], row: str
) -> str:
    """The dict expression of one node or edge, from its row, named `row`."""
    parts: list[str] = []
    for field in plan.fields:
        if field.kind == TYPENAME:
            value = repr(plan.type_name)
        elif field.kind == COMPOSITE and field.attribute in entity_positions:
            value = _entity(source, field, _position(row, entity_positions[field.attribute]))
        elif field.kind == LEAF and field.attribute == "distance" and item == "node":
            _expect_leaf(field, GraphQLInt)
            value = _position(row, NODE_DISTANCE)
        elif field.kind == LEAF and field.attribute == "kind" and item == "edge":
            assert field.shape is not None
            named = field.shape.named
            names = {stored: leaf_serializer(named, member)(member) for stored, member in EDGE_KINDS.items()}
            value = f"{source.constant(names)}[{_position(row, EDGE_KIND)}]"
        else:
            raise Unservable(field.name)
        parts.append(f"{field.name!r}: {value}")
    return "{" + ", ".join(parts) + "}"


def _entity(source: Source, field: FieldPlan, variable: str) -> str:
    """The expression of an entity position's dict, for the entity's row in `variable`.

    Type conditions may give each entity type its own fields: the expression then picks the
    builder of the entity's type; when every type asks the same, the dict is written inline.
    """
    by_type: dict[str, list[tuple[str, str]]] = {}
    for stored_type, entity_class in ENTITY_CLASSES.items():
        graphql_name = entity_class.__strawberry_definition__.name  # type: ignore[attr-defined]
        object_type = source.executor.schema.get_type(graphql_name)
        assert object_type is not None
        plan = source.plan(object_type, field)
        by_type[stored_type] = _entity_fields(plan)
    shapes = {tuple(fields) for fields in by_type.values()}
    if len(shapes) == 1:
        return _entity_dict(shapes.pop(), variable)
    builders = {
        stored_type: eval(f"lambda e: {_entity_dict(fields, 'e')}", source.namespace)
        for stored_type, fields in by_type.items()
    }
    return f"{source.constant(builders)}[{ENTITY_TYPE.format(e=variable)}]({variable})"


def _entity_fields(plan: ObjectPlan) -> list[tuple[str, str]]:
    """(response name, value template) of each field of an entity selection."""
    fields = []
    for field in plan.fields:
        if field.kind == TYPENAME:
            fields.append((field.name, repr(plan.type_name)))
        elif field.kind == LEAF and field.attribute in ENTITY_VALUES:
            _expect_leaf(field, ENTITY_LEAVES[field.attribute])
            fields.append((field.name, ENTITY_VALUES[field.attribute]))
        else:
            raise Unservable(field.name)
    return fields


def _entity_dict(fields: tuple[tuple[str, str], ...] | list[tuple[str, str]], variable: str) -> str:
    return "{" + ", ".join(f"{name!r}: {value.format(e=variable)}" for name, value in fields) + "}"


def _expect_leaf(field: FieldPlan, leaf: GraphQLNamedType) -> None:
    # The walk gives values of exactly this scalar's Python class, which serialize as themselves.
    if get_named_type(field.field_def.type) is not leaf:
        raise Unservable(field.name)
