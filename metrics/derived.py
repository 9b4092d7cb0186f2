"""Derived metrics: values computed from the graph itself, as SQL expressions keyed by metric key.

Each one is a function of an entity row (a FROM element with the entity columns, to correlate with)
and the asOf instant in microseconds; it returns a nullable float expression. Adding a derived
metric is one function here plus its definition in metrics/builtin.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Float, case, cast, func, literal, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from metrics import tables

DerivedValue = Callable[[Any, ColumnElement[int]], ColumnElement[Any]]
MICROS_PER_DAY = 86_400_000_000.0


def micros(column: Any) -> ColumnElement[int]:
    """A timestamp column as its stored integer (microseconds), for arithmetic and comparison."""
    return type_coerce(column, BigInteger)


def as_of_param(as_of_micros: int) -> ColumnElement[int]:
    return literal(as_of_micros, BigInteger)


def days_since(as_of: ColumnElement[int], moment: ColumnElement[Any]) -> ColumnElement[Any]:
    """Fractional days from `moment` (microseconds) to asOf; NULL when moment is NULL."""
    return cast(as_of - moment, Float) / literal(MICROS_PER_DAY, Float)


def retraining_recency_days(entity: Any, as_of: ColumnElement[int]) -> ColumnElement[Any]:
    """Days since the newest binary (created at or before asOf) of a model source's runs."""
    executes, produces = tables.edge.alias("executes"), tables.edge.alias("produces")
    binary = tables.entity.alias("binary")
    newest = (
        select(func.max(micros(binary.c.created_at)))
        .select_from(
            executes.join(produces, produces.c.source_id == executes.c.target_id).join(
                binary, binary.c.id == produces.c.target_id
            )
        )
        .where(
            executes.c.source_id == entity.c.id,
            executes.c.kind == "EXECUTES",
            produces.c.kind == "PRODUCES",
            micros(binary.c.created_at) <= as_of,
        )
        .scalar_subquery()
    )
    return days_since(as_of, newest)


def deployed_binary_age_days(entity: Any, as_of: ColumnElement[int]) -> ColumnElement[Any]:
    """Days since the newest binary serving CONTROL traffic in a deployment (existing at asOf)."""
    deployed, binary = tables.edge.alias("deployed"), tables.entity.alias("binary")
    newest = (
        select(func.max(micros(binary.c.created_at)))
        .select_from(deployed.join(binary, binary.c.id == deployed.c.source_id))
        .where(
            deployed.c.target_id == entity.c.id,
            deployed.c.kind == "DEPLOYED_TO",
            # CONTROL is the default role; an edge stored without one is a control edge.
            func.coalesce(deployed.c.role, "CONTROL") == "CONTROL",
            micros(binary.c.created_at) <= as_of,
        )
        .scalar_subquery()
    )
    return days_since(as_of, newest)


def has_owner(entity: Any, as_of: ColumnElement[int]) -> ColumnElement[Any]:
    """1 when an owner team is set, else 0."""
    return case((entity.c.owner_id.is_not(None), literal(1.0, Float)), else_=literal(0.0, Float))


DERIVED: dict[str, DerivedValue] = {
    "retraining_recency_days": retraining_recency_days,
    "deployed_binary_age_days": deployed_binary_age_days,
    "has_owner": has_owner,
}
