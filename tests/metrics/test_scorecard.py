"""Scorecards, scored by hand; every score is also checked against the set-based SQL of rollups."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from metrics.builtin import install_builtins
from metrics.definitions import MetricsError, UnknownEntity, UnknownFramework
from metrics.scorecard import ScoreNode, scorecard
from tests.metrics.factory import (
    Record,
    binary,
    day,
    definition,
    deployment,
    framework,
    leaf,
    load,
    node,
    run,
    source,
    sql_score,
    team,
    value,
)

NOW = day(100)


async def _card(engine: AsyncEngine, key: str = "ms/1", name: str = "f", as_of: datetime = NOW) -> ScoreNode:
    async with engine.connect() as connection:
        card = await scorecard(connection, key, name, as_of)
    assert card is not None
    # Rollups score every entity in SQL; they must agree with the scorecard.
    assert await sql_score(engine, name, key, as_of) == pytest.approx(card.score)
    return card


def _child(card: ScoreNode, name: str) -> ScoreNode:
    return next(child for child in card.children if child.name == name)


async def _graph(engine: AsyncEngine, root: Record) -> None:
    """ms/1 with three binaries (0.95 -> 1, 0.85 -> 0.5, 0.1 -> 0) and two deployments."""
    await install_builtins(engine)
    await load(
        engine,
        team("team/a"),
        definition("q", "ModelSource"),
        definition("r", "ModelSource"),
        definition("none", "ModelSource"),
        definition("acc", "ModelBinary"),
        definition("psi", "ModelDeployment"),
        source("ms/1"),
        run("run/1", "ms/1", created=1),
        binary("mb/1", "run/1", created=10),
        binary("mb/2", "run/1", created=20),
        binary("mb/3", "run/1", created=30),
        deployment("dep/1", [("mb/1", "CONTROL")], created=11),
        deployment("dep/2", [("mb/3", "CONTROL")], created=31),
        value("q", "ms/1", 0.9),
        value("r", "ms/1", 0.1),
        value("acc", "mb/1", 0.95, observed=10),
        value("acc", "mb/2", 0.5, observed=20),
        value("acc", "mb/3", 0.1, observed=30),
        value("psi", "dep/1", 0.9, observed=12),
        value("psi", "dep/2", 0.5, observed=32),
        framework("f", root),
    )


async def test_mean_is_weighted(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("q", "q", weight=3), leaf("r", "r")))
    card = await _card(engine)
    assert (card.score, card.bucket) == (0.75, "FAIR")
    assert [(child.name, child.weight, child.score, child.bucket) for child in card.children] == [
        ("q", 3.0, 1.0, "GOOD"),
        ("r", 1.0, 0.0, "POOR"),
    ]
    assert _child(card, "q").metric.value == 0.9  # type: ignore[union-attr]


@pytest.mark.parametrize(("aggregate", "expected"), [("MIN", 0.0), ("MAX", 1.0)])
async def test_min_and_max_pick_among_children(engine: AsyncEngine, aggregate: str, expected: float) -> None:
    inner = node("inner", leaf("q", "q"), leaf("r", "r"), leaf("none", "none"), aggregate=aggregate)
    await _graph(engine, node("root", inner))
    card = await _card(engine)
    assert (_child(card, "inner").score, card.score) == (expected, expected)


async def test_a_leaf_without_data_does_not_drag_its_parent_down(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("q", "q"), leaf("none", "none", weight=5)))
    card = await _card(engine)
    assert _child(card, "none").score is None and _child(card, "none").bucket is None
    assert _child(card, "none").metric.value is None  # type: ignore[union-attr]
    assert card.score == 1.0


async def test_an_inner_node_without_data_is_null_and_skipped(engine: AsyncEngine) -> None:
    empty = node("empty", leaf("none", "none"), aggregate="MIN")
    await _graph(engine, node("root", leaf("r", "r"), empty, node("nested", empty, leaf("q", "q"))))
    card = await _card(engine)
    assert _child(card, "empty").score is None
    assert _child(card, "nested").score == 1.0
    assert card.score == 0.5


async def test_a_tree_with_no_data_at_all_scores_null(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("none", "none")))
    card = await _card(engine)
    assert (card.score, card.bucket) == (None, None)


async def test_worst_reports_the_worst_reached_entity(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("acc", "acc", via="BINARIES", reduce="WORST")))
    metric = _child(await _card(engine), "acc").metric
    assert metric is not None and (metric.value, metric.score, metric.observed_at) == (0.1, 0.0, day(30))


async def test_best_reports_the_best_reached_entity(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("acc", "acc", via="BINARIES", reduce="BEST")))
    card = await _card(engine)
    metric = _child(card, "acc").metric
    assert metric is not None and (metric.value, metric.score, metric.bucket) == (0.95, 1.0, "HIGH")
    assert card.score == 1.0


async def test_mean_reports_the_mean_value_and_mean_score(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("acc", "acc", via="BINARIES", reduce="MEAN")))
    card = await _card(engine)
    metric = _child(card, "acc").metric
    assert metric is not None
    assert metric.value == pytest.approx((0.95 + 0.5 + 0.1) / 3)
    assert metric.score == pytest.approx(0.5)
    assert metric.bucket == "MID"
    assert card.score == pytest.approx(0.5)


async def test_via_deployments_reaches_deployments_of_every_binary(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("psi", "psi", via="DEPLOYMENTS", reduce="MEAN")))
    # dep/1 serves mb/1 (0.9 -> 1), dep/2 serves mb/3 (0.5 -> 0.5).
    assert (await _card(engine)).score == pytest.approx(0.75)


async def test_latest_binary_is_the_newest_one_existing_at_as_of(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("acc", "acc", via="LATEST_BINARY")))
    assert _child(await _card(engine), "acc").metric.value == 0.1  # type: ignore[union-attr]
    assert _child(await _card(engine, as_of=day(25)), "acc").metric.value == 0.5  # type: ignore[union-attr]


async def test_latest_binary_ties_go_to_the_greatest_key(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("acc", "acc", via="LATEST_BINARY")))
    await load(engine, binary("mb/9", "run/1", created=30), value("acc", "mb/9", 0.95, observed=30))
    card = await _card(engine)
    assert _child(card, "acc").metric.value == 0.95  # type: ignore[union-attr]
    await load(engine, binary("mb/0", "run/1", created=30), value("acc", "mb/0", 0.5, observed=30))
    assert (await _card(engine)).score == 1.0


async def test_reached_entities_created_after_as_of_do_not_count(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("acc", "acc", via="BINARIES", reduce="WORST")))
    metric = _child(await _card(engine, as_of=day(25)), "acc").metric
    assert metric is not None and metric.value == 0.5


async def test_an_entity_created_after_as_of_has_no_scorecard(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("q", "q")))
    await load(engine, source("ms/late", created=50))
    async with engine.connect() as connection:
        assert await scorecard(connection, "ms/late", "f", day(49)) is None


async def test_default_framework_on_a_model_source(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("q", "q")))
    await load(
        engine,
        value("accuracy", "mb/3", 0.85, observed=30),
        value("drift_psi", "dep/1", 0.3, observed=40),
        value("drift_psi", "dep/2", 0.05, observed=40),
    )
    card = await _card(engine, name="model_maturity", as_of=day(45))
    scores = {child.name: child.score for child in card.children}
    # freshness: 15 days since mb/3 (weight 2); quality FAIR; drift: the worst deployment DRIFTED.
    assert scores == {"freshness": 1.0, "quality": 0.5, "drift": 0.0, "governance": 1.0}
    assert card.score == pytest.approx((2 * 1 + 0.5 + 0 + 1) / 5)
    assert card.bucket == "FAIR"


async def test_unknown_names_are_errors_naming_them(engine: AsyncEngine) -> None:
    await _graph(engine, node("root", leaf("q", "q")))
    async with engine.connect() as connection:
        with pytest.raises(UnknownEntity, match="ms/nope"):
            await scorecard(connection, "ms/nope", "f", NOW)
        with pytest.raises(UnknownFramework, match="nope"):
            await scorecard(connection, "ms/1", "nope", NOW)
        with pytest.raises(MetricsError, match="ModelBinary"):
            await scorecard(connection, "mb/1", "f", NOW)
