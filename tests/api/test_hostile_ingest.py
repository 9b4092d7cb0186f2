"""Hostile JSON Lines through POST /ingest and `aigraph ingest`: a clear error, and nothing written."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from api.cli import app
from api.store import open_store
from tests.graph.factories import snapshot

VALID = b'{"type":"ModelSource","key":"ms/1","name":"fine"}\n'
TEN_MEGABYTES = 10 * 1024 * 1024

HOSTILE = {
    "raw NUL byte": (b'{"type":"ModelSource","key":"ms/2","name":"a\x00b"}', "NUL bytes are not allowed"),
    "escaped NUL": (b'{"type":"ModelSource","key":"ms/2","name":"a\\u0000b"}', "NUL bytes are not allowed"),
    "invalid UTF-8": (b'{"type":"ModelSource","key":"ms/2","name":"a\xff\xfeb"}', "not valid UTF-8"),
    "10 MB line": (
        b'{"type":"ModelSource","key":"ms/2","name":"x","blob":"' + b"a" * TEN_MEGABYTES + b'"}',
        "a record is limited to 1048576 bytes",
    ),
    "integer beyond 64 bits": (
        b'{"type":"TrainingDataset","key":"ds/2","name":"x","row_count":' + b"9" * 40 + b"}",
        "field 'row_count' is out of range for a 64-bit integer",
    ),
    "integer beyond a double": (
        b'{"type":"ModelSource","key":"ms/2","name":"x","size":' + b"9" * 400 + b"}",
        "number is infinity",
    ),
    "year 10000": (
        b'{"type":"ModelSource","key":"ms/2","name":"x","created_at":"10000-01-01T00:00:00Z"}',
        "field 'created_at' is not a valid ISO 8601 timestamp",
    ),
    "year 0": (
        b'{"type":"WorkflowRun","key":"run/2","name":"x","started_at":"0000-12-31T00:00:00Z"}',
        "field 'started_at' is not a valid ISO 8601 timestamp",
    ),
    "past year 9999 in UTC": (
        b'{"type":"ModelSource","key":"ms/2","name":"x","created_at":"9999-12-31T23:00:00-14:00"}',
        "field 'created_at' is not a valid ISO 8601 timestamp",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
async def test_post_ingest_refuses_and_writes_nothing(
    engine: AsyncEngine, writer: httpx.AsyncClient, case: str
) -> None:
    line, reason = HOSTILE[case]
    before = await snapshot(engine)
    response = await writer.post("/ingest", content=VALID + line + b"\n")
    if response.status_code == 413:
        # A body over the request size limit is refused before any line is read.
        assert len(line) > TEN_MEGABYTES
    else:
        assert response.status_code == 400
        assert response.json()["error"].startswith("line 2: ")
        assert reason in response.json()["error"]
    assert await snapshot(engine) == before


async def _snapshot_of(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = await open_store(url)
    try:
        return await snapshot(engine)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("case", HOSTILE)
def test_cli_ingest_refuses_and_writes_nothing(database_url: str, tmp_path: Path, case: str) -> None:
    line, reason = HOSTILE[case]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(VALID + line + b"\n")
    before = asyncio.run(_snapshot_of(database_url))
    result = CliRunner(env={"AIGRAPH_DATABASE_URL": None}).invoke(
        app, ["ingest", str(path), "--database", database_url]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: line 2: ")
    assert reason in result.stderr
    assert asyncio.run(_snapshot_of(database_url)) == before
