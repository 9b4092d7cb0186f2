"""API benchmark: p50/p95 over HTTP against real uvicorn processes, each beside its reference.

On a demo graph (AIGRAPH_BENCH_API_MODELS, default 1000 models): a key lookup beside a bare
Starlette endpoint doing one SQL statement; a 3-level nested query (model source -> runs ->
binaries -> deployments) and a 100-item list with two nested objects each, beside the simplest
strawberry + SQLAlchemy app that loads one relation of one parent per query (lazy loading). The
three servers run on the same file at the same time and requests alternate between them, so the
ratios hold on a noisy machine. Every answer is checked against aigraph's before timing.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from api.store import open_store
from graph.demo import demo_records
from graph.ingest import ingest
from graph.sources import record_list
from tests.bench.http_client import GraphQLClient

MODELS = int(os.environ.get("AIGRAPH_BENCH_API_MODELS", "1000"))
REPEATS = int(os.environ.get("AIGRAPH_BENCH_REPEATS", "200"))
ROOT = Path(__file__).resolve().parents[2]

KEY_LOOKUP = "query($key: String!) { entity(key: $key) { key name owner { key name } } }"
NESTED = """{ modelSources(first: 20) { edges { node { key runs { edges { node { key
  binaries { edges { node { key deployments { edges { node { key } } } } } } } } } } } } }"""
NAIVE_NESTED = "{ modelSources(first: 20) { key runs { key binaries { key deployments { key } } } } }"
LIST = "{ modelBinaries(first: 100) { edges { node { key owner { key } run { key } } } } }"
NAIVE_LIST = "{ modelBinaries(first: 100) { key owner { key } run { key } } }"
# (workload, aigraph document, reference app, reference document, target ratio)
WORKLOADS = [
    ("key lookup", KEY_LOOKUP, "bare_app", KEY_LOOKUP, 2.0),
    ("3-level nested (20 sources)", NESTED, "naive_app", NAIVE_NESTED, 0.25),
    ("100 items, 2 nested objects", LIST, "naive_app", NAIVE_LIST, 0.25),
]


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="aigraph-bench-api-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        key = asyncio.run(_load(url))
        with (
            _server("api.app:create_app", url) as aigraph,
            _server("tests.bench.api_reference:bare_app", url) as bare,
            _server("tests.bench.api_reference:naive_app", url) as naive,
        ):
            references = {"bare_app": bare, "naive_app": naive}
            rows = [
                _measure(aigraph, document, references[app], reference, {"key": key}, label, target)
                for label, document, app, reference, target in WORKLOADS
            ]
    _report(rows)


async def _load(url: str) -> str:
    engine = await open_store(url)
    try:
        records = list(demo_records(MODELS))
        await ingest(engine, record_list(records))
    finally:
        await engine.dispose()
    return next(record["key"] for record in records if record["type"] == "ModelSource")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _server(factory: str, url: str) -> Iterator[GraphQLClient]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "error",
    ]
    # The servers' access logs would interleave with the tables; the benchmark reads no logs.
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "AIGRAPH_DATABASE_URL": url},
        stderr=subprocess.DEVNULL,
    )
    client = GraphQLClient(port, server_pid=server.pid)
    try:
        client.wait_until_up(time.monotonic() + 60, lambda: server.poll() is None)
        yield client
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def _flatten(value: Any) -> Any:
    """The answer without Relay wrapping, so connection and list answers compare."""
    if isinstance(value, dict):
        if "edges" in value:
            return [_flatten(edge["node"]) for edge in value["edges"]]
        return {name: _flatten(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_flatten(item) for item in value]
    return value


def _measure(
    aigraph: GraphQLClient,
    document: str,
    reference: GraphQLClient,
    reference_document: str,
    variables: dict[str, Any],
    label: str,
    target: float,
) -> list[str]:
    answer = aigraph.post(document, variables)[1]
    expected = reference.post(reference_document, variables)[1]
    assert "errors" not in answer, answer
    assert _flatten(answer) == _flatten(expected), f"{label}: the answers differ"
    ours_times: list[float] = []
    reference_times: list[float] = []
    for _ in range(REPEATS):
        ours_times.append(aigraph.post(document, variables)[0])
        reference_times.append(reference.post(reference_document, variables)[0])
    ours_p50, reference_p50 = statistics.median(ours_times), statistics.median(reference_times)
    return [
        label,
        _ms(ours_p50),
        _ms(statistics.quantiles(ours_times, n=20)[18]),
        _ms(reference_p50),
        _ms(statistics.quantiles(reference_times, n=20)[18]),
        f"{ours_p50 / reference_p50:.2f}x",
        f"≤ {target:g}x",
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _report(rows: list[list[str]]) -> None:
    table = Table(title=f"API over HTTP: {MODELS}-model demo, {REPEATS} requests each (SQLite, uvicorn)")
    for heading in ("workload", "aigraph p50", "p95", "reference p50", "p95", "ratio", "target"):
        table.add_column(heading)
    for row in rows:
        table.add_row(*row)
    console = Console(width=160)
    console.print(table)
    console.print(
        "references: key lookup = bare Starlette + one SQL statement; others = naive strawberry app"
    )


if __name__ == "__main__":
    run()
