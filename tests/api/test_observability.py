"""Request ids, one JSON log line per request, and the Prometheus series at /metrics."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client import REGISTRY

from api.logs import JsonFormatter
from graph import lookups
from tests.api.test_auth import OPENLINEAGE_EVENT

QUERY = {"query": "query Probe { teams { totalCount } }"}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/healthz"),
        await client.get("/no-such-page"),
        await client.post("/ingest", content=b""),
        await client.post("/graphql", json=QUERY),
    ):
        assert len(response.headers["x-request-id"]) == 16


async def test_an_incoming_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"x-request-id": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    forged = await client.get("/healthz", headers={"x-request-id": "a b\n{}"})
    assert forged.headers["x-request-id"] != "a b\n{}"


async def test_requests_are_counted_by_route_operation_and_status(client: httpx.AsyncClient) -> None:
    labels = {"route": "/graphql", "method": "POST", "operation": "Probe", "status": "200"}
    before = sample("aigraph_http_requests_total", **labels)
    observed = sample("aigraph_http_request_duration_seconds_count", route="/graphql", operation="Probe")
    for _ in range(3):
        await client.post("/graphql", json=QUERY)
    assert sample("aigraph_http_requests_total", **labels) == before + 3
    after = sample("aigraph_http_request_duration_seconds_count", route="/graphql", operation="Probe")
    assert after == observed + 3
    exposition = (await client.get("/metrics")).text
    assert 'aigraph_http_requests_total{method="POST",operation="Probe",route="/graphql",status="200"}' in (
        exposition
    )
    assert "aigraph_http_request_duration_seconds_bucket" in exposition


async def test_errors_are_counted_by_kind(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("secret internals")

    kinds = ("auth", "limit", "validation", "internal")
    before = {kind: sample("aigraph_errors_total", kind=kind) for kind in kinds}
    await client.post("/ingest", content=b"")
    await client.post("/graphql", json={"query": "{ teams(first: 500) { totalCount } }"})
    await client.post("/graphql", json={"query": "{ teams { nope } }"})
    monkeypatch.setattr(lookups, "entities_by_keys", broken)
    await client.post("/graphql", json={"query": '{ entity(key: "x") { key } }'})
    assert {
        kind: sample("aigraph_errors_total", kind=kind) - before[kind] for kind in kinds
    } == dict.fromkeys(kinds, 1.0)


async def test_records_ingested_are_counted_by_every_path(writer: httpx.AsyncClient) -> None:
    def created(record_type: str) -> float:
        return sample("aigraph_records_ingested_total", type=record_type, outcome="created")

    sources, runs = created("ModelSource"), created("WorkflowRun")
    rejected = sample("aigraph_errors_total", kind="ingest_rejected")
    await writer.post("/ingest", content=b'{"type":"ModelSource","key":"ms/1","name":"m"}\n')
    mutation = 'mutation { ingest(batch: {modelSources: [{key: "ms/2", name: "m"}]}) { ok } }'
    await writer.post("/graphql", json={"query": mutation})
    await writer.post("/api/v1/lineage", json=OPENLINEAGE_EVENT)
    await writer.post("/ingest", content=b'{"type":"Nope","key":"x"}\n')
    assert (created("ModelSource") - sources, created("WorkflowRun") - runs) == (3, 1)
    assert sample("aigraph_errors_total", kind="ingest_rejected") == rejected + 1


async def test_one_json_log_line_per_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aigraph.access"):
        response = await client.post("/graphql", json=QUERY)
    [record] = [record for record in caplog.records if record.name == "aigraph.access"]
    line = orjson.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["x-request-id"]
    assert (line["method"], line["path"], line["status"], line["operation"]) == (
        "POST",
        "/graphql",
        200,
        "Probe",
    )
    assert line["duration_ms"] > 0 and line["level"] == "info"


def test_log_lines_carry_the_time_to_the_millisecond_in_utc() -> None:
    formatter = JsonFormatter()
    # Within one second, then the next: the per-second part is worked out again.
    for created in (1765114170.0004, 1765114170.9996, 1765114171.25, 1765114170.5):
        record = logging.LogRecord("aigraph.access", logging.INFO, __file__, 1, "m", (), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        expected = datetime.fromtimestamp(int(created), UTC).isoformat()
        expected = expected.replace("+00:00", f".{int(record.msecs):03d}+00:00")
        assert orjson.loads(formatter.format(record))["time"] == expected


def test_a_process_that_sets_up_its_own_logging_writes_json_lines() -> None:
    program = """
import logging
from api.logs import configure_logging
configure_logging()
logging.getLogger("aigraph.access").info("POST /graphql 200", extra={"fields": {"request_id": "r1"}})
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("api.middleware").exception("request r2: unexpected error")
logging.getLogger("uvicorn.other").info("below WARNING: not written")
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    access, error = (orjson.loads(line) for line in done.stderr.splitlines())
    assert (access["logger"], access["level"], access["request_id"]) == ("aigraph.access", "info", "r1")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", access["time"])
    assert error["message"] == "request r2: unexpected error"
    assert "ZeroDivisionError" in error["exception"]


async def test_unhandled_errors_answer_500_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import api.app

    async def broken(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.app, "ingest", broken)
    monkeypatch.setattr(api.app, "authorize", _allow)
    response = await client.post("/ingest", content=b'{"type":"Team","key":"t","name":"t"}\n')
    assert response.status_code == 500
    assert "secret" not in response.text
    request_id = response.headers["x-request-id"]
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def _allow(*_args: object) -> None:
    return None


def test_workers_share_their_series_in_multiprocess_mode(tmp_path: Path) -> None:
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def python(code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, check=True)
        return done.stdout.decode()

    for _ in range(2):  # two worker processes, one refusal each
        python("from api.telemetry import count_error; count_error('auth')")
    exposition = python(
        "import asyncio, sys; from api.telemetry import metrics;"
        " sys.stdout.write(asyncio.run(metrics(None)).body.decode())"
    )
    assert 'aigraph_errors_total{kind="auth"} 2.0' in exposition
