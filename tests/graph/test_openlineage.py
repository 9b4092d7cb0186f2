"""OpenLineage RunEvents into the graph: types, keys, statuses, times, merging in any order, conflicts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest, record_list
from graph.mappings import parse_mapping
from graph.models import edge_table, entity_table
from graph.openlineage_events import EventError, parse_events
from graph.openlineage_ingest import record_events
from tests.graph.factories import snapshot

RUN_ID = "0190e3f2-6f3a-7c1e-9f45-2b1d2f9c1a01"


def event(event_type: str | None, time: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventTime": time,
        "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN_ID},
        "job": {"namespace": "airflow", "name": "train_ranker"},
        "inputs": [{"namespace": "hive://warehouse", "name": "ads.train_2026_10"}],
        "outputs": [{"namespace": "s3://models", "name": "ranker"}],
    }
    if event_type is not None:
        body["eventType"] = event_type
    body.update(changes)
    return body


async def send(engine: AsyncEngine, body: Any, mapping: dict[str, Any] | None = None) -> None:
    await record_events(engine, parse_events(body), parse_mapping(mapping) if mapping else None)


async def row(engine: AsyncEngine, key: str) -> dict[str, Any]:
    async with engine.connect() as connection:
        statement = select(entity_table).where(entity_table.c.key == key)
        return dict((await connection.execute(statement)).mappings().one())


async def upstream(engine: AsyncEngine, key: str) -> set[tuple[str, str]]:
    source, target = entity_table.alias("source"), entity_table.alias("target")
    statement = (
        select(edge_table.c.kind, source.c.key)
        .join(source, source.c.id == edge_table.c.source_id)
        .join(target, target.c.id == edge_table.c.target_id)
        .where(target.c.key == key)
    )
    async with engine.connect() as connection:
        return {(kind, name) for kind, name in await connection.execute(statement)}


async def test_start_creates_job_run_and_datasets(engine: AsyncEngine) -> None:
    await send(engine, event("START", "2026-10-01T00:00:00.123456Z"))
    job = await row(engine, "airflow/train_ranker")
    assert (job["type"], job["name"], job["system"]) == ("ModelSource", "train_ranker", "airflow")
    run = await row(engine, RUN_ID)
    assert (run["type"], run["name"], run["system"], run["status"]) == (
        "WorkflowRun",
        "train_ranker",
        "airflow",
        "RUNNING",
    )
    assert run["started_at"].isoformat() == "2026-10-01T00:00:00.123456+00:00"
    assert run["finished_at"] is None
    dataset = await row(engine, "hive://warehouse/ads.train_2026_10")
    assert (dataset["type"], dataset["name"], dataset["system"]) == (
        "TrainingDataset",
        "ads.train_2026_10",
        "hive://warehouse",
    )
    assert (await row(engine, "s3://models/ranker"))["type"] == "ModelBinary"
    assert await upstream(engine, RUN_ID) == {
        ("EXECUTES", "airflow/train_ranker"),
        ("TRAINS", "hive://warehouse/ads.train_2026_10"),
    }
    assert await upstream(engine, "s3://models/ranker") == {("PRODUCES", RUN_ID)}


async def test_new_entities_date_from_the_event_time(engine: AsyncEngine) -> None:
    await send(engine, event("START", "2026-10-01T00:00:00+02:00"))
    assert (await row(engine, "airflow/train_ranker"))[
        "created_at"
    ].isoformat() == "2026-09-30T22:00:00+00:00"


async def test_start_then_complete_ends_succeeded(engine: AsyncEngine) -> None:
    await send(engine, event("START", "2026-10-01T00:00:00Z"))
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z", inputs=[]))
    run = await row(engine, RUN_ID)
    assert run["status"] == "SUCCEEDED"
    assert run["started_at"].isoformat() == "2026-10-01T00:00:00+00:00"
    assert run["finished_at"].isoformat() == "2026-10-01T04:00:00+00:00"


async def test_complete_before_start_still_ends_succeeded(engine: AsyncEngine) -> None:
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z"))
    await send(engine, event("START", "2026-10-01T00:00:00Z"))
    run = await row(engine, RUN_ID)
    assert run["status"] == "SUCCEEDED"
    assert run["started_at"].isoformat() == "2026-10-01T00:00:00+00:00"
    assert run["finished_at"].isoformat() == "2026-10-01T04:00:00+00:00"


async def test_events_of_one_request_merge_whatever_their_order(engine: AsyncEngine) -> None:
    await send(engine, [event("FAIL", "2026-10-01T04:00:00Z"), event("RUNNING", "2026-10-01T01:00:00Z")])
    run = await row(engine, RUN_ID)
    assert run["status"] == "FAILED" and run["started_at"].isoformat() == "2026-10-01T01:00:00+00:00"


@pytest.mark.parametrize(
    ("event_type", "status"), [("ABORT", "FAILED"), ("FAIL", "FAILED"), ("RUNNING", "RUNNING")]
)
async def test_event_types_map_to_run_statuses(engine: AsyncEngine, event_type: str, status: str) -> None:
    await send(engine, event(event_type, "2026-10-01T04:00:00Z"))
    assert (await row(engine, RUN_ID))["status"] == status


async def test_other_events_add_datasets_without_touching_the_status(engine: AsyncEngine) -> None:
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z"))
    await send(
        engine, event(None, "2026-10-02T00:00:00Z", inputs=[{"namespace": "hive://w", "name": "extra"}])
    )
    run = await row(engine, RUN_ID)
    assert run["status"] == "SUCCEEDED" and run["finished_at"].isoformat() == "2026-10-01T04:00:00+00:00"
    assert ("TRAINS", "hive://w/extra") in await upstream(engine, RUN_ID)


async def test_inputs_accumulate_across_events(engine: AsyncEngine) -> None:
    await send(engine, event("START", "2026-10-01T00:00:00Z"))
    second = [{"namespace": "hive://warehouse", "name": "ads.labels"}]
    await send(engine, event("RUNNING", "2026-10-01T01:00:00Z", inputs=second))
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z", inputs=None))
    assert await upstream(engine, RUN_ID) == {
        ("EXECUTES", "airflow/train_ranker"),
        ("TRAINS", "hive://warehouse/ads.train_2026_10"),
        ("TRAINS", "hive://warehouse/ads.labels"),
    }


async def test_concurrent_events_of_one_run_keep_every_input(engine: AsyncEngine) -> None:
    names = [f"ads.part_{index}" for index in range(6)]
    bodies = [
        event("RUNNING", f"2026-10-01T0{index}:00:00Z", inputs=[{"namespace": "hive://w", "name": name}])
        for index, name in enumerate(names)
    ]
    await asyncio.gather(*(send(engine, body) for body in bodies))
    trained = {key for kind, key in await upstream(engine, RUN_ID) if kind == "TRAINS"}
    assert trained == {f"hive://w/{name}" for name in names}


async def test_a_newer_run_takes_over_the_binary_an_older_event_does_not(engine: AsyncEngine) -> None:
    other_run = "0190e3f2-6f3a-7c1e-9f45-2b1d2f9c1a02"
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z"))
    await send(engine, event("COMPLETE", "2026-10-02T04:00:00Z", run={"runId": other_run}))
    await send(engine, event("COMPLETE", "2026-09-30T04:00:00Z", run={"runId": "older"}))
    assert await upstream(engine, "s3://models/ranker") == {("PRODUCES", other_run)}
    binary = await row(engine, "s3://models/ranker")
    assert binary["created_at"].isoformat() == "2026-10-02T04:00:00+00:00"


async def test_a_failed_run_does_not_take_over_an_existing_binary(engine: AsyncEngine) -> None:
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z"))
    await send(engine, event("FAIL", "2026-10-02T04:00:00Z", run={"runId": "failed-run"}))
    assert await upstream(engine, "s3://models/ranker") == {("PRODUCES", RUN_ID)}
    assert (await row(engine, "failed-run"))["status"] == "FAILED"


async def test_job_source_code_location_becomes_the_repository(engine: AsyncEngine) -> None:
    facet = {"sourceCodeLocation": {"type": "git", "url": "https://git.example/ranker"}}
    await send(
        engine,
        event("START", "2026-10-01T00:00:00Z", job={"namespace": "airflow", "name": "t", "facets": facet}),
    )
    assert (await row(engine, "airflow/t"))["repository"] == "https://git.example/ranker"


async def test_dataset_already_of_another_type_is_a_conflict_and_nothing_is_written(
    engine: AsyncEngine,
) -> None:
    await ingest(engine, record_list([{"type": "ModelSource", "key": "s3://models/ranker", "name": "x"}]))
    before = await snapshot(engine)
    with pytest.raises(EventError) as raised:
        await send(engine, event("START", "2026-10-01T00:00:00Z"))
    assert str(raised.value) == (
        "event: conflict: s3://models/ranker already exists as a ModelSource; "
        "this event would make it a ModelBinary"
    )
    assert await snapshot(engine) == before


async def test_output_of_one_job_read_by_another_is_a_conflict(engine: AsyncEngine) -> None:
    await send(engine, event("COMPLETE", "2026-10-01T04:00:00Z"))
    downstream = event(
        "START",
        "2026-10-02T00:00:00Z",
        run={"runId": "run-2"},
        inputs=[{"namespace": "s3://models", "name": "ranker"}],
        outputs=[],
    )
    with pytest.raises(EventError, match="s3://models/ranker already exists as a ModelBinary"):
        await send(engine, downstream)


async def test_one_key_as_input_and_output_of_a_batch_is_a_conflict(engine: AsyncEngine) -> None:
    same = [{"namespace": "s3://models", "name": "ranker"}]
    with pytest.raises(EventError) as raised:
        await send(
            engine,
            [event("START", "2026-10-01T00:00:00Z"), event("START", "2026-10-01T00:00:00Z", inputs=same)],
        )
    assert raised.value.location == "events[1]"
    assert "conflict: s3://models/ranker would be a TrainingDataset as an input" in raised.value.reason


async def test_a_mapping_types_datasets_by_key_prefix(engine: AsyncEngine) -> None:
    mapping = {
        "name": "lake",
        "datasets": {"hive://warehouse/raw.": "FeatureSource", "s3://features": "TrainingDataset"},
    }
    inputs = [
        {"namespace": "hive://warehouse", "name": "raw.clicks"},
        {"namespace": "hive://warehouse", "name": "ads.x"},
    ]
    outputs = [{"namespace": "s3://features", "name": "ads_v2"}]
    await send(engine, event("COMPLETE", "2026-10-01T00:00:00Z", inputs=inputs, outputs=outputs), mapping)
    assert (await row(engine, "hive://warehouse/raw.clicks"))["type"] == "FeatureSource"
    assert (await row(engine, "hive://warehouse/ads.x"))["type"] == "TrainingDataset"
    assert (await row(engine, "s3://features/ads_v2"))["type"] == "TrainingDataset"
    run = await row(engine, RUN_ID)
    assert run["properties"] == {
        "other_inputs": ["hive://warehouse/raw.clicks"],
        "other_outputs": ["s3://features/ads_v2"],
    }
    assert ("TRAINS", "hive://warehouse/ads.x") in await upstream(engine, RUN_ID)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("nope", "body: expected an OpenLineage RunEvent object or an array of them"),
        ([1], "events[0]: an event must be a JSON object"),
        (
            {"job": {"namespace": "a", "name": "b"}},
            "event: field 'run' is required (only RunEvents are accepted)",
        ),
        (
            {**event("START", "2026-10-01T00:00:00Z"), "run": {}},
            "event: field 'run.runId' must be a non-empty string",
        ),
        ({**event("START", "2026-10-01T00:00:00Z"), "job": {"name": "b"}}, "field 'job.namespace' must be"),
        (event("DONE", "2026-10-01T00:00:00Z"), "field 'eventType' must be one of START, RUNNING"),
        (event("START", "2026-10-01"), "event: field 'eventTime' must be an ISO 8601 date-time string"),
        (event("START", "yesterdayT"), "event: field 'eventTime' is not a valid ISO 8601 date-time"),
        (
            event("START", "2026-10-01T00:00:00Z", inputs={"a": 1}),
            "field 'inputs' must be a list of datasets",
        ),
        (
            event("START", "2026-10-01T00:00:00Z", outputs=[{"name": "x"}]),
            "field 'outputs[0].namespace' must be",
        ),
    ],
)
def test_malformed_events_are_refused_with_the_reason(body: Any, message: str) -> None:
    with pytest.raises(EventError) as raised:
        parse_events(body)
    assert message in str(raised.value)
