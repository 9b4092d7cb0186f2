"""Entity.metrics: the latest value at or before asOf, bucketed, for many entities at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.models import entity_table
from metrics.buckets import bucket_of, label_case, parse_buckets, score_case
from metrics.builtin import install_builtins
from metrics.definitions import UnknownMetric
from metrics.values import MetricResult, entity_metrics
from tests.metrics.factory import THIRDS, binary, day, definition, load, run, source, team, value


async def _ids(engine: AsyncEngine, *keys: str) -> list[int]:
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(entity_table.c.key, entity_table.c.id).where(entity_table.c.key.in_(keys))
            )
        ).all()
    found = {row.key: row.id for row in rows}
    return [found[key] for key in keys]


async def _metrics(
    engine: AsyncEngine, key: str, *args: object, **options: object
) -> dict[str, MetricResult]:
    (entity_id,) = await _ids(engine, key)
    async with engine.connect() as connection:
        results = await entity_metrics(connection, [entity_id], *args, **options)  # type: ignore[arg-type]
    return {result.definition.key: result for result in results[entity_id]}


async def _graph(engine: AsyncEngine) -> None:
    await install_builtins(engine)
    await load(
        engine,
        team("team/a"),
        source("ms/1", created=0),
        run("run/1", "ms/1", created=1),
        binary("mb/1", "run/1", created=2),
        definition("quality", "ModelSource"),
        value("quality", "ms/1", 0.1, observed=1),
        value("quality", "ms/1", 0.5, observed=5),
        value("quality", "ms/1", 0.9, observed=9),
    )


def test_a_value_falls_in_the_first_bucket_whose_below_it_is_under() -> None:
    buckets = parse_buckets(THIRDS)
    assert [bucket_of(buckets, v).label for v in (0.0, 0.2499, 0.25, 0.7499, 0.75, 7.0)] == [  # type: ignore[union-attr]
        "LOW",
        "LOW",
        "MID",
        "MID",
        "HIGH",
        "HIGH",
    ]
    assert bucket_of(buckets, None) is None


async def test_sql_buckets_agree_with_python_on_the_boundaries(engine: AsyncEngine) -> None:
    from sqlalchemy import Float, literal, null

    buckets = parse_buckets(THIRDS)
    samples = [0.0, 0.2499, 0.25, 0.7499, 0.75, 7.0]
    async with engine.connect() as connection:
        for sample in samples:
            row = (
                await connection.execute(
                    select(
                        score_case(buckets, literal(sample, Float)),
                        label_case(buckets, literal(sample, Float)),
                    )
                )
            ).one()
            expected = bucket_of(buckets, sample)
            assert expected is not None and tuple(row) == (expected.score, expected.label)
        empty = (await connection.execute(select(label_case(buckets, null(), no_data=True)))).scalar_one()
    assert empty == "NO_DATA"


async def test_latest_value_at_or_before_as_of_wins(engine: AsyncEngine) -> None:
    await _graph(engine)
    result = (await _metrics(engine, "ms/1", ["quality"], None, day(5)))["quality"]
    assert (result.value, result.bucket, result.score, result.observed_at) == (0.5, "MID", 0.5, day(5))


async def test_values_observed_after_as_of_are_ignored(engine: AsyncEngine) -> None:
    await _graph(engine)
    assert (await _metrics(engine, "ms/1", ["quality"], None, day(4.9)))["quality"].value == 0.1
    assert (await _metrics(engine, "ms/1", ["quality"], None, day(0.5)))["quality"].value is None


async def test_no_data_is_a_result_with_null_value(engine: AsyncEngine) -> None:
    await _graph(engine)
    await load(engine, source("ms/2", created=0))
    result = (await _metrics(engine, "ms/2", ["quality"], None, day(10)))["quality"]
    assert (result.value, result.bucket, result.score, result.observed_at) == (None, None, None, None)


async def test_an_entity_created_after_as_of_has_no_data(engine: AsyncEngine) -> None:
    await _graph(engine)
    results = await _metrics(engine, "mb/1", ["has_owner"], None, day(1))
    assert results["has_owner"].value is None


async def test_without_keys_every_applicable_definition_is_returned(engine: AsyncEngine) -> None:
    await _graph(engine)
    assert sorted(await _metrics(engine, "ms/1", None, None, day(10))) == [
        "has_owner",
        "quality",
        "retraining_recency_days",
    ]
    assert sorted(await _metrics(engine, "mb/1", None, None, day(10))) == ["accuracy", "has_owner"]


async def test_category_narrows_the_definitions(engine: AsyncEngine) -> None:
    await _graph(engine)
    assert sorted(await _metrics(engine, "ms/1", None, "GOVERNANCE", day(10))) == [
        "has_owner",
        "retraining_recency_days",
    ]


async def test_requested_keys_that_do_not_apply_to_the_type_are_left_out(engine: AsyncEngine) -> None:
    await _graph(engine)
    assert list(await _metrics(engine, "mb/1", ["quality", "accuracy"], None, day(10))) == ["accuracy"]


async def test_an_unknown_key_is_an_error_naming_it(engine: AsyncEngine) -> None:
    await _graph(engine)
    with pytest.raises(UnknownMetric, match="no_such_metric"):
        await _metrics(engine, "ms/1", ["quality", "no_such_metric"], None, day(10))


async def test_many_entities_are_answered_together(engine: AsyncEngine) -> None:
    await _graph(engine)
    ids = await _ids(engine, "ms/1", "run/1", "mb/1")
    async with engine.connect() as connection:
        results = await entity_metrics(connection, ids, ["has_owner"], None, day(10))
    assert {entity_id: [r.value for r in answers] for entity_id, answers in results.items()} == {
        entity_id: [1.0] for entity_id in ids
    }
