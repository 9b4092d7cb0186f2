"""Derived metrics: computed from the graph, in fractional days as of asOf, null with nothing to measure."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.models import entity_table
from metrics.builtin import install_builtins
from metrics.values import MetricResult, entity_metrics
from tests.metrics.factory import binary, day, deployment, load, run, source, team


async def _result(engine: AsyncEngine, key: str, metric: str, as_of_day: float) -> MetricResult:
    async with engine.connect() as connection:
        query = select(entity_table.c.id).where(entity_table.c.key == key)
        entity_id = (await connection.execute(query)).scalar_one()
        results = await entity_metrics(connection, [entity_id], [metric], as_of=day(as_of_day))
    (result,) = results[entity_id]
    return result


async def _graph(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await load(
        engine,
        team("team/a"),
        source("ms/1", created=0),
        source("ms/empty", created=0),
        source("ms/orphan", owner=None, created=0),
        run("run/1", "ms/1", created=1),
        run("run/2", "ms/1", created=20),
        binary("mb/old", "run/1", created=2),
        binary("mb/new", "run/2", created=20.25),
        deployment("dep/1", [("mb/old", "CONTROL"), ("mb/new", "CANARY")], created=3),
        deployment("dep/canary", [("mb/new", "CANARY")], created=3),
    )


async def test_retraining_recency_is_fractional_days_since_the_newest_binary(engine: AsyncEngine) -> None:
    await _graph(engine)
    result = await _result(engine, "ms/1", "retraining_recency_days", 30.75)
    assert result.value == pytest.approx(10.5)
    assert (result.bucket, result.score, result.observed_at) == ("FRESH", 1.0, day(30.75))


async def test_retraining_recency_ignores_binaries_created_after_as_of(engine: AsyncEngine) -> None:
    await _graph(engine)
    result = await _result(engine, "ms/1", "retraining_recency_days", 20)
    assert result.value == pytest.approx(18.0)


async def test_retraining_recency_is_null_without_binaries(engine: AsyncEngine) -> None:
    await _graph(engine)
    result = await _result(engine, "ms/empty", "retraining_recency_days", 30)
    assert (result.value, result.bucket, result.score, result.observed_at) == (None, None, None, None)


async def test_retraining_recency_buckets_age_into_aging_and_stale(engine: AsyncEngine) -> None:
    await _graph(engine)
    aging = await _result(engine, "ms/1", "retraining_recency_days", 20.25 + 45)
    stale = await _result(engine, "ms/1", "retraining_recency_days", 20.25 + 90)
    assert (aging.bucket, aging.score, stale.bucket, stale.score) == ("AGING", 0.5, "STALE", 0.0)


async def test_deployed_binary_age_counts_only_control_traffic(engine: AsyncEngine) -> None:
    await _graph(engine)
    result = await _result(engine, "dep/1", "deployed_binary_age_days", 32)
    assert result.value == pytest.approx(30.0)
    assert (result.bucket, result.score) == ("AGING", 0.5)


async def test_deployed_binary_age_is_null_without_a_control_binary(engine: AsyncEngine) -> None:
    await _graph(engine)
    assert (await _result(engine, "dep/canary", "deployed_binary_age_days", 32)).value is None


async def test_has_owner_applies_to_every_type(engine: AsyncEngine) -> None:
    await _graph(engine)
    owned = [await _result(engine, key, "has_owner", 30) for key in ("ms/1", "run/1", "mb/old", "dep/1")]
    assert [(r.value, r.bucket, r.score) for r in owned] == [(1.0, "PRESENT", 1.0)] * 4
    orphan = await _result(engine, "ms/orphan", "has_owner", 30)
    assert (orphan.value, orphan.bucket, orphan.score) == (0.0, "MISSING", 0.0)
