"""Building a lineage answer from a walk: one object per entity, shared by its node and its edges.

A walk returns each entity's type, key and name. When the selection asks for nothing more at the
entity positions (`root`, `nodes.entity`, `edges.source`, `edges.target`), those are all the objects
carry, and the answer costs no further query: the usual lineage view (keys, names, `__typename`,
distances, edge kinds) is served from the walk alone. Fields with resolvers of their own (`metrics`,
connections) load by the entity's row id and work either way. A selection that reads any other
stored attribute (`owner`, `properties`, timestamps, type-specific columns) loads the full rows of
the answer's entities in one more statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from graphql import OperationDefinitionNode
from sqlalchemy import Row
from strawberry.schema.name_converter import NameConverter
from strawberry.types.nodes import SelectedField, Selection

from api.bounded_cache import OldestFirst
from api.context import Info
from api.ids import global_id
from api.types.entities import ENTITY_CLASSES, Entity, build_entity
from api.types.enums import EdgeKind
from api.types.lineage import Lineage, LineageEdge, LineageNode
from graph.lineage import LineageEntity, LineageResult

EDGE_KINDS: dict[str, EdgeKind] = {str(kind.value): kind for kind in EdgeKind}
# The fields under which a lineage answer holds entities, by the field that holds them.
ENTITY_FIELDS = {"root": None, "nodes": ("entity",), "edges": ("source", "target")}
# What the walk itself gives every entity object.
WALKED = frozenset({"id", "key", "name"})


def fields_of(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection, through fragments (whatever their type condition or directives)."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from fields_of(selection.selections)


def entity_field_names(lineage_fields: Sequence[Selection]) -> set[str]:
    """Names of the fields asked of the entities anywhere in a `lineage` selection."""
    names: set[str] = set()
    for field in fields_of(
        selection for lineage in fields_of(lineage_fields) for selection in lineage.selections
    ):
        if field.name not in ENTITY_FIELDS:
            continue
        holders = ENTITY_FIELDS[field.name]
        entities = (
            [field]
            if holders is None
            else [inner for inner in fields_of(field.selections) if inner.name in holders]
        )
        for entity in entities:
            names.update(inner.name for inner in fields_of(entity.selections))
    return names


# Documents are parsed once and cached by the schema, so an operation node and a field's path name
# the same selection on every request that sends the same text.
NAMES_CACHE_SIZE = 512
SelectionKey = tuple[int, tuple[str | int, ...]]
_NAMES_BY_SELECTION: OldestFirst[SelectionKey, tuple[OperationDefinitionNode, set[str]]] = OldestFirst(
    NAMES_CACHE_SIZE
)


def selected_entity_field_names(info: Info) -> set[str]:
    """`entity_field_names` of the resolving field, converted once per document and field."""
    operation = info.operation
    key = (id(operation), tuple(info.path.as_list()))
    entry = _NAMES_BY_SELECTION.get(key)
    if entry is None or entry[0] is not operation:
        entry = (operation, entity_field_names(info.selected_fields))
        _NAMES_BY_SELECTION[key] = entry
    return entry[1]


@cache
def stored_attributes(name_converter: NameConverter) -> frozenset[str]:
    """GraphQL names of the entity fields read from stored columns, beyond what a walk gives."""
    names = {
        name_converter.get_graphql_name(field)
        for entity_class in ENTITY_CLASSES.values()
        for field in entity_class.__strawberry_definition__.fields  # type: ignore[attr-defined]
        if field.base_resolver is None
    }
    return frozenset(names - WALKED)


def needs_rows(names: set[str], name_converter: NameConverter) -> bool:
    return not names.isdisjoint(stored_attributes(name_converter))


def walked_entity(entity: LineageEntity, with_id: bool) -> Entity:
    """An entity object with only what the walk gave: its key, name and row id (and global id if asked).

    Made without the dataclass constructor, which would demand every stored attribute; the
    selection was checked to read none of the others.
    """
    built: Any = object.__new__(ENTITY_CLASSES[entity.type])
    built.key = entity.key
    built.name = entity.name
    built.row_id = entity.id
    if with_id:
        built.id = global_id(entity.type, entity.key)
    return built  # type: ignore[no-any-return]


def lineage_answer(
    result: LineageResult, rows: Sequence[Row[Any]] | None = None, with_ids: bool = True
) -> Lineage:
    """The GraphQL answer of a walk, from full entity `rows` when given, else from the walk alone."""
    full = {} if rows is None else {row.id: row for row in rows}
    objects: dict[int, Entity] = {}

    def entity_object(entity: LineageEntity) -> Entity:
        built = objects.get(entity.id)
        if built is None:
            row = full.get(entity.id)
            built = walked_entity(entity, with_ids) if row is None else build_entity(row)
            objects[entity.id] = built
        return built

    root = entity_object(result.root)
    nodes = [LineageNode(entity=entity_object(node.entity), distance=node.distance) for node in result.nodes]
    edges = [
        LineageEdge(
            source=objects[edge.source.id], target=objects[edge.target.id], kind=EDGE_KINDS[edge.kind]
        )
        for edge in result.edges
    ]
    return Lineage(root=root, nodes=nodes, edges=edges, truncated=result.truncated)
