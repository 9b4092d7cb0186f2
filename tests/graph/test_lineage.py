"""Lineage walks: each rule of the contract on a small named graph (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import ingest
from graph.lineage import (
    MAX_DEPTH,
    MAX_LIMIT,
    LineageLimitError,
    LineageResult,
    LineageRootNotFound,
    walk_lineage,
)
from graph.models import edge_table, entity_table
from graph.sources import record_list
from tests.graph.factories import EXAMPLE

TYPE_BY_PREFIX = {
    "fs": "FeatureSource",
    "lf": "LogicalFeature",
    "ds": "TrainingDataset",
    "ms": "ModelSource",
    "run": "WorkflowRun",
    "mb": "ModelBinary",
    "dep": "ModelDeployment",
}
KIND_BY_TYPES = {
    ("FeatureSource", "LogicalFeature"): "FEEDS",
    ("LogicalFeature", "TrainingDataset"): "COMPOSES",
    ("TrainingDataset", "WorkflowRun"): "TRAINS",
    ("ModelSource", "WorkflowRun"): "EXECUTES",
    ("WorkflowRun", "ModelBinary"): "PRODUCES",
    ("ModelBinary", "ModelDeployment"): "DEPLOYED_TO",
    ("ModelDeployment", "FeatureSource"): "LOGS",
}


def entity_type(key: str) -> str:
    return TYPE_BY_PREFIX[key.split("/", 1)[0]]


async def load_graph(
    engine: AsyncEngine,
    types: dict[str, str],
    edges: Iterable[tuple[str, str]],
) -> None:
    """Replace the database's graph: `types` maps each key to its type, edges are (source, target)."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    ids = {key: number for number, key in enumerate(sorted(types), start=1)}
    entity_rows = [
        {"id": ids[key], "key": key, "type": kind, "name": key, "created_at": moment, "updated_at": moment}
        for key, kind in types.items()
    ]
    edge_rows = [
        {"source_id": ids[source], "target_id": ids[target], "kind": edge_kind(types, source, target)}
        for source, target in edges
    ]
    async with engine.begin() as connection:
        await connection.execute(delete(edge_table))
        await connection.execute(delete(entity_table))
        if entity_rows:
            await connection.execute(insert(entity_table).values(properties={}), entity_rows)
        if edge_rows:
            await connection.execute(insert(edge_table), edge_rows)


def edge_kind(types: dict[str, str], source: str, target: str) -> str:
    return KIND_BY_TYPES[(types[source], types[target])]


async def build(engine: AsyncEngine, *edges: str, alone: Iterable[str] = ()) -> None:
    """A graph from edges written "fs/1 > lf/1"; each key's type follows from its prefix."""
    pairs = [tuple(part.strip() for part in edge.split(">")) for edge in edges]
    keys = {key for pair in pairs for key in pair} | set(alone)
    await load_graph(engine, {key: entity_type(key) for key in keys}, [(s, t) for s, t in pairs])


def answer(result: LineageResult) -> list[tuple[str, int]]:
    return [(node.entity.key, node.distance) for node in result.nodes]


def edge_list(result: LineageResult) -> list[tuple[str, str, str]]:
    return [(edge.source.key, edge.target.key, edge.kind) for edge in result.edges]


CHAIN = ("fs/1 > lf/1", "lf/1 > ds/1", "ds/1 > run/1", "ms/1 > run/1", "run/1 > mb/1", "mb/1 > dep/1")


async def test_upstream_distance_is_fewest_hops(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    result = await walk_lineage(engine, "dep/1", "UPSTREAM", 6, None, 100)
    assert answer(result) == [
        ("mb/1", 1),
        ("run/1", 2),
        ("ds/1", 3),
        ("ms/1", 3),
        ("lf/1", 4),
        ("fs/1", 5),
    ]
    assert result.root.key == "dep/1"
    assert not result.truncated


async def test_walks_a_graph_written_by_ingest(engine: AsyncEngine) -> None:
    await ingest(engine, record_list(EXAMPLE))
    result = await walk_lineage(engine, "fs/1", "DOWNSTREAM", 20, None, 100)
    assert answer(result) == [("lf/1", 1), ("ds/1", 2), ("run/1", 3), ("mb/1", 4), ("dep/1", 5), ("fs/2", 6)]
    assert ("dep/1", "fs/2", "LOGS") in edge_list(result)
    # Each entity comes with its type and name, enough to show it without another query.
    assert (result.root.type, result.root.name) == ("FeatureSource", "clicks")
    assert {node.entity.type for node in result.nodes} >= {"ModelDeployment", "WorkflowRun"}


async def test_downstream_follows_edges_forward(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    result = await walk_lineage(engine, "lf/1", "DOWNSTREAM", 3, None, 100)
    assert answer(result) == [("ds/1", 1), ("run/1", 2), ("mb/1", 3)]


async def test_root_is_excluded_when_a_cycle_returns_to_it(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN, "dep/1 > fs/1")
    result = await walk_lineage(engine, "dep/1", "DOWNSTREAM", 20, None, 100)
    assert "dep/1" not in [key for key, _ in answer(result)]
    assert answer(result)[0] == ("fs/1", 1)
    assert ("dep/1", "fs/1", "LOGS") in edge_list(result)


async def test_cycle_walk_terminates_at_maximum_depth(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN, "dep/1 > fs/1", "dep/1 > fs/2", "fs/2 > lf/1")
    result = await walk_lineage(engine, "fs/1", "BOTH", MAX_DEPTH, None, MAX_LIMIT)
    assert len(result.nodes) == 7


async def test_types_filter_the_answer_not_the_walk(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    result = await walk_lineage(engine, "dep/1", "UPSTREAM", 6, ["FeatureSource", "ModelSource"], 100)
    assert answer(result) == [("ms/1", 3), ("fs/1", 5)]
    assert edge_list(result) == []


async def test_empty_types_return_no_nodes(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    result = await walk_lineage(engine, "dep/1", "UPSTREAM", 6, [], 100)
    assert result.nodes == []
    assert not result.truncated


async def test_depth_zero_returns_no_nodes(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    result = await walk_lineage(engine, "run/1", "BOTH", 0, None, 100)
    assert result.nodes == []
    assert result.edges == []


async def test_both_is_the_union_of_directed_walks_not_an_undirected_walk(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    result = await walk_lineage(engine, "ds/1", "BOTH", 6, None, 100)
    # ms/1 only shares a run with ds/1: reaching it would need a step back against the flow.
    assert answer(result) == [("lf/1", 1), ("run/1", 1), ("fs/1", 2), ("mb/1", 2), ("dep/1", 3)]


async def test_both_keeps_the_smaller_distance(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN, "dep/1 > fs/1")
    result = await walk_lineage(engine, "mb/1", "BOTH", 6, ["FeatureSource", "ModelDeployment"], 100)
    # fs/1 is 4 hops upstream but 2 downstream (through the deployment's logs).
    assert answer(result) == [("dep/1", 1), ("fs/1", 2)]


async def test_limit_keeps_the_first_nodes_by_distance_then_key(engine: AsyncEngine) -> None:
    await build(engine, "fs/b > lf/1", "fs/a > lf/1", "fs/c > lf/1", "lf/1 > ds/1")
    result = await walk_lineage(engine, "ds/1", "UPSTREAM", 3, None, 3)
    assert answer(result) == [("lf/1", 1), ("fs/a", 2), ("fs/b", 2)]
    assert result.truncated
    exact = await walk_lineage(engine, "ds/1", "UPSTREAM", 3, None, 4)
    assert not exact.truncated


async def test_edges_are_the_induced_subgraph_in_key_order(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN, "dep/1 > fs/1")
    result = await walk_lineage(engine, "run/1", "UPSTREAM", 2, None, 100)
    assert answer(result) == [("ds/1", 1), ("ms/1", 1), ("lf/1", 2)]
    assert edge_list(result) == [
        ("ds/1", "run/1", "TRAINS"),
        ("lf/1", "ds/1", "COMPOSES"),
        ("ms/1", "run/1", "EXECUTES"),
    ]


async def test_unknown_root_is_an_error_naming_it(engine: AsyncEngine) -> None:
    await build(engine, *CHAIN)
    with pytest.raises(LineageRootNotFound, match="mb/404"):
        await walk_lineage(engine, "mb/404", "UPSTREAM", 3, None, 100)
    with pytest.raises(LineageRootNotFound, match="mb/404"):
        await walk_lineage(engine, "mb/404", "BOTH", 0, [], 0)


@pytest.mark.parametrize("depth", [-1, MAX_DEPTH + 1])
async def test_depth_outside_the_cap_is_rejected(engine: AsyncEngine, depth: int) -> None:
    with pytest.raises(LineageLimitError, match="depth"):
        await walk_lineage(engine, "dep/1", "UPSTREAM", depth, None, 100)


@pytest.mark.parametrize("limit", [-1, MAX_LIMIT + 1])
async def test_limit_outside_the_cap_is_rejected(engine: AsyncEngine, limit: int) -> None:
    with pytest.raises(LineageLimitError, match="limit"):
        await walk_lineage(engine, "dep/1", "UPSTREAM", 3, None, limit)


async def test_unknown_direction_is_rejected(engine: AsyncEngine) -> None:
    with pytest.raises(LineageLimitError, match="direction"):
        await walk_lineage(engine, "dep/1", "SIDEWAYS", 3, None, 100)  # type: ignore[arg-type]


async def count_statements(engine: AsyncEngine, root: str, direction: Any) -> int:
    statements: list[str] = []

    def record(*args: Any) -> None:
        # SQLite's transactions are begun by hand, and that BEGIN is not a query.
        if args[2] != "BEGIN":
            statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        result = await walk_lineage(engine, root, direction, 6, None, MAX_LIMIT)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert result.statements == len(statements)
    return len(statements)


async def test_statement_count_does_not_grow_with_fan_out(engine: AsyncEngine) -> None:
    counts = []
    for fan_out in (3, 60):
        binaries = [f"run/{n} > mb/{n}" for n in range(fan_out)]
        deployments = [f"mb/{n} > dep/1" for n in range(fan_out)]
        await build(engine, *binaries, *deployments)
        counts.append(await count_statements(engine, "dep/1", "BOTH"))
    assert counts[0] == counts[1] == 1
