"""Smoke test: a real uvicorn process serves health and GraphQL on a free port."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graph.db import open_engine
from graph.tokens import create_token

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "uvicorn exited early"
        try:
            return httpx.get(f"{base}/healthz", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("uvicorn did not answer within 30 s")


def _write_token(database_url: str) -> str:
    async def create() -> str:
        engine = await open_engine(database_url)
        try:
            return (await create_token(engine, "write"))[1]
        finally:
            await engine.dispose()

    return asyncio.run(create())


def test_uvicorn_serves_health_and_graphql(database_url: str) -> None:
    token = _write_token(database_url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port)]
    environment = {**os.environ, "AIGRAPH_DATABASE_URL": database_url}
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.DEVNULL)
    try:
        health = _wait_until_healthy(base, server)
        assert health.status_code == 200
        ingest = httpx.post(
            f"{base}/ingest",
            content=b'{"type":"ModelSource","key":"ms/1","name":"m"}\n',
            headers={"authorization": f"Bearer {token}"},
        )
        assert ingest.json()["created"] == 1
        answer = httpx.post(
            f"{base}/graphql", json={"query": "{ modelSources { totalCount edges { node { key } } } }"}
        )
        assert answer.json() == {
            "data": {"modelSources": {"totalCount": 1, "edges": [{"node": {"key": "ms/1"}}]}}
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
