"""Metric values as of an instant: the latest observation at or before asOf, or the derived value.

`value_expression` is the one place that says what "the value of metric M on entity E at asOf" is
in SQL; frameworks and rollups build on it. `entity_metrics` answers Entity.metrics for many
entities at once with a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, null, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from graph.models import entity_table, metric_value_table
from graph.timestamps import now, to_micros
from metrics.buckets import bucket_of
from metrics.definitions import Definition, load_definitions
from metrics.derived import DERIVED, as_of_param, micros


@dataclass(frozen=True, slots=True)
class MetricResult:
    """A metric on one entity as of an instant; every field but `definition` is None without data."""

    definition: Definition
    value: float | None
    bucket: str | None
    score: float | None
    observed_at: datetime | None


def instant(as_of: datetime | None) -> datetime:
    """The asOf instant: now when not given; a naive datetime is taken as UTC."""
    if as_of is None:
        return now()
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)


def scored(definition: Definition, value: float | None, observed_at: datetime | None) -> MetricResult:
    """A result with its bucket label and score."""
    bucket = bucket_of(definition.buckets, value)
    return MetricResult(
        definition,
        value,
        None if bucket is None else bucket.label,
        None if bucket is None else bucket.score,
        None if value is None else observed_at,
    )


def latest_value(definition_id: int, entity: Any, as_of: ColumnElement[int]) -> ColumnElement[Any]:
    """SQL: the latest ingested value at or before asOf (the (entity, metric, observed) index serves it)."""
    values = metric_value_table.alias("latest")
    return (
        select(values.c.value)
        .where(
            values.c.entity_id == entity.c.id,
            values.c.metric_id == definition_id,
            micros(values.c.observed_at) <= as_of,
        )
        .order_by(values.c.observed_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def value_expression(definition: Definition, entity: Any, as_of: ColumnElement[int]) -> ColumnElement[Any]:
    """SQL: the value of a metric on the entity row `entity` as of asOf; NULL when there is none."""
    if definition.derived:
        compute = DERIVED.get(definition.key)
        # A derived definition without code behind it (an older build's) measures nothing.
        return null() if compute is None else compute(entity, as_of)
    return latest_value(definition.id, entity, as_of)


async def entity_metrics(
    connection: AsyncConnection,
    entity_ids: Sequence[int],
    keys: Sequence[str] | None = None,
    category: str | None = None,
    as_of: datetime | None = None,
) -> dict[int, list[MetricResult]]:
    """Per entity id, one result per requested metric that applies to its type (all of them without keys).

    Three statements however many entities: the definitions, the entities with their derived
    values, the latest ingested values. An entity created after asOf has no data.
    """
    moment = instant(as_of)
    definitions = await load_definitions(connection, keys, category)
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        return {}
    as_of_micros = as_of_param(to_micros(moment))
    derived = [definition for definition in definitions if definition.derived]
    ingested = [definition for definition in definitions if not definition.derived]

    entity = entity_table.alias("entity")
    exists = micros(entity.c.created_at) <= as_of_micros
    columns: list[ColumnElement[Any]] = [entity.c.id, entity.c.type, exists.label("exists")]
    for index, definition in enumerate(derived):
        computed = value_expression(definition, entity, as_of_micros)
        applies = exists
        if definition.entity_type is not None:
            applies = and_(exists, entity.c.type == definition.entity_type)
        # CASE keeps the correlated subqueries from running on entities they do not apply to.
        columns.append(case((applies, computed)).label(f"derived_{index}"))
    rows = (await connection.execute(select(*columns).where(entity.c.id.in_(ids)))).all()

    observed: dict[tuple[int, int], tuple[float, datetime]] = {}
    if ingested and rows:
        observed = await _latest_observations(connection, ids, [d.id for d in ingested], to_micros(moment))

    results: dict[int, list[MetricResult]] = {}
    for row in rows:
        values = row._mapping
        derived_values = {d.id: values[f"derived_{index}"] for index, d in enumerate(derived)}
        answers: list[MetricResult] = []
        for definition in definitions:
            if not definition.applies_to(values["type"]):
                continue
            if definition.derived:
                answers.append(scored(definition, derived_values[definition.id], moment))
            elif values["exists"]:
                value, observed_at = observed.get((values["id"], definition.id), (None, None))
                answers.append(scored(definition, value, observed_at))
            else:
                answers.append(scored(definition, None, None))
        results[values["id"]] = answers
    return results


async def _latest_observations(
    connection: AsyncConnection, entity_ids: list[int], metric_ids: list[int], as_of_micros: int
) -> dict[tuple[int, int], tuple[float, datetime]]:
    """(entity id, metric id) -> (value, observed_at) of the latest observation at or before asOf."""
    values = metric_value_table
    ranked = (
        select(
            values.c.entity_id,
            values.c.metric_id,
            values.c.value,
            values.c.observed_at,
            func.row_number()
            .over(partition_by=(values.c.entity_id, values.c.metric_id), order_by=values.c.observed_at.desc())
            .label("position"),
        )
        .where(
            values.c.entity_id.in_(entity_ids),
            values.c.metric_id.in_(metric_ids),
            micros(values.c.observed_at) <= as_of_param(as_of_micros),
        )
        .subquery("ranked")
    )
    statement = select(ranked.c.entity_id, ranked.c.metric_id, ranked.c.value, ranked.c.observed_at).where(
        ranked.c.position == 1
    )
    rows = (await connection.execute(statement)).all()
    return {(row.entity_id, row.metric_id): (row.value, row.observed_at) for row in rows}
