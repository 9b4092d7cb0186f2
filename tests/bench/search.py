"""Search benchmark: `search_entities` on the demo graphs, beside the index's own count of candidates.

Each query kind is timed in-process (first 20), interleaved with the bare statement that only
counts what the index matches for it (FTS5 trigram from three characters up, the lower(...) b-tree
ranges below), through the stdlib sqlite3 module. The ratio shows what ranking and paging add to
finding the candidates; the candidate count shows why a query costs what it does.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from graph.db import open_engine
from graph.search import TRIGRAM, search_entities
from tests.bench.demo_cache import cached_demo
from tests.bench.lineage import LINEAGE_TYPES

MODEL_COUNTS = [int(n) for n in os.environ.get("AIGRAPH_BENCH_SEARCH_MODELS", "1000,10000").split(",")]
REPEATS = int(os.environ.get("AIGRAPH_BENCH_REPEATS", "50"))
FIRST = 20

# (what it stands for, query, types): from a key someone pasted to a word half the graph contains.
QUERIES: list[tuple[str, str, list[str] | None]] = [
    ("exact key", "fs/00100", None),
    ("rare substring", "00100", None),
    ("no match", "xyzzy", None),
    ("one letter", "a", None),
    ("key prefix", "ds/", None),
    ("common word", "ranker", None),
    ("common word, one type", "ranker", ["FeatureSource"]),
    ("very common word", "train", None),
    ("very common word, rare types", "train", ["FeatureSource", "ModelSource"]),
]

BARE_SUBSTRING = "SELECT count(*) FROM entity_search WHERE entity_search MATCH ?"
BARE_PREFIX = """SELECT count(*) FROM entity
    WHERE lower(key) >= ?1 AND lower(key) < ?2 OR lower(name) >= ?1 AND lower(name) < ?2"""


@dataclass(frozen=True)
class Row:
    models: int
    kind: str
    query: str
    types: list[str] | None
    found: int
    candidates: int
    search_ms: float
    bare_ms: float


def run() -> None:
    rows: list[Row] = []
    for models in MODEL_COUNTS:
        path = cached_demo(models, "lineage", lambda record: record["type"] in LINEAGE_TYPES)
        rows += asyncio.run(_bench_graph(str(path), models))
    _report(rows)


async def _bench_graph(path: str, models: int) -> list[Row]:
    engine = await open_engine(f"sqlite+aiosqlite:///{path}")
    bare = sqlite3.connect(path)
    rows = []
    try:
        for kind, query, types in QUERIES:
            statement, parameters = _bare(query)
            searched: list[float] = []
            counted: list[float] = []
            found = candidates = 0
            for _ in range(REPEATS):
                started = time.perf_counter()
                found = len(await search_entities(engine, query, types, FIRST))
                searched.append(time.perf_counter() - started)
                started = time.perf_counter()
                (candidates,) = bare.execute(statement, parameters).fetchone()
                counted.append(time.perf_counter() - started)
            search_ms, bare_ms = (statistics.median(times) * 1000 for times in (searched, counted))
            rows.append(Row(models, kind, query, types, found, candidates, search_ms, bare_ms))
    finally:
        bare.close()
        await engine.dispose()
    return rows


def _bare(query: str) -> tuple[str, list[str]]:
    if len(query) >= TRIGRAM:
        return BARE_SUBSTRING, ['"' + query + '"']
    return BARE_PREFIX, [query, query[:-1] + chr(ord(query[-1]) + 1)]


def _report(rows: list[Row]) -> None:
    table = Table(title=f"search, first {FIRST}: p50 of {REPEATS} each (SQLite, in-process)")
    headings = ("models", "query", "text", "types", "found", "candidates", "search", "bare count", "ratio")
    for heading in headings:
        table.add_column(heading, justify="left" if heading in ("query", "text", "types") else "right")
    for row in rows:
        table.add_row(
            str(row.models),
            row.kind,
            row.query,
            ", ".join(row.types) if row.types else "all",
            str(row.found),
            str(row.candidates),
            f"{row.search_ms:.2f} ms",
            f"{row.bare_ms:.2f} ms",
            f"{row.search_ms / row.bare_ms:.1f}x",
        )
    console = Console(width=200)
    console.print(table)
    console.print(
        "bare count: the index's own match for the text (FTS5 trigram; lower(...) ranges under three "
        "characters), counted without reading a row: what finding the candidates costs at least."
    )
