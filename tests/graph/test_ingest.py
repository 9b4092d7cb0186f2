"""Ingest: counts, idempotence, merging updates, edge replacement, forward references."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.batch import Batch, validate
from graph.ingest import delete_entities, ingest, jsonl_bytes, record_list
from graph.models import edge_table, entity_table, metric_value_table, team_table
from tests.graph.factories import EXAMPLE, jsonl, snapshot


async def edges(engine: AsyncEngine) -> set[tuple[str, str, str]]:
    source = entity_table.alias("source")
    target = entity_table.alias("target")
    statement = (
        select(source.c.key, edge_table.c.kind, target.c.key)
        .join(source, source.c.id == edge_table.c.source_id)
        .join(target, target.c.id == edge_table.c.target_id)
    )
    async with engine.connect() as connection:
        return set(await connection.execute(statement))


async def entity(engine: AsyncEngine, key: str) -> dict[str, Any]:
    async with engine.connect() as connection:
        row = (
            (await connection.execute(select(entity_table).where(entity_table.c.key == key))).mappings().one()
        )
        return dict(row)


async def test_spec_example_creates_every_record(engine: AsyncEngine) -> None:
    summary = await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    assert summary.created == 12 and summary.updated == 0 and summary.unchanged == 0
    assert summary.of("FeatureSource").created == 2
    assert summary.of("Team").created == 2
    assert await edges(engine) == {
        ("dep/1", "LOGS", "fs/2"),
        ("fs/1", "FEEDS", "lf/1"),
        ("lf/1", "COMPOSES", "ds/1"),
        ("ds/1", "TRAINS", "run/1"),
        ("ms/1", "EXECUTES", "run/1"),
        ("run/1", "PRODUCES", "mb/1"),
        ("mb/1", "DEPLOYED_TO", "dep/1"),
    }
    fs1 = await entity(engine, "fs/1")
    assert fs1["kind"] == "TABLE" and fs1["uri"] == "hive://w/clicks"
    assert fs1["created_at"].isoformat() == "2026-01-02T03:04:05+00:00"


async def test_resending_a_batch_changes_nothing(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    before = await snapshot(engine)
    summary = await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    assert summary.unchanged == 12 and summary.created == 0 and summary.updated == 0
    assert await snapshot(engine) == before


async def test_update_merges_present_fields_and_keeps_absent_ones(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    before = await entity(engine, "fs/1")
    summary = await ingest(
        engine, record_list([{"type": "FeatureSource", "key": "fs/1", "uri": None, "kind": "STREAM"}])
    )
    assert summary.of("FeatureSource").updated == 1
    after = await entity(engine, "fs/1")
    assert after["uri"] is None and after["kind"] == "STREAM"
    assert after["name"] == "clicks" and after["owner_id"] == before["owner_id"]
    assert after["created_at"] == before["created_at"] and after["updated_at"] > before["updated_at"]


async def test_null_owner_clears_it(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    await ingest(engine, record_list([{"type": "ModelSource", "key": "ms/1", "owner": None}]))
    assert (await entity(engine, "ms/1"))["owner_id"] is None


async def test_reference_list_replaces_upstream_edges_of_its_kind(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    before = await entity(engine, "lf/1")
    summary = await ingest(
        engine, record_list([{"type": "LogicalFeature", "key": "lf/1", "sources": ["fs/2"]}])
    )
    assert summary.of("LogicalFeature").updated == 1
    found = await edges(engine)
    assert ("fs/2", "FEEDS", "lf/1") in found and ("fs/1", "FEEDS", "lf/1") not in found
    assert ("lf/1", "COMPOSES", "ds/1") in found
    assert (await entity(engine, "lf/1"))["updated_at"] > before["updated_at"]


async def test_absent_reference_list_leaves_edges(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    await ingest(engine, record_list([{"type": "WorkflowRun", "key": "run/1", "status": "FAILED"}]))
    found = await edges(engine)
    assert ("ms/1", "EXECUTES", "run/1") in found and ("ds/1", "TRAINS", "run/1") in found


async def test_null_single_reference_removes_the_edge(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    await ingest(engine, record_list([{"type": "ModelBinary", "key": "mb/1", "run": None}]))
    assert ("run/1", "PRODUCES", "mb/1") not in await edges(engine)


async def test_traffic_change_updates_the_deployment(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    record = {
        "type": "ModelDeployment",
        "key": "dep/1",
        "binaries": [{"binary": "mb/1", "traffic_percent": 10, "role": "CANARY"}],
    }
    summary = await ingest(engine, record_list([record]))
    assert summary.of("ModelDeployment").updated == 1
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(edge_table.c.traffic_percent, edge_table.c.role).where(
                    edge_table.c.kind == "DEPLOYED_TO"
                )
            )
        ).one()
    assert tuple(row) == (10.0, "CANARY")


async def test_deployment_entry_role_defaults_to_control(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    await ingest(
        engine,
        record_list(
            [{"type": "ModelDeployment", "key": "dep/2", "name": "d2", "binaries": [{"binary": "mb/1"}]}]
        ),
    )
    async with engine.connect() as connection:
        roles = (
            (await connection.execute(select(edge_table.c.role).where(edge_table.c.kind == "DEPLOYED_TO")))
            .scalars()
            .all()
        )
    assert roles == ["CONTROL", "CONTROL"]


async def test_references_may_point_forward_in_the_batch(engine: AsyncEngine) -> None:
    forward = list(reversed(EXAMPLE))
    summary = await ingest(engine, jsonl_bytes(jsonl(forward)))
    assert summary.created == 12
    assert len(await edges(engine)) == 7


async def test_identical_duplicate_in_a_batch_counts_once(engine: AsyncEngine) -> None:
    summary = await ingest(engine, jsonl_bytes(jsonl([*EXAMPLE, EXAMPLE[2]])))
    assert summary.of("FeatureSource").created == 2


async def test_unknown_fields_are_kept_in_properties_with_a_warning(engine: AsyncEngine) -> None:
    record = {"type": "ModelSource", "key": "ms/9", "name": "x", "colour": "red", "properties": {"tier": 1}}
    summary = await ingest(engine, record_list([record], ["modelSources[0]"]))
    assert summary.warnings == ["modelSources[0]: unknown field 'colour' kept in properties"]
    assert (await entity(engine, "ms/9"))["properties"] == {"tier": 1, "colour": "red"}


async def test_created_at_defaults_to_first_ingest_time(engine: AsyncEngine) -> None:
    await ingest(engine, record_list([{"type": "ModelSource", "key": "ms/9", "name": "x"}]))
    first = await entity(engine, "ms/9")
    await ingest(engine, record_list([{"type": "ModelSource", "key": "ms/9", "name": "y"}]))
    second = await entity(engine, "ms/9")
    assert first["created_at"] == first["updated_at"] == second["created_at"] < second["updated_at"]


async def test_metric_value_history_is_kept_and_value_updates(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    later = {
        "type": "MetricValue",
        "metric": "accuracy",
        "entity": "mb/1",
        "value": 0.7,
        "observed_at": "2026-10-02T00:00:00Z",
    }
    changed = {**EXAMPLE[-1], "value": 0.95}
    summary = await ingest(engine, record_list([later, changed]))
    assert summary.of("MetricValue").created == 1 and summary.of("MetricValue").updated == 1
    async with engine.connect() as connection:
        values = sorted((await connection.execute(select(metric_value_table.c.value))).scalars())
    assert values == [0.7, 0.95]


async def test_team_parent_update_and_timestamps_with_offsets(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    await ingest(
        engine,
        record_list(
            [
                {"type": "Team", "key": "org/other", "name": "Other"},
                {"type": "Team", "key": "team/ads", "parent": "org/other"},
                {"type": "ModelSource", "key": "ms/1", "created_at": "2026-01-01T02:00:00+02:00"},
            ]
        ),
    )
    assert (await entity(engine, "ms/1"))["created_at"].isoformat() == "2026-01-01T00:00:00+00:00"


async def test_delete_removes_entities_edges_and_values(engine: AsyncEngine) -> None:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    deleted = await delete_entities(engine, ["nope", "mb/1", "ms/1"])
    assert deleted == [("mb/1", "ModelBinary"), ("ms/1", "ModelSource")]
    assert not any("mb/1" in (source, target) for source, _, target in await edges(engine))
    async with engine.connect() as connection:
        assert (await connection.execute(select(metric_value_table))).all() == []


async def test_team_created_at_is_kept_from_the_record(engine: AsyncEngine) -> None:
    team = {"type": "Team", "key": "org/x", "name": "X", "created_at": "2025-05-05T00:00:00Z"}
    await ingest(engine, record_list([team]))
    summary = await ingest(engine, record_list([team]))
    assert summary.of("Team").unchanged == 1
    async with engine.connect() as connection:
        created = (await connection.execute(select(team_table.c.created_at))).scalar_one()
    assert created.isoformat() == "2025-05-05T00:00:00+00:00"


async def test_properties_keep_integers_beyond_64_bits(engine: AsyncEngine) -> None:
    record = {"type": "ModelSource", "key": "ms/big", "name": "big", "properties": {"seed": 2**70}}
    await ingest(engine, record_list([record]))
    assert (await entity(engine, "ms/big"))["properties"] == {"seed": 2**70}


def test_a_batch_keeps_each_metric_and_entity_key_once_however_many_values() -> None:
    lines = [
        f'{{"type":"MetricValue","metric":"accuracy","entity":"mb/1","value":{n},'
        f'"observed_at":"2026-01-0{n + 1}T00:00:00Z"}}'
        for n in range(3)
    ]
    batch = Batch(jsonl_bytes("\n".join(lines).encode()), False)
    validate(batch, None)
    identities = list(batch.values)
    assert len(identities) == 3
    # Parsed from three lines, the strings are three objects until the batch keeps them.
    assert all(identity[0] is identities[0][0] and identity[1] is identities[0][1] for identity in identities)
