"""The lineage benchmark's tables: each walk's figures beside their references, growth and memory."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from graph.lineage import Direction

TARGET_RATIO = 10.0
TARGET_ML_METADATA = 0.5
TARGET_GROWTH = 1.5
TARGET_SERVER_MB = 300
FLOOR_DOCUMENT = "{ __typename }"


@dataclass(frozen=True)
class MLMetadataTiming:
    p50_ms: float
    nodes: int


@dataclass(frozen=True)
class Growth:
    """One walk's HTTP cost per returned node on each graph, timed in turn in one loop."""

    label: str
    small_us_per_node: float
    large_us_per_node: float
    growth: float  # the median of the pairs' ratios


@dataclass(frozen=True)
class Row:
    models: int
    label: str
    root: str
    direction: Direction
    nodes: int
    edges: int
    statements: int
    walk_ms: float
    bare_ms: float
    per_hop_ms: float
    # The same walk through HTTP and GraphQL, and through ML Metadata (or why it is missing).
    http_ms: float
    ml_metadata: MLMetadataTiming | str
    # The floor of any request: `{ __typename }` POSTed in the same loop.
    floor_ms: float
    # The same request answered with the same bytes by a bare ASGI app on the same uvicorn.
    constant_ms: float


def report(rows: list[Row], depth: int, repeats: int) -> None:
    table = Table(title=f"lineage, depth {depth}: p50 of {repeats} walks each (SQLite)")
    headings = ("models", "walk", "root", "nodes", "edges", "SQL statements", "over HTTP", "HTTP floor")
    headings += ("bare HTTP", "bare SQL", "bare HTTP / bare", "HTTP / bare", "walk_lineage", "per-hop SQL")
    headings += ("ML Metadata", "HTTP / MLMD", "HTTP µs/node")
    for heading in headings:
        table.add_column(heading, justify="left" if heading in ("walk", "root") else "right")
    for row in rows:
        table.add_row(
            str(row.models),
            row.label,
            row.root,
            str(row.nodes),
            str(row.edges),
            str(row.statements),
            f"{row.http_ms:.2f} ms",
            f"{row.floor_ms:.2f} ms",
            f"{row.constant_ms:.2f} ms",
            f"{row.bare_ms:.2f} ms",
            f"{row.constant_ms / row.bare_ms:.1f}x",
            f"{row.http_ms / row.bare_ms:.1f}x",
            f"{row.walk_ms:.2f} ms",
            f"{row.per_hop_ms:.2f} ms",
            *_ml_metadata_cells(row),
            f"{_per_node(row):.1f}",
        )
    console = Console(width=260)
    console.print(table)
    console.print(
        f"targets: over HTTP within {TARGET_RATIO:.0f}x of the bare recursive SQL for the same nodes, "
        f"and at most {TARGET_ML_METADATA}x of ML Metadata's get_lineage_subgraph (in-process, SQLite, "
        f"max_num_hops={depth}: one event per edge, so hops are the same). HTTP floor: "
        f"`{FLOOR_DOCUMENT}` POSTed in the same loop, what any request costs. Bare HTTP: the same "
        "request answered with the same bytes, prepared in advance, by a bare ASGI app on the same "
        "uvicorn (tests/bench/constant_http.py): what HTTP alone costs, before any GraphQL or SQL."
    )
    reasons = {row.ml_metadata for row in rows if isinstance(row.ml_metadata, str)}
    for reason in sorted(reasons):
        console.print(f"ML Metadata: {reason}")


def report_memory(memory: dict[int, float | None]) -> None:
    """The serving process's resident memory once every walk of the graph was answered."""
    for models, megabytes in memory.items():
        figure = "unknown (no /proc)" if megabytes is None else f"{megabytes:.0f} MB"
        Console(width=240).print(
            f"server memory after the benchmark on the {models}-model graph: {figure} "
            f"(one uvicorn worker; target < {TARGET_SERVER_MB} MB per worker)"
        )


def _ml_metadata_cells(row: Row) -> tuple[str, str]:
    if isinstance(row.ml_metadata, str):
        return "-", "-"
    timing = row.ml_metadata
    # Same hops must mean the same answer; a different size would make the comparison meaningless.
    agreed = "" if timing.nodes == row.nodes else f" ({timing.nodes} nodes!)"
    return f"{timing.p50_ms:.2f} ms{agreed}", f"{row.http_ms / timing.p50_ms:.2f}x"


def _per_node(row: Row) -> float:
    return row.http_ms * 1000 / max(row.nodes, 1)


def report_growth(growth: list[Growth], smallest: int, largest: int) -> None:
    """HTTP cost per returned node on the largest graph over the same on the smallest."""
    title = f"cost per returned node over HTTP, {largest} models vs {smallest} (target ≤ {TARGET_GROWTH}x)"
    table = Table(
        title=title,
        caption="both graphs served at once, their requests timed in pairs; growth: the pairs' median ratio",
    )
    for heading in ("walk", f"{smallest} models µs/node", f"{largest} models µs/node", "growth"):
        table.add_column(heading, justify="left" if heading == "walk" else "right")
    for walk in growth:
        small, large = walk.small_us_per_node, walk.large_us_per_node
        table.add_row(walk.label, f"{small:.1f}", f"{large:.1f}", f"{walk.growth:.2f}x")
    Console(width=240).print(table)
