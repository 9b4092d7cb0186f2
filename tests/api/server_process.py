"""`aigraph serve` as a real process on a free port, for tests that need uvicorn and its workers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
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
    server = subprocess.Popen(
        [*command, "--database", database_url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
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


def worker_of(client: httpx.Client) -> int:
    """The process id of the worker holding this client's keep-alive connection."""
    worker: int = client.get("/healthz").json()["worker"]
    return worker


def clients_on_workers(
    base: str, stack: ExitStack, token: str, *, workers: int, each: int
) -> list[httpx.Client]:
    """`each` keep-alive clients on every one of `workers` worker processes, grouped by worker.

    The kernel hands each new connection to one worker and it stays there, so connections are opened
    until every worker holds enough of them.
    """
    headers = {"Authorization": f"Bearer {token}"}
    by_worker: dict[int, list[httpx.Client]] = {}
    for _ in range(100 * workers * each):
        client = stack.enter_context(httpx.Client(base_url=base, headers=headers, timeout=120))
        held = by_worker.setdefault(worker_of(client), [])
        if len(held) < each:
            held.append(client)
        if len(by_worker) == workers and all(len(held) == each for held in by_worker.values()):
            return [client for held in by_worker.values() for client in held]
    raise AssertionError(f"connections reached only {sorted(by_worker)}")
