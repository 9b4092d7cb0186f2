"""Lineage benchmark: `walk_lineage` p50 at depth 6 beside the bare recursive SQL for the same nodes.

On demo graphs (AIGRAPH_BENCH_LINEAGE_MODELS, default 1000 and 10000 models), upstream of a
deployment and downstream of a feature source, for the root whose answer is the median size and
the largest among a sample. The references run in the same process on the same file, so ratios
hold on a noisy machine: the bare recursive SQL through the stdlib sqlite3 module, and a per-hop
frontier walk (one statement per hop) that was the alternative design. Also printed: SQL
statements per walk (independent of fan-out) and the cost per returned node, whose growth from
the smaller graph to the larger one shows whether cost follows the answer or the graph.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.db import open_engine
from graph.demo import demo_records
from graph.ingest import ingest
from graph.lineage import Direction, walk_lineage
from graph.sources import record_list

MODEL_COUNTS = [int(n) for n in os.environ.get("AIGRAPH_BENCH_LINEAGE_MODELS", "1000,10000").split(",")]
REPEATS = int(os.environ.get("AIGRAPH_BENCH_REPEATS", "50"))
DEPTH = 6
LIMIT = 10_000
SAMPLE = 400
TARGET_RATIO = 10.0
LINEAGE_TYPES = {
    "Team",
    "FeatureSource",
    "LogicalFeature",
    "TrainingDataset",
    "ModelSource",
    "WorkflowRun",
    "ModelBinary",
    "ModelDeployment",
}

BARE_UPSTREAM = """
WITH RECURSIVE walk(id, distance) AS (
    SELECT id, 0 FROM entity WHERE key = :key
    UNION
    SELECT edge.source_id, walk.distance + 1 FROM walk JOIN edge ON edge.target_id = walk.id
    WHERE walk.distance < :depth)
SELECT id, MIN(distance) FROM walk GROUP BY id
"""
BARE_DOWNSTREAM = BARE_UPSTREAM.replace("edge.source_id, walk", "edge.target_id, walk").replace(
    "edge.target_id = walk.id", "edge.source_id = walk.id"
)
WALKS: tuple[tuple[str, str, Direction], ...] = (
    ("upstream of a deployment", "ModelDeployment", "UPSTREAM"),
    ("downstream of a feature source", "FeatureSource", "DOWNSTREAM"),
)
NEXT_HOP = {
    "UPSTREAM": "SELECT DISTINCT source_id FROM edge WHERE target_id IN ({})",
    "DOWNSTREAM": "SELECT DISTINCT target_id FROM edge WHERE source_id IN ({})",
}


@dataclass(frozen=True)
class Row:
    models: int
    label: str
    root: str
    nodes: int
    edges: int
    statements: int
    walk_ms: float
    bare_ms: float
    per_hop_ms: float
    # Filled once measurable: the same walk through HTTP and GraphQL, and through ML Metadata.
    http_ms: float | None = None
    ml_metadata_ms: float | None = None


def run() -> None:
    rows: list[Row] = []
    for models in MODEL_COUNTS:
        rows.extend(asyncio.run(_bench_graph(models)))
    _report(rows)


async def _bench_graph(models: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="aigraph-bench-lineage-") as folder:
        path = Path(folder) / "demo.db"
        engine = await open_engine(f"sqlite+aiosqlite:///{path}")
        try:
            records = [record for record in demo_records(models) if record["type"] in LINEAGE_TYPES]
            await ingest(engine, record_list(records))
            bare = sqlite3.connect(path)
            rows = []
            for label, entity_type, direction in WALKS:
                for size, root in _roots(bare, entity_type, direction):
                    rows.append(await _measure(engine, bare, models, f"{label} ({size})", root, direction))
            bare.close()
            return rows
        finally:
            await engine.dispose()


def _roots(bare: sqlite3.Connection, entity_type: str, direction: Direction) -> list[tuple[str, str]]:
    """The roots whose answers are the median and the largest among an evenly spread sample."""
    keys = [
        key for (key,) in bare.execute("SELECT key FROM entity WHERE type = ? ORDER BY key", [entity_type])
    ]
    sample = keys[:: max(1, len(keys) // SAMPLE)]
    sized = sorted((len(_bare_walk(bare, key, direction)), key) for key in sample)
    return [("median", sized[len(sized) // 2][1]), ("largest", sized[-1][1])]


async def _measure(
    engine: AsyncEngine, bare: sqlite3.Connection, models: int, label: str, root: str, direction: Direction
) -> Row:
    result = await walk_lineage(engine, root, direction, DEPTH, None, LIMIT)
    expected = {node_id for node_id in _bare_walk(bare, root, direction) if node_id != result.root.id}
    assert {node.entity.id for node in result.nodes} == expected, "the walks disagree"
    assert set(_per_hop_walk(bare, root, direction)) - {result.root.id} == expected, "the walks disagree"
    async with engine.connect() as connection:
        statements = await _statements(
            engine, lambda: walk_lineage(connection, root, direction, DEPTH, None, LIMIT)
        )
        walk_ms, bare_ms, per_hop_ms = await _interleaved_p50(
            lambda: walk_lineage(connection, root, direction, DEPTH, None, LIMIT),
            lambda: _bare_walk(bare, root, direction),
            lambda: _per_hop_walk(bare, root, direction),
        )
    return Row(
        models,
        label,
        root,
        len(result.nodes),
        len(result.edges),
        statements,
        walk_ms,
        bare_ms,
        per_hop_ms,
        http_ms=_http_p50(root, direction),
        ml_metadata_ms=_ml_metadata_p50(root, direction),
    )


def _http_p50(root: str, direction: Direction) -> float | None:
    """p50 of `lineage(key, direction, depth: 6)` POSTed to /graphql in-process (httpx ASGI transport).

    Pending until the API serves `lineage`; the figure then goes beside the bare SQL (target 10x).
    """
    return None


def _ml_metadata_p50(root: str, direction: Direction) -> float | None:
    """p50 of ML Metadata's get_lineage_subgraph with the same hops, on the same graph loaded into it.

    Pending: ml-metadata (1.17.1 is the newest cp311 wheel) pins attrs<24 and protobuf<5, which
    clash with this environment, so it has to run in a venv of its own, as a subprocess that loads
    the graph and prints its timings. Target: the HTTP figure at most 0.5x of this one.
    """
    return None


def _bare_walk(bare: sqlite3.Connection, root: str, direction: Direction) -> list[int]:
    query = BARE_UPSTREAM if direction == "UPSTREAM" else BARE_DOWNSTREAM
    return [node_id for node_id, _ in bare.execute(query, {"key": root, "depth": DEPTH})]


def _per_hop_walk(bare: sqlite3.Connection, root: str, direction: Direction) -> dict[int, int]:
    (root_id,) = bare.execute("SELECT id FROM entity WHERE key = ?", [root]).fetchone()
    reached = {root_id: 0}
    frontier = [root_id]
    for hop in range(1, DEPTH + 1):
        if not frontier:
            break
        query = NEXT_HOP[direction].format(",".join("?" * len(frontier)))
        frontier = [node_id for (node_id,) in bare.execute(query, frontier) if node_id not in reached]
        reached.update(dict.fromkeys(frontier, hop))
    return reached


async def _statements(engine: AsyncEngine, walk: Callable[[], Awaitable[Any]]) -> int:
    sent: list[str] = []

    def record(*args: Any) -> None:
        # SQLite transactions are begun by hand; that BEGIN is not a query.
        if args[2] != "BEGIN":
            sent.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await walk()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return len(sent)


async def _interleaved_p50(
    walk: Callable[[], Awaitable[Any]], *references: Callable[[], Any]
) -> tuple[float, ...]:
    """Median milliseconds of each, run in turn so that load on the machine hits them alike."""
    await walk()
    timings: list[list[float]] = [[] for _ in range(1 + len(references))]
    for _ in range(REPEATS):
        started = time.perf_counter()
        await walk()
        timings[0].append(time.perf_counter() - started)
        for index, reference in enumerate(references, start=1):
            started = time.perf_counter()
            reference()
            timings[index].append(time.perf_counter() - started)
    return tuple(statistics.median(times) * 1000 for times in timings)


def _report(rows: list[Row]) -> None:
    table = Table(title=f"lineage, depth {DEPTH}: p50 of {REPEATS} walks (SQLite)")
    for heading in (
        "models",
        "walk",
        "root",
        "nodes",
        "edges",
        "statements",
        "walk_lineage",
        "bare recursive SQL",
        "ratio",
        "per-hop SQL",
        "µs / node",
        "over HTTP",
        "ML Metadata",
    ):
        table.add_column(heading, justify="left" if heading in ("walk", "root") else "right")
    for row in rows:
        ratio = row.walk_ms / row.bare_ms
        table.add_row(
            str(row.models),
            row.label,
            row.root,
            str(row.nodes),
            str(row.edges),
            str(row.statements),
            f"{row.walk_ms:.2f} ms",
            f"{row.bare_ms:.2f} ms",
            f"{ratio:.1f}x",
            f"{row.per_hop_ms:.2f} ms",
            f"{row.walk_ms * 1000 / max(row.nodes, 1):.1f}",
            _milliseconds(row.http_ms),
            _milliseconds(row.ml_metadata_ms),
        )
    console = Console()
    console.print(table)
    console.print(
        f"target: walk_lineage within {TARGET_RATIO:.0f}x of the bare recursive SQL (measured here)."
    )
    console.print("pending: over HTTP (lineage not served yet), ML Metadata (needs a venv of its own)")


def _milliseconds(value: float | None) -> str:
    return "pending" if value is None else f"{value:.2f} ms"


if __name__ == "__main__":
    run()
