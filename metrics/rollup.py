"""Rollups: scores aggregated over the team hierarchy, in the database.

Every entity's score and bucket label are computed in SQL and grouped by owner team and label;
a recursive CTE pairs each team of the tree with itself and its descendants, and a second GROUP BY
sums the owner groups into each team. Only per-team aggregates come back to Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import Subquery

from graph.models import team_table
from graph.queries import owned_subtree
from graph.timestamps import to_micros
from metrics import tables
from metrics.buckets import NO_DATA, Bucket, label_case, score_case
from metrics.definitions import UnknownTeam, load_definition
from metrics.derived import as_of_param, micros
from metrics.frameworks import entity_scores, load_framework
from metrics.values import instant, value_expression


@dataclass(frozen=True, slots=True)
class BucketCount:
    label: str
    count: int


@dataclass(slots=True)
class RollupNode:
    """One team's aggregate (team None: every entity, owned or not), with a node per child team."""

    team_id: int | None
    team_key: str | None
    entity_count: int
    mean_score: float | None
    buckets: list[BucketCount]
    children: list[RollupNode] = field(default_factory=list)


async def rollup(
    connection: AsyncConnection, framework_key: str, under: str | None = None, as_of: datetime | None = None
) -> RollupNode:
    """A framework's scores rolled up over the team tree (under one team, or all of it)."""
    framework, definitions = await load_framework(connection, framework_key)
    as_of_micros = as_of_param(to_micros(instant(as_of)))
    scores = entity_scores(framework, definitions, as_of_micros)
    scored = select(
        scores.c.owner_id,
        scores.c.score,
        label_case(framework.buckets, scores.c.score, no_data=True).label("label"),
    ).subquery("labelled")
    return await _rollup(connection, scored, framework.buckets, under)


async def metric_rollup(
    connection: AsyncConnection, metric_key: str, under: str | None = None, as_of: datetime | None = None
) -> RollupNode:
    """One metric's scores rolled up over the team tree; a metric of every type counts every entity."""
    definition = await load_definition(connection, metric_key)
    as_of_micros = as_of_param(to_micros(instant(as_of)))
    entity = tables.entity.alias("measured")
    conditions = [micros(entity.c.created_at) <= as_of_micros]
    if definition.entity_type is not None:
        conditions.append(entity.c.type == definition.entity_type)
    valued = tables.computed_once(
        select(entity.c.owner_id, value_expression(definition, entity, as_of_micros).label("value")).where(
            and_(*conditions)
        ),
        "valued",
    )
    # The value is a column of the inner query, so the bucket CASEs read it rather than recompute it.
    scored = select(
        valued.c.owner_id,
        score_case(definition.buckets, valued.c.value).label("score"),
        label_case(definition.buckets, valued.c.value, no_data=True).label("label"),
    ).subquery("labelled")
    return await _rollup(connection, scored, definition.buckets, under)


async def _rollup(
    connection: AsyncConnection, scored: Subquery, buckets: Sequence[Bucket], under: str | None
) -> RollupNode:
    """Aggregate (owner_id, score, label) rows over the team tree."""
    teams = await _team_tree(connection, under)
    by_owner = (
        select(
            scored.c.owner_id,
            scored.c.label,
            func.count().label("entities"),
            func.sum(scored.c.score).label("total"),
            func.count(scored.c.score).label("scored"),
        )
        .group_by(scored.c.owner_id, scored.c.label)
        .cte("by_owner")
    )
    roots = select(team_table.c.id.label("root_id"), team_table.c.id.label("team_id"))
    if under is not None:
        roots = roots.where(team_table.c.id.in_([team.id for team in teams]))
    closure = owned_subtree(roots)
    per_team = (
        select(
            closure.c.root_id.label("team_id"),
            by_owner.c.label,
            func.sum(by_owner.c.entities).label("entities"),
            func.sum(by_owner.c.total).label("total"),
            func.sum(by_owner.c.scored).label("scored"),
        )
        .join_from(closure, by_owner, by_owner.c.owner_id == closure.c.team_id)
        .group_by(closure.c.root_id, by_owner.c.label)
    )
    parts: list[Any] = [per_team]
    if under is None:
        # The root without a team covers every entity, owned or not.
        everyone = select(
            null().label("team_id"),
            by_owner.c.label,
            func.sum(by_owner.c.entities),
            func.sum(by_owner.c.total),
            func.sum(by_owner.c.scored),
        ).group_by(by_owner.c.label)
        parts.append(everyone)
    rows = (await connection.execute(union_all(*parts))).all()
    return _assemble(teams, rows, buckets, under)


@dataclass(frozen=True, slots=True)
class _Team:
    id: int
    key: str
    parent_id: int | None


async def _team_tree(connection: AsyncConnection, under: str | None) -> list[_Team]:
    """The teams the rollup has a node for: `under` and its descendants, or every team."""
    if under is None:
        statement = select(team_table.c.id, team_table.c.key, team_table.c.parent_id)
        return [_Team(row.id, row.key, row.parent_id) for row in (await connection.execute(statement)).all()]
    start = (await connection.execute(select(team_table.c.id).where(team_table.c.key == under))).scalar()
    if start is None:
        raise UnknownTeam(under)
    subtree = owned_subtree(
        select(literal(start, Integer).label("root_id"), team_table.c.id.label("team_id")).where(
            team_table.c.id == start
        )
    )
    statement = select(team_table.c.id, team_table.c.key, team_table.c.parent_id).join(
        subtree, subtree.c.team_id == team_table.c.id
    )
    return [_Team(row.id, row.key, row.parent_id) for row in (await connection.execute(statement)).all()]


def _assemble(
    teams: list[_Team], rows: Sequence[Any], buckets: Sequence[Bucket], under: str | None
) -> RollupNode:
    labels = [bucket.label for bucket in buckets] + [NO_DATA]
    counts: dict[int | None, dict[str, int]] = {}
    totals: dict[int | None, list[float]] = {}
    for team_id, label, entities, total, with_score in rows:
        counts.setdefault(team_id, {})[label] = int(entities)
        running = totals.setdefault(team_id, [0.0, 0.0])
        running[0] += float(total or 0)
        running[1] += float(with_score or 0)

    def node(team: _Team | None) -> RollupNode:
        team_id = None if team is None else team.id
        by_label = counts.get(team_id, {})
        total, with_score = totals.get(team_id, [0.0, 0.0])
        return RollupNode(
            team_id,
            None if team is None else team.key,
            sum(by_label.values()),
            total / with_score if with_score else None,
            [BucketCount(label, by_label.get(label, 0)) for label in labels],
        )

    nodes = {team.id: node(team) for team in teams}
    root = node(None) if under is None else next(nodes[team.id] for team in teams if team.key == under)
    for team in sorted(teams, key=lambda team: team.key):
        if team.key == under:
            continue
        parent = nodes.get(team.parent_id) if team.parent_id is not None else None
        if parent is not None:
            parent.children.append(nodes[team.id])
        elif under is None:
            root.children.append(nodes[team.id])
    return root
