"""Metric frameworks: their trees as read from the store, and every entity's framework score in SQL.

The set-based score is built in layers: the innermost SELECT computes one column per leaf (the
leaf's metric on the entity, or reduced over the entities its `via` reaches); each outer layer
adds the inner nodes whose children are all computed below it, from those columns only. A node's
expression therefore names each child once, however deep the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, Float, Row, String, and_, bindparam, case, func, literal, null, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Subquery

from graph.driver_select import DriverSelect
from graph.models import metric_framework_table
from metrics import tables
from metrics.buckets import Bucket, parse_buckets, score_case
from metrics.definitions import Definition, UnknownFramework, by_key, load_definitions
from metrics.derived import micros
from metrics.values import value_expression
from metrics.via import reached

REDUCERS: dict[str, Callable[[ColumnElement[Any]], ColumnElement[Any]]] = {
    "WORST": lambda score: func.min(score),
    "BEST": lambda score: func.max(score),
    "MEAN": lambda score: func.avg(score),
}
# Scores lie in [0, 1]; these stand in for "no score" so that LEAST/GREATEST skip missing children.
ABOVE_ANY_SCORE, BELOW_ANY_SCORE = 2.0, -1.0


@dataclass(frozen=True, slots=True)
class FrameworkNode:
    """A node of a framework tree: inner nodes aggregate children, leaves name a metric."""

    name: str
    weight: float
    aggregate: str | None
    children: tuple[FrameworkNode, ...]
    metric: str | None
    via: str
    reduce: str

    @classmethod
    def parse(cls, stored: dict[str, Any]) -> FrameworkNode:
        return cls(
            name=str(stored["name"]),
            weight=float(stored.get("weight") or 1),
            aggregate=stored.get("aggregate") or ("MEAN" if "children" in stored else None),
            children=tuple(cls.parse(child) for child in stored.get("children") or ()),
            metric=stored.get("metric"),
            via=stored.get("via") or "SELF",
            reduce=stored.get("reduce") or "WORST",
        )

    def nodes(self) -> list[FrameworkNode]:
        """This node and every node under it, in pre-order."""
        found = [self]
        for child in self.children:
            found.extend(child.nodes())
        return found

    def height(self) -> int:
        return 0 if not self.children else 1 + max(child.height() for child in self.children)


@dataclass(frozen=True, slots=True)
class Framework:
    id: int
    key: str
    name: str
    description: str | None
    entity_type: str
    buckets: tuple[Bucket, ...]
    root: FrameworkNode

    @classmethod
    def from_row(cls, row: Row[Any]) -> Framework:
        values = row._mapping
        return cls(
            id=values["id"],
            key=values["key"],
            name=values["name"],
            description=values["description"],
            entity_type=values["entity_type"],
            buckets=parse_buckets(values["buckets"]),
            root=FrameworkNode.parse(values["root"]),
        )

    def metric_keys(self) -> list[str]:
        return list(dict.fromkeys(node.metric for node in self.root.nodes() if node.metric is not None))


async def load_frameworks(connection: AsyncConnection) -> list[Framework]:
    statement = select(metric_framework_table).order_by(metric_framework_table.c.key)
    return [Framework.from_row(row) for row in (await connection.execute(statement)).all()]


@lru_cache(maxsize=8)
def _framework_by_key(dialect: Dialect) -> DriverSelect:
    """The framework of the key bound as `key`, compiled once for the dialect and sent straight to
    the driver: through SQLAlchemy's async adaptation this lookup cost more than a whole scorecard's
    other statements."""
    wanted = metric_framework_table.c.key == bindparam("key", type_=String)
    return DriverSelect.compile(select(metric_framework_table).where(wanted), dialect)


async def load_framework(connection: AsyncConnection, key: str) -> tuple[Framework, dict[str, Definition]]:
    """A framework by key (UnknownFramework when absent) with the definitions of its leaves."""
    rows = await _framework_by_key(connection.dialect).rows(connection, {"key": key})
    if not rows:
        raise UnknownFramework(key)
    framework = Framework.from_row(rows[0])
    return framework, by_key(await load_definitions(connection, framework.metric_keys()))


def via_leaf_scores(
    node: FrameworkNode,
    definition: Definition,
    entity_type: str,
    as_of: ColumnElement[int],
    origin_ids: list[int] | None,
    name: str,
) -> Subquery:
    """(origin_id, score): a via leaf's reduced score per origin entity that reaches anything scored."""
    reach = reached(entity_type, node.via, as_of, origin_ids)
    measured = tables.entity.alias("measured")
    # Each reached value is computed once, in its own column, before the bucket CASE reads it.
    valued = tables.computed_once(
        select(reach.c.origin_id, value_expression(definition, measured, as_of).label("value")).join_from(
            reach, measured, measured.c.id == reach.c.reached_id
        ),
        f"valued_{name}",
    )
    score = REDUCERS[node.reduce](score_case(definition.buckets, valued.c.value))
    return select(valued.c.origin_id, score.label("score")).group_by(valued.c.origin_id).subquery()


def aggregate_score(node: FrameworkNode, children: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """SQL: an inner node's score over the children that have one; NULL when none has."""
    if node.aggregate == "MEAN":
        weights = [literal(child.weight, Float) for child in node.children]
        total = sum_of([func.coalesce(w * c, 0.0) for w, c in zip(weights, children, strict=True)])
        weight = sum_of(
            [case((c.is_not(None), w), else_=0.0) for w, c in zip(weights, children, strict=True)]
        )
        return total / func.nullif(weight, 0.0, type_=Float)
    if len(children) == 1:
        return children[0]
    lowest = node.aggregate == "MIN"
    missing = literal(ABOVE_ANY_SCORE if lowest else BELOW_ANY_SCORE, Float)
    extreme = least if lowest else greatest
    picked = extreme(*[func.coalesce(child, missing) for child in children])
    return func.nullif(picked, missing, type_=Float)


def sum_of(terms: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


class least(FunctionElement[Any]):
    """LEAST(a, b, ...) on PostgreSQL, the multi-argument min(a, b, ...) on SQLite."""

    type = Float()
    inherit_cache = True
    name = "least"


class greatest(FunctionElement[Any]):
    """GREATEST(a, b, ...) on PostgreSQL, the multi-argument max(a, b, ...) on SQLite."""

    type = Float()
    inherit_cache = True
    name = "greatest"


@compiles(least)
@compiles(greatest)
def _compile_extreme(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"{element.name.upper()}({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
@compiles(greatest, "sqlite")
def _compile_extreme_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's scalar min/max return NULL if any argument is NULL; callers pass no NULLs.
    function = "min" if element.name == "least" else "max"
    return f"{function}({compiler.process(element.clauses, **kw)})"


def entity_scores(
    framework: Framework,
    definitions: dict[str, Definition],
    as_of: ColumnElement[int],
    entity_ids: list[int] | None = None,
) -> Subquery:
    """(id, owner_id, score) of every entity of the framework's type that exists at asOf.

    `score` is the root's score, NULL when no leaf has data.
    """
    nodes = framework.root.nodes()
    column_of = {id(node): f"node_{index}" for index, node in enumerate(nodes)}
    leaves = [node for node in nodes if node.metric is not None]
    entity = tables.entity.alias("scored")
    conditions = [entity.c.type == framework.entity_type, micros(entity.c.created_at) <= as_of]
    if entity_ids is not None:
        conditions.append(entity.c.id.in_(entity_ids))
    # SELF leaves: the value first, in a column of its own, so that the bucket CASE reads it once.
    own_values = [
        value_expression(definitions[leaf.metric], entity, as_of).label(column_of[id(leaf)])
        for leaf in leaves
        if leaf.via == "SELF" and leaf.metric in definitions
    ]
    values = tables.computed_once(
        select(entity.c.id, entity.c.owner_id, *own_values).where(and_(*conditions)), "own_values"
    )
    joined: Any = values
    columns: list[ColumnElement[Any]] = [values.c.id, values.c.owner_id]
    for leaf in leaves:
        name = column_of[id(leaf)]
        definition = definitions.get(str(leaf.metric))
        if definition is None:
            # Ingest refuses frameworks naming unknown metrics; a metric deleted since scores nothing.
            columns.append(null().label(name))
        elif leaf.via == "SELF":
            columns.append(score_case(definition.buckets, values.c[name]).label(name))
        else:
            scores = via_leaf_scores(leaf, definition, framework.entity_type, as_of, entity_ids, name).alias(
                f"via_{name}"
            )
            joined = joined.outerjoin(scores, scores.c.origin_id == values.c.id)
            columns.append(scores.c.score.label(name))
    layer = tables.computed_once(select(*columns).select_from(joined), "layer_0")
    for height in range(1, framework.root.height() + 1):
        computed = [
            aggregate_score(node, [layer.c[column_of[id(child)]] for child in node.children]).label(
                column_of[id(node)]
            )
            for node in nodes
            if node.children and node.height() == height
        ]
        layer = tables.computed_once(select(*layer.c, *computed), f"layer_{height}")
    return select(
        layer.c.id, layer.c.owner_id, layer.c[column_of[id(framework.root)]].label("score")
    ).subquery("scores")
