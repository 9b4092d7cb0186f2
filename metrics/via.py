"""Where a framework leaf's `via` leads: the hops from an entity to its related entities, as SQL.

Edges have no history, so the hops are taken as they are now; only the entities reached are
filtered by asOf (created at or before it). LATEST_BINARY is the reached binary with the largest
createdAt, ties broken by the greatest key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from metrics import tables
from metrics.derived import micros

# Where walks start: every entity, these ids, or the ids a SELECT returns.
Origins = Sequence[int] | Select[Any] | None


@dataclass(frozen=True, slots=True)
class Hop:
    kind: str
    downstream: bool


RUNS_OF_SOURCE = (Hop("EXECUTES", True),)
BINARIES_OF_SOURCE = (*RUNS_OF_SOURCE, Hop("PRODUCES", True))
BINARIES_OF_DEPLOYMENT = (Hop("DEPLOYED_TO", False),)

# From an entity type, along a via: the hops, in order. Mirrors graph.vocabulary.VIA_TARGETS.
HOPS: dict[str, dict[str, tuple[Hop, ...]]] = {
    "ModelSource": {
        "RUNS": RUNS_OF_SOURCE,
        "BINARIES": BINARIES_OF_SOURCE,
        "LATEST_BINARY": BINARIES_OF_SOURCE,
        "DEPLOYMENTS": (*BINARIES_OF_SOURCE, Hop("DEPLOYED_TO", True)),
        "DATASETS": (*RUNS_OF_SOURCE, Hop("TRAINS", False)),
    },
    "WorkflowRun": {
        "BINARIES": (Hop("PRODUCES", True),),
        "LATEST_BINARY": (Hop("PRODUCES", True),),
        "DEPLOYMENTS": (Hop("PRODUCES", True), Hop("DEPLOYED_TO", True)),
        "DATASETS": (Hop("TRAINS", False),),
    },
    "ModelBinary": {
        "RUNS": (Hop("PRODUCES", False),),
        "DEPLOYMENTS": (Hop("DEPLOYED_TO", True),),
        "DATASETS": (Hop("PRODUCES", False), Hop("TRAINS", False)),
    },
    "ModelDeployment": {
        "BINARIES": BINARIES_OF_DEPLOYMENT,
        "LATEST_BINARY": BINARIES_OF_DEPLOYMENT,
        "RUNS": (*BINARIES_OF_DEPLOYMENT, Hop("PRODUCES", False)),
    },
    "TrainingDataset": {"RUNS": (Hop("TRAINS", True),)},
    "LogicalFeature": {"DATASETS": (Hop("COMPOSES", True),)},
    "FeatureSource": {},
}


def hops(entity_type: str, via: str) -> tuple[Hop, ...]:
    """The hops of a via; ingest has already refused a via that does not exist from the type."""
    try:
        return HOPS[entity_type][via]
    except KeyError:
        raise ValueError(f"via {via} does not lead anywhere from {entity_type}") from None


def path_pairs(path: tuple[Hop, ...], origin_ids: Origins) -> Select[Any]:
    """SQL: distinct (origin_id, reached_id) at the two ends of the path, from every origin or those given."""
    first = tables.edge.alias("hop0")
    start = first.c.source_id if path[0].downstream else first.c.target_id
    end = first.c.target_id if path[0].downstream else first.c.source_id
    joined: Any = first
    # The edge kind fixes the type at each end, so no entity row is needed along the way.
    conditions: list[ColumnElement[bool]] = [first.c.kind == path[0].kind]
    if origin_ids is not None:
        conditions.append(start.in_(origin_ids))
    for index, hop in enumerate(path[1:], start=1):
        following = tables.edge.alias(f"hop{index}")
        near = following.c.source_id if hop.downstream else following.c.target_id
        joined = joined.join(following, near == end)
        conditions.append(following.c.kind == hop.kind)
        end = following.c.target_id if hop.downstream else following.c.source_id
    return (
        select(start.label("origin_id"), end.label("reached_id"))
        .select_from(joined)
        .where(*conditions)
        .distinct()
    )


def reached(entity_type: str, via: str, as_of: ColumnElement[int], origin_ids: Origins = None) -> Subquery:
    """(origin_id, reached_id): what a via (not SELF) reaches from each origin, existing at asOf."""
    pairs = path_pairs(hops(entity_type, via), origin_ids).subquery("pairs")
    target = tables.entity.alias("target")
    exists = micros(target.c.created_at) <= as_of
    joined = pairs.join(target, target.c.id == pairs.c.reached_id)
    if via != "LATEST_BINARY":
        return (
            select(pairs.c.origin_id, pairs.c.reached_id)
            .select_from(joined)
            .where(exists)
            .subquery("reached")
        )
    position = (
        func.row_number()
        .over(partition_by=pairs.c.origin_id, order_by=(target.c.created_at.desc(), target.c.key.desc()))
        .label("position")
    )
    ranked = (
        select(pairs.c.origin_id, pairs.c.reached_id, position).select_from(joined).where(exists).subquery()
    )
    return select(ranked.c.origin_id, ranked.c.reached_id).where(ranked.c.position == 1).subquery("reached")
