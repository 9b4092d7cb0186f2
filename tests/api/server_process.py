"""`aigraph serve` as a real process on a free port, for tests that need uvicorn and its workers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from graph.db import open_engine
from graph.tokens import create_token
from tests.api.test_server import _free_port

AIGRAPH = Path(sys.executable).with_name("aigraph")


def write_token(database_url: str) -> str:
    """A write-scoped token in the database at `database_url`."""

    async def create() -> str:
        engine = await open_engine(database_url)
        try:
            return (await create_token(engine, "write", "tests"))[1]
        finally:
            await engine.dispose()

    return asyncio.run(create())


@contextmanager
def serving(database_url: str, workers: int = 1) -> Iterator[str]:
    """The base URL of `aigraph serve --workers N` on the database, answering /healthz."""
    port = _free_port()
    command = [str(AIGRAPH), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen([*command, "--database", database_url], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "aigraph serve exited early"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "aigraph serve did not answer within 60 s"
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
