"""Narrow views of the graph's tables: only the columns metrics read.

The entity table carries every subtype's columns; aliasing it (metrics SQL aliases it often) copies
them all. These name the same tables with just what the metric queries use.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, Float, Integer, Select, String, Text, column, table

from graph.models import edge_table, entity_table, metric_value_table
from graph.timestamps import Timestamp

entity = table(
    entity_table.name,
    column("id", Integer),
    column("key", Text),
    column("type", String),
    column("owner_id", Integer),
    column("created_at", Timestamp()),
)
edge = table(
    edge_table.name,
    column("source_id", Integer),
    column("kind", String),
    column("target_id", Integer),
    column("role", String),
)
metric_value = table(
    metric_value_table.name,
    column("metric_id", Integer),
    column("entity_id", Integer),
    column("observed_at", Timestamp()),
    column("value", Float),
)

__all__ = ["edge", "entity", "metric_value"]


def computed_once(statement: Select[Any], name: str) -> CTE:
    """A CTE the database materialises: its columns are computed once per row.

    Without it, SQLite (and PostgreSQL) flatten the subquery and copy a column's expression into
    every place that reads it; a bucket CASE reads a value three times, and a framework's MEAN
    reads each child twice, so a correlated subquery would run many times per entity.
    """
    return statement.cte(name).prefix_with("MATERIALIZED")
