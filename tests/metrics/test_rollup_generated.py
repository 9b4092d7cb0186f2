"""Rollups on a generated graph agree with a plain-Python recomputation from the raw rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.demo import demo_records
from graph.ingest import ingest, record_list
from graph.models import (
    edge_table,
    entity_table,
    metric_definition_table,
    metric_framework_table,
    metric_value_table,
    team_table,
)
from graph.timestamps import to_micros
from metrics.builtin import install_builtins
from metrics.rollup import RollupNode, metric_rollup, rollup

AS_OF = datetime(2026, 10, 1, tzinfo=UTC)
DAY = 86_400_000_000


@dataclass
class Raw:
    """The raw rows, and the answers recomputed from them the simplest way."""

    as_of: int
    teams: list[Any] = field(default_factory=list)
    entities: dict[int, Any] = field(default_factory=dict)
    out: dict[tuple[int, str], list[Any]] = field(default_factory=lambda: defaultdict(list))
    into: dict[tuple[int, str], list[Any]] = field(default_factory=lambda: defaultdict(list))
    values: dict[tuple[int, int], list[tuple[int, float]]] = field(default_factory=lambda: defaultdict(list))
    definitions: dict[str, Any] = field(default_factory=dict)

    def exists(self, entity_id: int) -> bool:
        return int(self.entities[entity_id].created_at) <= self.as_of

    def binaries(self, source_id: int) -> list[int]:
        runs = [edge.target_id for edge in self.out[source_id, "EXECUTES"]]
        return [edge.target_id for run in runs for edge in self.out[run, "PRODUCES"]]

    def newest(self, ids: list[int]) -> int | None:
        alive = [i for i in ids if self.exists(i)]
        return max(alive, key=lambda i: (self.entities[i].created_at, self.entities[i].key), default=None)

    def value(self, key: str, entity_id: int) -> float | None:
        definition = self.definitions[key]
        entity = self.entities[entity_id]
        if key == "has_owner":
            return 1.0 if entity.owner_id is not None else 0.0
        if key == "retraining_recency_days":
            newest = self.newest(self.binaries(entity_id))
            return None if newest is None else (self.as_of - self.entities[newest].created_at) / DAY
        if key == "deployed_binary_age_days":
            control = [
                e.source_id for e in self.into[entity_id, "DEPLOYED_TO"] if (e.role or "CONTROL") == "CONTROL"
            ]
            newest = self.newest(control)
            return None if newest is None else (self.as_of - self.entities[newest].created_at) / DAY
        seen = [(at, v) for at, v in self.values[definition.id, entity_id] if at <= self.as_of]
        return max(seen)[1] if seen else None

    def score(self, key: str, entity_id: int) -> float | None:
        return self.judge(key, entity_id)[1]

    def judge(self, key: str, entity_id: int) -> tuple[str, float | None]:
        return bucket(self.definitions[key].buckets, self.value(key, entity_id))

    def reached(self, via: str, source_id: int) -> list[int]:
        binaries = self.binaries(source_id)
        if via == "SELF":
            return [source_id]
        if via == "LATEST_BINARY":
            newest = self.newest(binaries)
            return [] if newest is None else [newest]
        if via == "DEPLOYMENTS":
            deployments = {edge.target_id for b in binaries for edge in self.out[b, "DEPLOYED_TO"]}
            return [d for d in deployments if self.exists(d)]
        raise AssertionError(via)

    def node_score(self, node: dict[str, Any], entity_id: int) -> float | None:
        if "children" not in node:
            scores = [self.score(node["metric"], i) for i in self.reached(node.get("via", "SELF"), entity_id)]
            present = [s for s in scores if s is not None]
            if not present:
                return None
            reduce = node.get("reduce", "WORST")
            return (
                min(present)
                if reduce == "WORST"
                else max(present)
                if reduce == "BEST"
                else sum(present) / len(present)
            )
        children = [(child.get("weight", 1), self.node_score(child, entity_id)) for child in node["children"]]
        present = [(w, s) for w, s in children if s is not None]
        if not present:
            return None
        if node.get("aggregate", "MEAN") == "MIN":
            return min(s for _, s in present)
        if node.get("aggregate", "MEAN") == "MAX":
            return max(s for _, s in present)
        return sum(w * s for w, s in present) / sum(w for w, _ in present)


def bucket(buckets: list[dict[str, Any]], value: float | None) -> tuple[str, float | None]:
    if value is None:
        return "NO_DATA", None
    for item in buckets:
        if item.get("below") is None or value < item["below"]:
            return item["label"], item["score"]
    raise AssertionError(buckets)


def expected(raw: Raw, entity_type: str | None, buckets: list[dict[str, Any]], judge: Any) -> dict[Any, Any]:
    """Per team key (None: everything): count, mean score, bucket counts; by plain loops."""
    labels = [item["label"] for item in buckets] + ["NO_DATA"]
    children = defaultdict(list)
    for team in raw.teams:
        children[team.parent_id].append(team.id)

    def descendants(team_id: int) -> set[int]:
        found = {team_id}
        for child in children[team_id]:
            found |= descendants(child)
        return found

    scored = [
        (entity.owner_id, *judge(entity.id))
        for entity in raw.entities.values()
        if (entity_type is None or entity.type == entity_type) and raw.exists(entity.id)
    ]
    owners: dict[Any, set[Any] | None] = {None: None} | {team.key: descendants(team.id) for team in raw.teams}
    answer = {}
    for key, members in owners.items():
        mine = [(label, s) for owner, label, s in scored if members is None or owner in members]
        present = [s for _, s in mine if s is not None]
        counts = defaultdict(int)
        for label, _ in mine:
            counts[label] += 1
        answer[key] = (
            len(mine),
            sum(present) / len(present) if present else None,
            [(label, counts[label]) for label in labels],
        )
    return answer


def flatten(rolled: RollupNode) -> dict[Any, Any]:
    found = {
        rolled.team_key: (
            rolled.entity_count,
            rolled.mean_score,
            [(b.label, b.count) for b in rolled.buckets],
        )
    }
    for child in rolled.children:
        found.update(flatten(child))
    return found


def assert_same(actual: dict[Any, Any], wanted: dict[Any, Any]) -> None:
    assert actual.keys() == wanted.keys()
    for key, (count, mean, buckets) in wanted.items():
        assert (actual[key][0], actual[key][2]) == (count, buckets), key
        assert actual[key][1] == (None if mean is None else pytest.approx(mean)), key


async def _raw(engine: AsyncEngine) -> Raw:
    raw = Raw(to_micros(AS_OF))
    async with engine.connect() as connection:
        raw.teams = list((await connection.execute(select(team_table))).all())
        for row in (await connection.execute(select(entity_table))).all():
            raw.entities[row.id] = SimpleNamespace(
                **(row._asdict() | {"created_at": to_micros(row.created_at)})
            )
        for edge in (await connection.execute(select(edge_table))).all():
            raw.out[edge.source_id, edge.kind].append(edge)
            raw.into[edge.target_id, edge.kind].append(edge)
        for value in (await connection.execute(select(metric_value_table))).all():
            raw.values[value.metric_id, value.entity_id].append((to_micros(value.observed_at), value.value))
        for definition in (await connection.execute(select(metric_definition_table))).all():
            raw.definitions[definition.key] = definition
    return raw


@pytest.fixture
async def demo(engine: AsyncEngine) -> Raw:
    await install_builtins(engine)
    await ingest(engine, record_list(list(demo_records(models=40, seed=11))))
    return await _raw(engine)


async def test_framework_rollup_matches_a_plain_recomputation(engine: AsyncEngine, demo: Raw) -> None:
    async with engine.connect() as connection:
        stored = (
            await connection.execute(
                select(metric_framework_table).where(metric_framework_table.c.key == "model_maturity")
            )
        ).one()
        rolled = await rollup(connection, "model_maturity", None, AS_OF)

    def judge(entity_id: int) -> tuple[str, float | None]:
        # An entity's score is its root's score; the framework's buckets only label it.
        score = demo.node_score(stored.root, entity_id)
        return bucket(stored.buckets, score)[0], score

    wanted = expected(demo, "ModelSource", stored.buckets, judge)
    assert_same(flatten(rolled), wanted)


@pytest.mark.parametrize(
    "metric", ["retraining_recency_days", "deployed_binary_age_days", "has_owner", "accuracy", "drift_psi"]
)
async def test_metric_rollup_matches_a_plain_recomputation(
    engine: AsyncEngine, demo: Raw, metric: str
) -> None:
    definition = demo.definitions[metric]
    async with engine.connect() as connection:
        rolled = await metric_rollup(connection, metric, None, AS_OF)
    wanted = expected(demo, definition.entity_type, definition.buckets, lambda i: demo.judge(metric, i))
    assert_same(flatten(rolled), wanted)


async def test_rollup_under_a_team_matches_its_node_in_the_whole_tree(engine: AsyncEngine, demo: Raw) -> None:
    group = next(team.key for team in demo.teams if team.key.startswith("group/"))
    async with engine.connect() as connection:
        whole = flatten(await rollup(connection, "model_maturity", None, AS_OF))
        part = flatten(await rollup(connection, "model_maturity", group, AS_OF))
    assert part == {key: whole[key] for key in part}
    assert group in part
