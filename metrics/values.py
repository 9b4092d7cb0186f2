"""Metric values as of an instant: the latest observation at or before asOf, or the derived value.

`value_expression` is the one place that says what "the value of metric M on entity E at asOf" is
in SQL; frameworks and rollups build on it. `entity_metrics` answers Entity.metrics for many
entities at once with a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Dialect, and_, bindparam, case, null, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from graph.driver_select import DriverSelect, in_list, list_value
from graph.timestamps import now, to_micros
from metrics import tables
from metrics.buckets import bucket_of
from metrics.definitions import Definition, load_definitions
from metrics.derived import DERIVED, micros


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


def latest_observed(
    definition_id: int, entity: Any, as_of: ColumnElement[int], column: str = "value"
) -> ColumnElement[Any]:
    """SQL: a column (value or observed_at) of the latest ingested observation at or before asOf.

    The (entity, metric, observed) index serves it with one seek.
    """
    values = tables.metric_value.alias("latest")
    return (
        select(values.c[column])
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
    return latest_observed(definition.id, entity, as_of)


async def entity_metrics(
    connection: AsyncConnection,
    entity_ids: Sequence[int],
    keys: Sequence[str] | None = None,
    category: str | None = None,
    as_of: datetime | None = None,
) -> dict[int, list[MetricResult]]:
    """Per entity id, one result per requested metric that applies to its type (all of them without keys).

    Two statements however many entities: the definitions, then the values (see `measure`).
    """
    definitions = await load_definitions(connection, keys, category)
    return await measure(connection, entity_ids, definitions, instant(as_of))


async def measure(
    connection: AsyncConnection,
    entity_ids: Sequence[int],
    definitions: Sequence[Definition],
    moment: datetime,
) -> dict[int, list[MetricResult]]:
    """The results of these definitions on these entities, in one statement.

    One row per entity, two columns per definition (value, observed_at), each under a CASE that
    keeps its correlated subquery from running where the metric does not apply. An entity created
    after asOf has no data.
    """
    ids = list(dict.fromkeys(entity_ids))
    if not ids:
        return {}
    postgresql = connection.dialect.name == "postgresql"
    statement = _measured(tuple(definitions), connection.dialect)
    parameters = {"as_of": to_micros(moment), "ids": list_value(ids, postgresql)}
    rows = await statement.rows(connection, parameters)

    results: dict[int, list[MetricResult]] = {}
    for row in rows:
        values = row._mapping
        answers: list[MetricResult] = []
        for index, definition in enumerate(definitions):
            if not definition.applies_to(values["type"]):
                continue
            observed = moment if definition.derived else values[f"observed_{index}"]
            answers.append(scored(definition, values[f"value_{index}"], observed))
        results[values["id"]] = answers
    return results


@lru_cache(maxsize=64)
def _measured(definitions: tuple[Definition, ...], dialect: Dialect) -> DriverSelect:
    """The statement of `measure` for these definitions, compiled once for the engine's dialect and
    sent straight to its driver: building and compiling it with SQLAlchemy cost more than running it.
    asOf and the entity ids are its parameters."""
    as_of_micros: ColumnElement[int] = bindparam("as_of", type_=BigInteger)
    entity = tables.entity.alias("entity")
    exists = micros(entity.c.created_at) <= as_of_micros
    columns: list[ColumnElement[Any]] = [entity.c.id, entity.c.type]
    for index, definition in enumerate(definitions):
        applies = exists
        if definition.entity_type is not None:
            applies = and_(exists, entity.c.type == definition.entity_type)
        if definition.derived:
            columns.append(
                case((applies, value_expression(definition, entity, as_of_micros))).label(f"value_{index}")
            )
            continue
        value = latest_observed(definition.id, entity, as_of_micros)
        observed_at = latest_observed(definition.id, entity, as_of_micros, "observed_at")
        columns.append(case((applies, value)).label(f"value_{index}"))
        columns.append(case((applies, observed_at)).label(f"observed_{index}"))
    postgresql = dialect.name == "postgresql"
    return DriverSelect.compile(select(*columns).where(in_list(entity.c.id, "ids", postgresql)), dialect)
