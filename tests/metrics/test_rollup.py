"""Rollups over the team tree, counted by hand on a small graph."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from metrics.builtin import install_builtins
from metrics.definitions import UnknownFramework, UnknownMetric, UnknownTeam
from metrics.rollup import RollupNode, metric_rollup, rollup
from tests.metrics.factory import day, definition, framework, leaf, load, node, source, team, value

AS_OF = day(40)


def _summary(rolled: RollupNode) -> dict[str | None, tuple[int, float | None, list[tuple[str, int]]]]:
    """Every node of the tree by team key: (entityCount, meanScore, buckets)."""
    found = {
        rolled.team_key: (
            rolled.entity_count,
            None if rolled.mean_score is None else round(rolled.mean_score, 6),
            [(count.label, count.count) for count in rolled.buckets],
        )
    }
    for child in rolled.children:
        found.update(_summary(child))
    return found


async def _graph(engine: AsyncEngine) -> None:
    """org/x > team/a > team/a/sq, org/x > team/b (empty), org/y (empty); q: 0.9->1, 0.5->0.5, 0.1->0."""
    await install_builtins(engine)
    await load(
        engine,
        team("org/x"),
        team("org/y"),
        team("team/a", "org/x"),
        team("team/b", "org/x"),
        team("team/a/sq", "team/a"),
        definition("q", "ModelSource"),
        source("ms/a1", "team/a"),
        source("ms/a2", "team/a"),
        source("ms/a3", "team/a"),
        source("ms/s1", "team/a/sq"),
        source("ms/s2", "team/a/sq"),
        source("ms/orphan", None),
        source("ms/late", "team/a", created=50),
        value("q", "ms/a1", 0.9),
        value("q", "ms/a2", 0.5),
        value("q", "ms/a3", 0.9, observed=60),
        value("q", "ms/s1", 0.1),
        value("q", "ms/orphan", 0.9),
        value("q", "ms/late", 0.1, observed=50),
        framework("f", node("root", leaf("q", "q", weight=2), leaf("owned", "has_owner"))),
    )


async def test_metric_rollup_counts_every_team_and_the_ownerless_root(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        rolled = await metric_rollup(connection, "q", None, AS_OF)
    assert rolled.team_id is None
    assert [child.team_key for child in rolled.children] == ["org/x", "org/y"]
    assert _summary(rolled) == {
        # ms/late does not exist yet; ms/a3's only value is observed after asOf (NO_DATA).
        None: (6, 0.625, [("LOW", 1), ("MID", 1), ("HIGH", 2), ("NO_DATA", 2)]),
        "org/x": (5, 0.5, [("LOW", 1), ("MID", 1), ("HIGH", 1), ("NO_DATA", 2)]),
        "team/a": (5, 0.5, [("LOW", 1), ("MID", 1), ("HIGH", 1), ("NO_DATA", 2)]),
        "team/a/sq": (2, 0.0, [("LOW", 1), ("MID", 0), ("HIGH", 0), ("NO_DATA", 1)]),
        "team/b": (0, None, [("LOW", 0), ("MID", 0), ("HIGH", 0), ("NO_DATA", 0)]),
        "org/y": (0, None, [("LOW", 0), ("MID", 0), ("HIGH", 0), ("NO_DATA", 0)]),
    }


async def test_framework_rollup_scores_every_entity_by_the_tree(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        rolled = await rollup(connection, "f", None, AS_OF)
    # (2*q + owned) / 3 over the leaves with data: a1 1, a2 2/3, a3 1, s1 1/3, s2 1, orphan 2/3.
    summary = _summary(rolled)
    assert summary[None] == (6, round(14 / 3 / 6, 6), [("POOR", 1), ("FAIR", 2), ("GOOD", 3), ("NO_DATA", 0)])
    assert summary["team/a/sq"] == (
        2,
        round(4 / 3 / 2, 6),
        [("POOR", 1), ("FAIR", 0), ("GOOD", 1), ("NO_DATA", 0)],
    )
    assert summary["team/b"] == (0, None, [("POOR", 0), ("FAIR", 0), ("GOOD", 0), ("NO_DATA", 0)])


async def test_under_picks_the_subtree(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        rolled = await metric_rollup(connection, "q", "team/a", AS_OF)
    assert (rolled.team_key, rolled.entity_count) == ("team/a", 5)
    assert [(child.team_key, child.entity_count, child.children) for child in rolled.children] == [
        ("team/a/sq", 2, [])
    ]


async def test_as_of_later_counts_later_entities_and_values(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        rolled = await metric_rollup(connection, "q", "team/a", day(60))
    assert _summary(rolled)["team/a"] == (6, 0.5, [("LOW", 2), ("MID", 1), ("HIGH", 2), ("NO_DATA", 1)])


async def test_as_of_before_creation_counts_nothing(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        rolled = await rollup(connection, "f", None, day(-1))
    assert all(count == 0 for count, _, _ in _summary(rolled).values())


async def test_a_metric_of_every_type_counts_every_entity(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        rolled = await metric_rollup(connection, "has_owner", None, AS_OF)
    assert _summary(rolled)[None] == (6, round(5 / 6, 6), [("MISSING", 1), ("PRESENT", 5), ("NO_DATA", 0)])


async def test_unknown_names_are_errors_naming_them(engine: AsyncEngine) -> None:
    await _graph(engine)
    async with engine.connect() as connection:
        with pytest.raises(UnknownTeam, match="team/nope"):
            await rollup(connection, "f", "team/nope", AS_OF)
        with pytest.raises(UnknownFramework, match="nope"):
            await rollup(connection, "nope", None, AS_OF)
        with pytest.raises(UnknownMetric, match="nope"):
            await metric_rollup(connection, "nope", None, AS_OF)
