"""POST /api/v1/lineage through the real app: raw JSON, openlineage-python's own events and client."""

from __future__ import annotations

import asyncio
import gzip
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route

from api.app import create_app
from api.openlineage import openlineage_events
from graph.ingest import ingest, record_list
from graph.mappings import add_mapping, load_mapping_file
from graph.models import edge_table, entity_table
from tests.graph.factories import snapshot

# These tests write: every request carries a write token.
pytestmark = pytest.mark.usefixtures("writer")

RUN_ID = "0190e3f2-6f3a-7c1e-9f45-2b1d2f9c1a01"
LINEAGE = "/api/v1/lineage"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_EVENTS = EXAMPLES / "openlineage-events.json"


def lineage_app(engine: AsyncEngine) -> Starlette:
    app = create_app(engine=engine)
    if not any(getattr(route, "path", None) == LINEAGE for route in app.routes):
        # Mounted here until api/app.py routes it itself.
        app.router.routes.append(Route(LINEAGE, openlineage_events, methods=["POST"]))
    return app


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=lineage_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def event(event_type: str, time: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventType": event_type,
        "eventTime": time,
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN_ID},
        "job": {"namespace": "airflow", "name": "train_ranker"},
        "inputs": [{"namespace": "hive://warehouse", "name": "ads.train"}],
        "outputs": [{"namespace": "s3://models", "name": "ranker"}],
    }
    return body | changes


async def run_row(engine: AsyncEngine, key: str = RUN_ID) -> dict[str, Any]:
    async with engine.connect() as connection:
        statement = select(entity_table).where(entity_table.c.key == key)
        return dict((await connection.execute(statement)).mappings().one())


async def trained_on(engine: AsyncEngine, key: str = RUN_ID) -> list[str]:
    source, target = entity_table.alias("source"), entity_table.alias("target")
    statement = (
        select(source.c.key)
        .join(edge_table, edge_table.c.source_id == source.c.id)
        .join(target, target.c.id == edge_table.c.target_id)
        .where(target.c.key == key, edge_table.c.kind == "TRAINS")
        .order_by(source.c.key)
    )
    async with engine.connect() as connection:
        return list((await connection.execute(statement)).scalars())


async def test_start_then_complete_answers_201_and_ends_succeeded(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    started = await client.post(LINEAGE, json=event("START", "2026-10-01T00:00:00Z"))
    assert started.status_code == 201
    assert started.json()["created"] == 4
    completed = await client.post(LINEAGE, json=event("COMPLETE", "2026-10-01T04:00:00Z", inputs=[]))
    assert completed.status_code == 201
    run = await run_row(engine)
    assert (run["status"], run["started_at"].hour, run["finished_at"].hour) == ("SUCCEEDED", 0, 4)
    assert await trained_on(engine) == ["hive://warehouse/ads.train"]


async def test_complete_before_start_still_ends_succeeded(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    assert (await client.post(LINEAGE, json=event("COMPLETE", "2026-10-01T04:00:00Z"))).status_code == 201
    assert (await client.post(LINEAGE, json=event("START", "2026-10-01T00:00:00Z"))).status_code == 201
    run = await run_row(engine)
    assert run["status"] == "SUCCEEDED" and run["started_at"].hour == 0


async def test_an_array_of_events_is_one_batch(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    more = [{"namespace": "hive://warehouse", "name": "ads.labels"}]
    events = [event("START", "2026-10-01T00:00:00Z"), event("COMPLETE", "2026-10-01T04:00:00Z", inputs=more)]
    answer = await client.post(LINEAGE, json=events)
    assert answer.status_code == 201
    assert (await run_row(engine))["status"] == "SUCCEEDED"
    assert await trained_on(engine) == ["hive://warehouse/ads.labels", "hive://warehouse/ads.train"]


async def test_inputs_accumulate_across_requests(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await client.post(LINEAGE, json=event("START", "2026-10-01T00:00:00Z"))
    more = [{"namespace": "hive://warehouse", "name": "ads.labels"}]
    await client.post(LINEAGE, json=event("RUNNING", "2026-10-01T01:00:00Z", inputs=more))
    complete = event("COMPLETE", "2026-10-01T04:00:00Z")
    del complete["inputs"]
    await client.post(LINEAGE, json=complete)
    assert await trained_on(engine) == ["hive://warehouse/ads.labels", "hive://warehouse/ads.train"]


async def test_conflicting_dataset_is_400_and_nothing_is_written(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await ingest(
        engine, record_list([{"type": "ModelSource", "key": "hive://warehouse/ads.train", "name": "x"}])
    )
    before = await snapshot(engine)
    answer = await client.post(LINEAGE, json=event("START", "2026-10-01T00:00:00Z"))
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "event: conflict: hive://warehouse/ads.train already exists as a ModelSource; "
        "this event would make it a TrainingDataset"
    }
    assert await snapshot(engine) == before


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "body: invalid JSON"),
        (b'"START"', "body: expected an OpenLineage RunEvent object or an array of them"),
        (
            orjson.dumps(event("START", "soon")),
            "event: field 'eventTime' must be an ISO 8601 date-time string",
        ),
        (
            orjson.dumps([event("START", "2026-10-01T00:00:00Z"), {"run": {}}]),
            "events[1]: field 'job' must be",
        ),
    ],
)
async def test_malformed_events_are_400_with_the_reason(
    client: httpx.AsyncClient, engine: AsyncEngine, body: bytes, error: str
) -> None:
    before = await snapshot(engine)
    answer = await client.post(LINEAGE, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(error)
    assert await snapshot(engine) == before


async def test_a_stored_mapping_types_datasets(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await add_mapping(engine, {"name": "lake", "datasets": {"hive://warehouse/ads.": "FeatureSource"}})
    answer = await client.post(f"{LINEAGE}?mapping=lake", json=event("START", "2026-10-01T00:00:00Z"))
    assert answer.status_code == 201
    assert (await run_row(engine, "hive://warehouse/ads.train"))["type"] == "FeatureSource"
    unknown = await client.post(f"{LINEAGE}?mapping=nope", json=event("START", "2026-10-01T00:00:00Z"))
    assert unknown.status_code == 400
    assert unknown.json()["error"].startswith("mapping: no label mapping named 'nope'")


async def test_gzip_bodies_are_accepted(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    body = gzip.compress(orjson.dumps(event("COMPLETE", "2026-10-01T04:00:00Z")))
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    answer = await client.post(LINEAGE, content=body, headers=headers)
    assert answer.status_code == 201
    assert (await run_row(engine))["status"] == "SUCCEEDED"


def client_events(run_id: str) -> list[Any]:
    """START and COMPLETE built with openlineage-python's own classes."""
    pytest.importorskip("openlineage.client")
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState

    job = Job(namespace="airflow", name="train_ranker")
    start = RunEvent(
        eventType=RunState.START,
        eventTime="2026-10-01T00:00:00.000001+00:00",
        run=Run(runId=run_id),
        job=job,
        inputs=[InputDataset(namespace="hive://warehouse", name="ads.train")],
        outputs=[OutputDataset(namespace="s3://models", name="ranker")],
    )
    complete = RunEvent(
        eventType=RunState.COMPLETE,
        eventTime="2026-10-01T04:00:00+00:00",
        run=Run(runId=run_id),
        job=job,
        outputs=[OutputDataset(namespace="s3://models", name="ranker")],
    )
    return [start, complete]


async def test_events_serialised_by_openlineage_python(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    run_id = str(uuid.uuid4())
    events = client_events(run_id)
    from openlineage.client.serde import Serde

    for sent in reversed(events):
        answer = await client.post(
            LINEAGE, content=Serde.to_json(sent), headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 201, answer.text
    run = await run_row(engine, run_id)
    assert run["status"] == "SUCCEEDED"
    assert run["started_at"].isoformat() == "2026-10-01T00:00:00.000001+00:00"
    assert await trained_on(engine, run_id) == ["hive://warehouse/ads.train"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_openlineage_client_reports_over_http(engine: AsyncEngine, write_token: str) -> None:
    """The unmodified client, its HTTP transport with gzip, against the app served by uvicorn."""
    events = client_events(str(uuid.uuid4()))
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.http import (
        ApiKeyTokenProvider,
        HttpCompression,
        HttpConfig,
        HttpTransport,
    )

    port = _free_port()
    config = uvicorn.Config(
        lineage_app(engine), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(1000):  # up to 10 s
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        transport = HttpTransport(
            HttpConfig(
                url=f"http://127.0.0.1:{port}",
                compression=HttpCompression.GZIP,
                auth=ApiKeyTokenProvider({"apiKey": write_token}),
            )
        )
        lineage_client = OpenLineageClient(transport=transport)
        for sent in events:
            # The client is synchronous: it runs in a thread while the server answers on this loop.
            await asyncio.to_thread(lineage_client.emit, sent)
    finally:
        server.should_exit = True
        await serving
    run = await run_row(engine, events[0].run.runId)
    assert (run["status"], run["finished_at"].hour) == ("SUCCEEDED", 4)


async def test_example_events_with_the_warehouse_mapping(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await add_mapping(engine, load_mapping_file(EXAMPLES / "mappings" / "warehouse.json").as_document())
    body = EXAMPLE_EVENTS.read_bytes()
    answer = await client.post(f"{LINEAGE}?mapping=warehouse", content=body)
    assert answer.status_code == 201, answer.text
    run_id = "0192f5d2-4b6e-7c53-a1c2-3f0d9e8b7a62"
    types = {
        key: (await run_row(engine, key))["type"]
        for key in ("hive://warehouse/raw.clicks", "hive://warehouse/feed.labels", "s3://features/feed_v7")
    }
    assert types == {
        "hive://warehouse/raw.clicks": "FeatureSource",
        "hive://warehouse/feed.labels": "TrainingDataset",
        "s3://features/feed_v7": "TrainingDataset",
    }
    run = await run_row(engine, run_id)
    assert run["status"] == "SUCCEEDED"
    assert run["properties"] == {
        "other_inputs": ["hive://warehouse/raw.clicks"],
        "other_outputs": ["s3://features/feed_v7"],
    }
    assert await trained_on(engine, run_id) == ["hive://warehouse/feed.labels"]
