"""Export: interchange records of the whole graph, and the round trip export -> ingest -> export."""

from __future__ import annotations

import io

import orjson
import pytest
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

import graph.export
from graph.db import is_sqlite, write_transaction
from graph.demo import demo_records
from graph.export import export_records, write_jsonl
from graph.ingest import ingest, jsonl_bytes, record_list
from graph.models import Base
from metrics.builtin import install_builtins
from tests.graph.factories import EXAMPLE, snapshot


async def exported(engine: AsyncEngine) -> bytes:
    stream = io.BytesIO()
    await write_jsonl(engine, stream)
    return stream.getvalue()


async def empty(engine: AsyncEngine) -> None:
    """Remove every row, as in a database that was just created."""
    async with write_transaction(engine) as connection:
        if is_sqlite(connection):
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(delete(table))
        else:
            tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


async def test_spec_example_exports_as_interchange_records(engine: AsyncEngine) -> None:
    await ingest(engine, record_list(EXAMPLE))
    records = [record async for record in export_records(engine)]
    by_key = {record["key"]: record for record in records if "key" in record}
    assert [record["type"] for record in records] == [
        "Team",
        "Team",
        "FeatureSource",
        "FeatureSource",
        "LogicalFeature",
        "TrainingDataset",
        "ModelSource",
        "WorkflowRun",
        "ModelBinary",
        "ModelDeployment",
        "MetricDefinition",
        "MetricValue",
    ]
    assert by_key["team/ads"] == {
        "type": "Team",
        "key": "team/ads",
        "name": "Ads",
        "parent": "org/meta",
        "created_at": by_key["team/ads"]["created_at"],
    }
    assert by_key["run/1"] == {
        "type": "WorkflowRun",
        "key": "run/1",
        "name": "train_ads",
        "owner": "team/ads",
        "system": "fblearner",
        "status": "SUCCEEDED",
        "started_at": "2026-10-01T00:00:00Z",
        "finished_at": "2026-10-01T05:00:00Z",
        "model_source": "ms/1",
        "datasets": ["ds/1"],
        "created_at": by_key["run/1"]["created_at"],
    }
    assert by_key["fs/1"]["created_at"] == "2026-01-02T03:04:05Z"
    assert by_key["fs/2"]["logged_from"] == ["dep/1"]
    assert by_key["dep/1"]["binaries"] == [{"binary": "mb/1", "role": "CONTROL", "traffic_percent": 100.0}]
    assert records[-1] == {
        "type": "MetricValue",
        "metric": "accuracy",
        "entity": "mb/1",
        "value": 0.93,
        "observed_at": "2026-10-01T06:00:00Z",
    }


async def test_timestamps_keep_their_microseconds_in_utc(engine: AsyncEngine) -> None:
    record = {
        "type": "ModelSource",
        "key": "ms/9",
        "name": "m",
        "created_at": "2026-03-04T05:06:07.000123+02:00",
    }
    await ingest(engine, record_list([record]))
    records = [record async for record in export_records(engine)]
    assert records[0]["created_at"] == "2026-03-04T03:06:07.000123Z"


async def test_properties_and_unknown_fields_are_exported_as_properties(engine: AsyncEngine) -> None:
    record = {"type": "ModelSource", "key": "ms/9", "name": "m", "properties": {"b": 1, "a": [2]}, "tier": 1}
    await ingest(engine, record_list([record]))
    records = [record async for record in export_records(engine)]
    assert records[0]["properties"] == {"a": [2], "b": 1, "tier": 1}
    assert list(records[0]["properties"]) == ["a", "b", "tier"]


async def test_export_of_an_empty_graph_is_empty(engine: AsyncEngine) -> None:
    assert await exported(engine) == b""


async def test_demo_graph_round_trips_byte_for_byte(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await ingest(engine, record_list(list(demo_records(models=20, seed=3))))
    first = await exported(engine)
    types = {orjson.loads(line)["type"] for line in first.splitlines()}
    assert types == {
        "Team",
        "FeatureSource",
        "LogicalFeature",
        "TrainingDataset",
        "ModelSource",
        "WorkflowRun",
        "ModelBinary",
        "ModelDeployment",
        "MetricDefinition",
        "MetricValue",
        "MetricFramework",
    }
    graph = await snapshot(engine)

    await empty(engine)
    # Every database holds aigraph's built-in metric definitions before anything is ingested.
    await install_builtins(engine)
    summary = await ingest(engine, jsonl_bytes(first))
    assert summary.warnings == [] and summary.updated == 0
    assert await exported(engine) == first
    again = await snapshot(engine)
    for table in ("entity", "edge", "team", "metric_value", "metric_framework"):
        assert len(again[table]) == len(graph[table]), table


async def test_exporting_twice_gives_the_same_bytes(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await ingest(engine, record_list(list(demo_records(models=5, seed=1))))
    assert await exported(engine) == await exported(engine)


async def test_small_chunks_give_the_same_export(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    await install_builtins(engine)
    await ingest(engine, record_list(list(demo_records(models=5, seed=2))))
    whole = await exported(engine)
    # Every section then spans several keyset chunks, so each resumes after the last key it saw.
    monkeypatch.setattr(graph.export, "CHUNK", 3)
    assert await exported(engine) == whole
