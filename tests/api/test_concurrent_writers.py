"""Writers in separate processes on one database: over HTTP to two uvicorn workers, and as CLI runs.

No batch is lost and no lock error reaches a client: SQLite writers queue on BEGIN IMMEDIATE with a
busy timeout, PostgreSQL writers on one advisory lock, so nothing is retried.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import func, select

from graph.db import open_engine
from graph.models import entity_table
from tests.api.server_process import AIGRAPH, clients_on_workers, serving, worker_of, write_token
from tests.graph.test_concurrency import BATCHES, WRITERS, writer_batch


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


def _entity_count(database_url: str) -> int:
    async def count() -> int:
        engine = await open_engine(database_url)
        try:
            async with engine.connect() as connection:
                return int(await connection.scalar(select(func.count()).select_from(entity_table)) or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_eight_http_writers_of_25_batches_lose_nothing(database_url: str) -> None:
    token = write_token(database_url)
    with serving(database_url, workers=2) as base, ExitStack() as stack:
        clients = clients_on_workers(base, stack, token, workers=2, each=WRITERS // 2)

        def writer(number: int) -> list[tuple[int, dict[str, Any], float]]:
            answers = []
            for batch in range(BATCHES):
                started = time.perf_counter()
                response = clients[number].post("/ingest", content=_jsonl(writer_batch(number, batch)))
                answers.append((response.status_code, response.json(), time.perf_counter() - started))
            return answers

        with ThreadPoolExecutor(WRITERS) as pool:
            answers = [answer for batches in pool.map(writer, range(WRITERS)) for answer in batches]
        workers = {worker_of(client) for client in clients}
    refused = [body for status, body, _ in answers if status != 200]
    waits = [wait for *_, wait in answers]
    print(
        f"\n{database_url.split('+')[0]}: {len(answers)} batches by {WRITERS} HTTP writers over "
        f"{len(workers)} worker processes, {len(refused)} refused, no retries, "
        f"longest request {max(waits):.3f} s, mean {sum(waits) / len(waits):.3f} s"
    )
    assert refused == []
    assert sum(body["types"]["Team"]["created"] for _, body, _ in answers) == 1
    assert _entity_count(database_url) == 2 * WRITERS * BATCHES + 1


def test_eight_cli_processes_of_25_files_lose_nothing(sqlite_url: str, tmp_path: Path) -> None:
    # SQLite only: its writers share nothing but the file; PostgreSQL's lock is covered over HTTP.
    commands = []
    for number in range(WRITERS):
        files = []
        for batch in range(BATCHES):
            path = tmp_path / f"{number}-{batch}.jsonl"
            path.write_bytes(_jsonl(writer_batch(number, batch)))
            files.append(str(path))
        commands.append([str(AIGRAPH), "ingest", *files, "--database", sqlite_url])
    processes = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for command in commands
    ]
    outcomes = [(process.wait(timeout=300), process.communicate()[1]) for process in processes]
    assert outcomes == [(0, b"")] * WRITERS
    assert _entity_count(sqlite_url) == 2 * WRITERS * BATCHES + 1


async def test_the_same_batch_posted_twice_at_once_is_written_once(writer: httpx.AsyncClient) -> None:
    body = _jsonl(writer_batch(0, 0))
    answers = await asyncio.gather(writer.post("/ingest", content=body), writer.post("/ingest", content=body))
    outcomes = sorted((answer.json()["created"], answer.json()["unchanged"]) for answer in answers)
    assert outcomes == [(0, 4), (4, 0)]
