"""Lineage agrees with a plain breadth-first search on random graphs with cycles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.lineage import Direction, walk_lineage
from tests.graph.test_lineage import KIND_BY_TYPES, edge_list, load_graph

ENTITY_TYPES = sorted({kind for pair in KIND_BY_TYPES for kind in pair})
DIRECTIONS: list[Direction] = ["UPSTREAM", "DOWNSTREAM", "BOTH"]


@dataclass(frozen=True)
class Graph:
    types: dict[str, str]
    edges: list[tuple[str, str]]


@dataclass(frozen=True)
class Query:
    root: str
    direction: Direction
    depth: int
    types: list[str] | None
    limit: int


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    # Short keys over a mixed alphabet make ties and code point ordering (A < _ < a) matter.
    keys = draw(st.lists(st.text("aAb_-/9", min_size=1, max_size=3), min_size=1, max_size=25, unique=True))
    types = {key: draw(st.sampled_from(ENTITY_TYPES)) for key in keys}
    allowed = [(s, t) for s in keys for t in keys if (types[s], types[t]) in KIND_BY_TYPES]
    edges = draw(st.lists(st.sampled_from(allowed), unique=True, max_size=60)) if allowed else []
    return Graph(types, edges)


def queries(graph: Graph) -> st.SearchStrategy[Query]:
    return st.builds(
        Query,
        root=st.sampled_from(sorted(graph.types)),
        direction=st.sampled_from(DIRECTIONS),
        depth=st.integers(0, 6),
        types=st.none() | st.lists(st.sampled_from(ENTITY_TYPES), unique=True, max_size=3),
        limit=st.integers(0, 6) | st.just(1000),
    )


def distances(graph: Graph, root: str, depth: int, upstream: bool) -> dict[str, int]:
    neighbours: dict[str, list[str]] = defaultdict(list)
    for source, target in graph.edges:
        if upstream:
            neighbours[target].append(source)
        else:
            neighbours[source].append(target)
    found = {root: 0}
    frontier = [root]
    for hop in range(1, depth + 1):
        following = []
        for key in frontier:
            for neighbour in neighbours[key]:
                if neighbour not in found:
                    found[neighbour] = hop
                    following.append(neighbour)
        frontier = following
    return found


def expected(graph: Graph, query: Query) -> tuple[list[tuple[str, int]], list[tuple[str, str, str]], bool]:
    reached: dict[str, int] = {}
    for upstream in (True, False):
        if query.direction == ("DOWNSTREAM" if upstream else "UPSTREAM"):
            continue
        for key, distance in distances(graph, query.root, query.depth, upstream).items():
            reached[key] = min(distance, reached.get(key, distance))
    matching = sorted(
        (distance, key)
        for key, distance in reached.items()
        if key != query.root and (query.types is None or graph.types[key] in query.types)
    )
    nodes = [(key, distance) for distance, key in matching[: query.limit]]
    kept = {query.root, *(key for key, _ in nodes)}
    edges = sorted(
        (source, target, KIND_BY_TYPES[(graph.types[source], graph.types[target])])
        for source, target in graph.edges
        if source in kept and target in kept
    )
    return nodes, edges, len(matching) > query.limit


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_lineage_matches_breadth_first_search(engine: AsyncEngine, data: st.DataObject) -> None:
    # One database for every example: each example replaces the whole graph.
    graph = data.draw(graphs())
    await load_graph(engine, graph.types, graph.edges)
    for query in data.draw(st.lists(queries(graph), min_size=1, max_size=5)):
        result = await walk_lineage(
            engine, query.root, query.direction, query.depth, query.types, query.limit
        )
        nodes, edges, truncated = expected(graph, query)
        assert [(node.entity.key, node.distance) for node in result.nodes] == nodes
        assert edge_list(result) == edges
        assert result.truncated == truncated
        assert result.root.key == query.root
