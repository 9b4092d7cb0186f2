"""Small graphs by name, and a content snapshot of the whole database."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.models import Base

EXAMPLE = [
    {"type": "Team", "key": "org/meta", "name": "Meta"},
    {"type": "Team", "key": "team/ads", "name": "Ads", "parent": "org/meta"},
    {
        "type": "FeatureSource",
        "key": "fs/1",
        "name": "clicks",
        "owner": "team/ads",
        "system": "hive",
        "kind": "TABLE",
        "uri": "hive://w/clicks",
        "created_at": "2026-01-02T03:04:05Z",
    },
    {
        "type": "FeatureSource",
        "key": "fs/2",
        "name": "ranker_logs",
        "owner": "team/ads",
        "system": "scribe",
        "kind": "LOG",
        "logged_from": ["dep/1"],
    },
    {
        "type": "LogicalFeature",
        "key": "lf/1",
        "name": "ctr_7d",
        "owner": "team/ads",
        "system": "feature-store",
        "sources": ["fs/1"],
    },
    {
        "type": "TrainingDataset",
        "key": "ds/1",
        "name": "ads_train",
        "owner": "team/ads",
        "system": "dataswarm",
        "features": ["lf/1"],
    },
    {
        "type": "ModelSource",
        "key": "ms/1",
        "name": "ads_ranker",
        "owner": "team/ads",
        "system": "fblearner",
        "purpose": "ranking",
        "repository": "git://models/ads",
    },
    {
        "type": "WorkflowRun",
        "key": "run/1",
        "name": "train_ads",
        "owner": "team/ads",
        "system": "fblearner",
        "model_source": "ms/1",
        "datasets": ["ds/1"],
        "status": "SUCCEEDED",
        "started_at": "2026-10-01T00:00:00Z",
        "finished_at": "2026-10-01T05:00:00Z",
    },
    {
        "type": "ModelBinary",
        "key": "mb/1",
        "name": "ads_ranker_v1",
        "owner": "team/ads",
        "system": "fblearner",
        "run": "run/1",
        "version": "1",
        "created_at": "2026-10-01T05:00:00Z",
    },
    {
        "type": "ModelDeployment",
        "key": "dep/1",
        "name": "ads_prod",
        "owner": "team/ads",
        "system": "inference",
        "environment": "prod",
        "region": "us-east",
        "status": "ACTIVE",
        "binaries": [{"binary": "mb/1", "traffic_percent": 100, "role": "CONTROL"}],
        "started_at": "2026-10-02T00:00:00Z",
    },
    {
        "type": "MetricDefinition",
        "key": "accuracy",
        "name": "Offline accuracy",
        "category": "MODEL",
        "entity_type": "ModelBinary",
        "unit": "ratio",
        "higher_is_better": True,
        "buckets": [
            {"label": "POOR", "below": 0.8, "score": 0},
            {"label": "FAIR", "below": 0.9, "score": 0.5},
            {"label": "GOOD", "score": 1},
        ],
    },
    {
        "type": "MetricValue",
        "metric": "accuracy",
        "entity": "mb/1",
        "value": 0.93,
        "observed_at": "2026-10-01T06:00:00Z",
    },
]


def jsonl(records: list[dict[str, Any]]) -> bytes:
    # The standard library writes integers of any size, so oversized values reach the parser.
    return b"\n".join(json.dumps(record).encode() for record in records) + b"\n"


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two equal snapshots hold the same content."""
    content: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            content[table.name] = sorted(tuple(repr(value) for value in row) for row in rows)
    return content
