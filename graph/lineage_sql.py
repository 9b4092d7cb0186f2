"""The SQL of a lineage walk: one statement per walk shape (direction, type filter, dialect).

A recursive query walks the edge table from the root; the reached entities are joined once for
their type, key and name; the edges among them come back in the same statement (graph.lineage
reads its rows).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

Direction = Literal["UPSTREAM", "DOWNSTREAM", "BOTH"]


# Every (entity id, hops) pair reachable by a walk of at most `depth` hops from the root. UNION (not
# UNION ALL) drops a pair already produced, so a node re-entered through a cycle or a second path at
# the same distance is not expanded again and the walk cannot hang: at most depth x reached-nodes
# pairs exist, never one per path.
DIRECTED_WALK = """{name}(id, distance) AS (
    SELECT id, 0 FROM entity WHERE key = :root_key
    UNION
    SELECT edge.{far}, {name}.distance + 1 FROM {name} JOIN edge ON edge.{near} = {name}.id
    WHERE {name}.distance < :depth
)"""
WALKS = {
    "UPSTREAM": DIRECTED_WALK.format(name="upstream_walk", near="target_id", far="source_id"),
    "DOWNSTREAM": DIRECTED_WALK.format(name="downstream_walk", near="source_id", far="target_id"),
}
# BOTH is the union of two directed walks: a node reached both ways keeps its smaller distance, and
# the root keeps 0 even when a cycle leads back to it. `found` are the reached nodes the answer may
# hold (all of them, or the root and those of the wanted types). The answer has two forms, of which
# the database evaluates one: when the found nodes are within the limit, all of them, unsorted (the
# caller sorts them; sorting in SQL cost more than the rest of the node list); else the first by
# (distance, key), cut in the database. The edges are those whose two ends are among the nodes: see
# `_edges`. (Answering the common, uncut case without a sorted and materialized node list: a walk of
# 23 nodes 48.7 -> 42.2 µs in SQLite.)
ANSWER = """WITH RECURSIVE {walks},
reached AS MATERIALIZED (SELECT id, MIN(distance) AS distance FROM ({pairs}) AS pairs GROUP BY id),
found AS {found_materialized}MATERIALIZED (
    SELECT reached.id, reached.distance, entity.type, entity.key, entity.name
    FROM reached JOIN entity ON entity.id = reached.id
    {where}
),
first_nodes AS MATERIALIZED (
    SELECT id, distance, type, key, name FROM found ORDER BY distance, key{collate} LIMIT :row_limit
)
{whole}
UNION ALL
{cut}"""
# One form of the answer (read by graph.lineage's `_answer_parts`), on the condition that picks it.
ROWS_ANSWER = """SELECT * FROM (
    SELECT 0 AS part, id, distance, type, key{collate} AS key, name FROM {nodes}
    UNION ALL
    SELECT 1, edge.source_id, edge.target_id, edge.kind, NULL, NULL
    {edges}
) AS answer WHERE {condition}"""
JSON_ANSWER = """SELECT (SELECT json_group_array(json_array(id, distance, type, key, name)) FROM {nodes}),
    (SELECT json_group_array(json_array(edge.source_id, edge.target_id, edge.kind))
    {edges})
WHERE {condition}"""
# The edges among the nodes, looked up from each node in the walk direction (the edge table is
# indexed both ways). A directed walk follows every edge of a node nearer than `depth`, so when
# neither a type filter nor the limit left nodes out, such an edge's far end is among the nodes and
# only the farthest nodes' edges need their far end looked up. BOTH walks two ways, and a filtered
# or cut answer may lack far ends: there every far end is looked up.
DIRECTED_EDGES = {
    "DOWNSTREAM": ("edge.source_id", "edge.target_id"),
    "UPSTREAM": ("edge.target_id", "edge.source_id"),
}


def _edges(direction: Direction, nodes: str, trusted: bool, postgresql: bool) -> str:
    if direction == "BOTH":
        targets = f"JOIN {nodes} AS targets ON targets.id = edge.target_id"
        return f"FROM {nodes} JOIN edge ON edge.source_id = {nodes}.id {targets}"
    near, far = DIRECTED_EDGES[direction]
    trust = f"{nodes}.distance < :depth OR " if trusted else ""
    condition = f"{trust}{far} IN (SELECT id FROM {nodes})"
    if postgresql:
        # The nodes' ids as an array as well, for PostgreSQL's planner: it cannot tell how many
        # nodes a walk reaches, and on an edge table of a few tens of thousands of rows it
        # hash-joined the whole table rather than look each node up in the index (a 23-node walk
        # on the 1000-model demo: 4.8 -> 1.05 ms in the database; on the 10000-model demo it took
        # the index anyway).
        condition = f"{near} = ANY(ARRAY(SELECT id FROM {nodes})) AND ({condition})"
    return f"FROM {nodes} JOIN edge ON {near} = {nodes}.id\nWHERE {condition}"


WANTED_TYPES = {
    False: "WHERE reached.distance = 0 OR entity.type IN (SELECT value FROM json_each(:types))",
    True: "WHERE reached.distance = 0 OR entity.type = ANY(:types)",
}
PARAMETER = re.compile(r":(\w+)")


@cache
def statement(direction: Direction, filtered: bool, postgresql: bool) -> tuple[str, tuple[str, ...]]:
    """The SQL of one walk shape in the driver's parameter style, and the parameter names in order."""
    names = ("UPSTREAM", "DOWNSTREAM") if direction == "BOTH" else (direction,)
    walks = [WALKS[name] for name in names]
    pairs = " UNION ALL ".join(f"SELECT id, distance FROM {walk.split('(', 1)[0]}" for walk in walks)
    # Keys sort by code point everywhere: SQLite does so natively, PostgreSQL needs the C collation.
    collate = ' COLLATE "C"' if postgresql else ""
    answer = ROWS_ANSWER if postgresql else JSON_ANSWER
    # Every reached id is an entity (edges reference entities), so unfiltered, the count of reached
    # nodes is the count of found ones, without the join; and the whole answer's edges are looked
    # up from the reached nodes themselves.
    counted = "found" if filtered else "reached"
    count = f"(SELECT count(*) FROM {counted})"
    whole = answer.format(
        nodes="found",
        edges=_edges(direction, counted, not filtered, postgresql),
        condition=f"{count} <= :row_limit",
        collate=collate,
    )
    cut = answer.format(
        nodes="first_nodes",
        edges=_edges(direction, "first_nodes", False, postgresql),
        condition=f"{count} > :row_limit",
        collate=collate,
    )
    sql = ANSWER.format(
        walks=",\n".join(walks),
        pairs=pairs,
        whole=whole,
        cut=cut,
        # Filtered, the found nodes are counted and listed: worth keeping; else cheaper inlined.
        found_materialized="" if filtered else "NOT ",
        where=WANTED_TYPES[postgresql] if filtered else "",
        collate=collate,
    )
    order: list[str] = []
    if postgresql:
        # asyncpg numbers its parameters; a name used twice keeps its number.
        def number(match: re.Match[str]) -> str:
            if match[1] not in order:
                order.append(match[1])
            return f"${order.index(match[1]) + 1}"

        return PARAMETER.sub(number, sql), tuple(order)

    def mark(match: re.Match[str]) -> str:
        order.append(match[1])
        return "?"

    return PARAMETER.sub(mark, sql), tuple(order)
