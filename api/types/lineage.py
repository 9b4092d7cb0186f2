"""Lineage answers: the walk direction, reached nodes with their distance, and the induced edges.

Every field here is a plain attribute filled when the answer is built, so serving a large answer
costs no resolver call per node or per scalar; entities are built once and shared by nodes and edges.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from api.types.entities import Entity
from api.types.enums import EdgeKind


@strawberry.enum(description="Which way a lineage walk follows the edges (edges point the way data flows).")
class LineageDirection(Enum):
    UPSTREAM = strawberry.enum_value(
        "UPSTREAM", description="Where it came from: against the edges, towards the data's origins."
    )
    DOWNSTREAM = strawberry.enum_value(
        "DOWNSTREAM", description="What it affects: along the edges, towards what is built from it."
    )
    BOTH = strawberry.enum_value(
        "BOTH",
        description="The union of the upstream and the downstream walks (not an undirected walk).",
    )


@strawberry.type(description="An entity reached by a lineage walk and how far from the root it is.")
class LineageNode:
    entity: Entity = strawberry.field(description="The reached entity.")
    distance: int = strawberry.field(
        description="Fewest hops from the root in the walk direction, through entities of any type."
    )


@strawberry.type(description="An edge of the graph between two entities of a lineage answer.")
class LineageEdge:
    source: Entity = strawberry.field(description="The upstream end (data flows from here).")
    target: Entity = strawberry.field(description="The downstream end (data flows to here).")
    kind: EdgeKind = strawberry.field(description="What the edge means.")


@strawberry.type(description="The bounded subgraph upstream and/or downstream of one entity.")
class Lineage:
    root: Entity = strawberry.field(description="The entity the walk started from.")
    nodes: list[LineageNode] = strawberry.field(
        description=(
            "Reached entities of the requested types, ordered by (distance, key); the root is not among them."
        )
    )
    edges: list[LineageEdge] = strawberry.field(
        description=(
            "Every edge whose both ends are the root or returned nodes (the induced subgraph), "
            "ordered by (source key, target key, kind)."
        )
    )
    truncated: bool = strawberry.field(
        description="True when more nodes matched than `limit`; `nodes` then holds the first `limit`."
    )
