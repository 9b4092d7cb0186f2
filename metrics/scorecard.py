"""Scorecards: one entity's framework tree, every node with its score and bucket, leaves with their metric.

The entities each leaf reaches come from one statement and their values from `entity_metrics`, so a
scorecard costs a fixed number of statements; only the handful of results of one entity are
combined here, by the same rules the set-based SQL of metrics/frameworks.py applies to all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Dialect, Integer, String, bindparam, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from graph.driver_select import DriverSelect
from graph.timestamps import to_micros
from metrics import tables
from metrics.buckets import Bucket, bucket_of
from metrics.definitions import Definition, MetricsError, UnknownEntity
from metrics.frameworks import Framework, FrameworkNode, load_framework
from metrics.values import MetricResult, instant, measure, scored
from metrics.via import reached


@dataclass(slots=True)
class ScoreNode:
    """A framework node evaluated for one entity; `metric` is set on leaves only."""

    name: str
    weight: float
    score: float | None
    bucket: str | None
    metric: MetricResult | None = None
    children: list[ScoreNode] = field(default_factory=list)


# What a leaf reaches: (entity key, that entity's result for the leaf's metric).
Candidates = list[tuple[str, MetricResult]]


async def scorecard(
    connection: AsyncConnection, entity_key: str, framework_key: str, as_of: datetime | None = None
) -> ScoreNode | None:
    """The framework evaluated for one entity as of asOf; None when the entity did not exist yet.

    Four statements: the framework, its definitions, the entity with everything its leaves reach,
    and the values of all of those.
    """
    moment = instant(as_of)
    framework, definitions = await load_framework(connection, framework_key)
    leaves = [node for node in framework.root.nodes() if node.metric in definitions]
    entity, reached_keys = await _reached_keys(connection, framework, leaves, entity_key, to_micros(moment))
    if entity is None:
        raise UnknownEntity(entity_key)
    if entity.type != framework.entity_type:
        raise MetricsError(
            f"framework {framework.key!r} scores {framework.entity_type} entities; "
            f"{entity_key!r} is a {entity.type}"
        )
    if entity.created_at > moment:
        return None
    ids = {entity.id: entity_key} | {
        entity_id: key for keys in reached_keys.values() for entity_id, key in keys
    }
    results = await measure(connection, list(ids), list(definitions.values()), moment)
    found = {
        (entity_id, result.definition.key): result
        for entity_id, answers in results.items()
        for result in answers
    }

    def candidates(index: int, leaf: FrameworkNode) -> Candidates:
        pairs = [(entity.id, entity_key)] if leaf.via == "SELF" else reached_keys.get(index, [])
        metric = str(leaf.metric)
        return [(key, found[entity_id, metric]) for entity_id, key in pairs if (entity_id, metric) in found]

    leaf_results = {
        id(leaf): reduce(leaf, definitions[str(leaf.metric)], candidates(index, leaf))
        for index, leaf in enumerate(leaves)
    }
    return evaluate(framework.root, framework.buckets, leaf_results)


async def _reached_keys(
    connection: AsyncConnection,
    framework: Framework,
    leaves: list[FrameworkNode],
    entity_key: str,
    as_of: int,
) -> tuple[Any, dict[int, list[tuple[int, str]]]]:
    """The entity's row (None when unknown) and, per leaf index, (id, key) of what its via reaches.

    One statement: the entity itself is the part labelled -1 of the union.
    """
    vias = tuple(leaf.via for leaf in leaves)
    statement = _reached_statement(framework.entity_type, vias, connection.dialect)
    itself = None
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in await statement.rows(connection, {"entity_key": entity_key, "as_of": as_of}):
        if row.leaf == -1:
            itself = row
        else:
            found[row.leaf].append((row.id, row.key))
    return itself, found


@lru_cache(maxsize=64)
def _reached_statement(entity_type: str, vias: tuple[str, ...], dialect: Dialect) -> DriverSelect:
    """The statement of `_reached_keys` for a framework's leaves (by their vias), compiled once for
    the engine's dialect and sent straight to its driver; the entity's key and asOf are parameters."""
    entity = tables.entity
    key = bindparam("entity_key", type_=String)
    origin = select(entity.c.id).where(entity.c.key == key)
    columns = (entity.c.id, entity.c.key, entity.c.type, entity.c.created_at)
    parts = [select(literal(-1, Integer).label("leaf"), *columns).where(entity.c.key == key)]
    for index, via in enumerate(vias):
        if via == "SELF":
            continue
        reach = reached(entity_type, via, bindparam("as_of", type_=BigInteger), origin)
        parts.append(
            select(literal(index, Integer).label("leaf"), *columns).join_from(
                reach, entity, entity.c.id == reach.c.reached_id
            )
        )
    return DriverSelect.compile(union_all(*parts), dialect)


def reduce(leaf: FrameworkNode, definition: Definition, candidates: Candidates) -> MetricResult:
    """A leaf's result: the worst or best reached entity's, or the mean over them; no data when none."""
    with_score = [(key, result) for key, result in candidates if result.score is not None]
    if not with_score:
        return scored(definition, None, None)
    if leaf.via in ("SELF", "LATEST_BINARY"):
        return with_score[0][1]
    if leaf.reduce == "MEAN":
        results = [result for _, result in with_score]
        values = [result.value for result in results if result.value is not None]
        mean_value = sum(values) / len(values)
        bucket = bucket_of(definition.buckets, mean_value)
        observed = [result.observed_at for result in results if result.observed_at is not None]
        return MetricResult(
            definition,
            mean_value,
            None if bucket is None else bucket.label,
            sum(float(result.score or 0) for result in results) / len(results),
            max(observed) if observed else None,
        )
    # Ties go to the smallest key, so the entity reported does not depend on row order.
    if leaf.reduce == "WORST":
        return min(with_score, key=lambda pair: (pair[1].score, pair[0]))[1]
    return min(with_score, key=lambda pair: (-(pair[1].score or 0), pair[0]))[1]


def aggregate(node: FrameworkNode, children: list[ScoreNode]) -> float | None:
    """An inner node's score over the children that have one (weighted for MEAN)."""
    present = [child for child in children if child.score is not None]
    if not present:
        return None
    if node.aggregate == "MIN":
        return min(float(child.score or 0) for child in present)
    if node.aggregate == "MAX":
        return max(float(child.score or 0) for child in present)
    total = sum(child.weight * float(child.score or 0) for child in present)
    return total / sum(child.weight for child in present)


def evaluate(
    node: FrameworkNode, buckets: tuple[Bucket, ...], leaf_results: dict[int, MetricResult]
) -> ScoreNode:
    if not node.children:
        result = leaf_results.get(id(node))
        score = None if result is None else result.score
        return ScoreNode(node.name, node.weight, score, _label(buckets, score), result)
    children = [evaluate(child, buckets, leaf_results) for child in node.children]
    score = aggregate(node, children)
    return ScoreNode(node.name, node.weight, score, _label(buckets, score), None, children)


def _label(buckets: tuple[Bucket, ...], score: float | None) -> str | None:
    bucket = bucket_of(buckets, score)
    return None if bucket is None else bucket.label
