"""Small graphs for metric tests, built by name as interchange records; times in days after T0."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest, record_list
from graph.models import entity_table
from graph.timestamps import iso, to_micros
from metrics.derived import as_of_param
from metrics.frameworks import entity_scores, load_framework

Record = dict[str, Any]
T0 = datetime(2026, 1, 1, tzinfo=UTC)

# Easy to score by hand: 0.1 -> 0, 0.5 -> 0.5, 0.9 -> 1.
THIRDS = [
    {"label": "LOW", "below": 0.25, "score": 0},
    {"label": "MID", "below": 0.75, "score": 0.5},
    {"label": "HIGH", "score": 1},
]
FRAMEWORK_BUCKETS = [
    {"label": "POOR", "below": 0.5, "score": 0},
    {"label": "FAIR", "below": 0.8, "score": 0.5},
    {"label": "GOOD", "score": 1},
]


def day(days: float) -> datetime:
    return T0 + timedelta(days=days)


def at(days: float) -> str:
    return iso(day(days))


def team(key: str, parent: str | None = None) -> Record:
    record: Record = {"type": "Team", "key": key, "name": key}
    if parent is not None:
        record["parent"] = parent
    return record


def _entity(kind: str, key: str, owner: str | None, created: float, **fields: Any) -> Record:
    record: Record = {"type": kind, "key": key, "name": key, "created_at": at(created), **fields}
    if owner is not None:
        record["owner"] = owner
    return record


def source(key: str, owner: str | None = "team/a", created: float = 0) -> Record:
    return _entity("ModelSource", key, owner, created)


def run(key: str, model_source: str, created: float = 0, owner: str | None = "team/a") -> Record:
    return _entity("WorkflowRun", key, owner, created, model_source=model_source)


def binary(key: str, producing_run: str, created: float = 0, owner: str | None = "team/a") -> Record:
    return _entity("ModelBinary", key, owner, created, run=producing_run)


def deployment(
    key: str, binaries: Iterable[tuple[str, str]], created: float = 0, owner: str | None = "team/a"
) -> Record:
    served = [{"binary": name, "role": role} for name, role in binaries]
    return _entity("ModelDeployment", key, owner, created, binaries=served)


def definition(key: str, entity_type: str | None, buckets: list[Record] | None = None) -> Record:
    return {
        "type": "MetricDefinition",
        "key": key,
        "name": key,
        "category": "MODEL",
        "entity_type": entity_type,
        "unit": "ratio",
        "buckets": buckets or THIRDS,
    }


def value(metric: str, entity: str, measured: float, observed: float = 0) -> Record:
    return {
        "type": "MetricValue",
        "metric": metric,
        "entity": entity,
        "value": measured,
        "observed_at": at(observed),
    }


def framework(key: str, root: Record, entity_type: str = "ModelSource") -> Record:
    return {
        "type": "MetricFramework",
        "key": key,
        "name": key,
        "entity_type": entity_type,
        "buckets": FRAMEWORK_BUCKETS,
        "root": root,
    }


def leaf(name: str, metric: str, weight: float = 1, **options: str) -> Record:
    return {"name": name, "metric": metric, "weight": weight, **options}


def node(name: str, *children: Record, aggregate: str = "MEAN", weight: float = 1) -> Record:
    return {"name": name, "aggregate": aggregate, "weight": weight, "children": list(children)}


async def load(engine: AsyncEngine, *records: Record) -> None:
    await ingest(engine, record_list(list(records)))


async def sql_score(
    engine: AsyncEngine, framework_key: str, entity_key: str, as_of: datetime
) -> float | None:
    """The framework score of one entity as the set-based SQL of rollups computes it."""
    async with engine.connect() as connection:
        loaded, definitions = await load_framework(connection, framework_key)
        entity_id = (
            await connection.execute(select(entity_table.c.id).where(entity_table.c.key == entity_key))
        ).scalar_one()
        scores = entity_scores(loaded, definitions, as_of_param(to_micros(as_of)), [entity_id])
        row = (await connection.execute(select(scores.c.score))).first()
    return None if row is None else row.score
