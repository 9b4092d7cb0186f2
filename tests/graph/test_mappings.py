"""Label mappings: validation, translation, rejection with the line, storage, and the shipped examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import IngestRejected, ingest, jsonl_bytes, jsonl_file, record_list
from graph.mappings import (
    MappingError,
    add_mapping,
    get_mapping,
    list_mappings,
    load_mapping_file,
    mapped,
    parse_mapping,
    translate,
)
from graph.models import edge_table, entity_table
from tests.graph.factories import jsonl, snapshot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC_MAPPING: dict[str, Any] = {
    "name": "trainer-x",
    "system": "trainer-x",
    "type_field": "kind",
    "types": {
        "Model": {"type": "ModelSource", "fields": {"id": "key", "title": "name", "team": "owner"}},
        "Snapshot": {
            "type": "ModelBinary",
            "fields": {"id": "key", "title": "name", "job": "run", "team": "owner"},
        },
    },
}


async def entity_types(engine: AsyncEngine) -> dict[str, tuple[str, str | None]]:
    statement = select(entity_table.c.key, entity_table.c.type, entity_table.c.system)
    async with engine.connect() as connection:
        return {key: (kind, system) for key, kind, system in await connection.execute(statement)}


def test_spec_mapping_renames_fields_and_passes_the_rest_through() -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    raw = {"kind": "Model", "id": "m/1", "title": "ranker", "purpose": "ranking", "extra": 3}
    assert translate(mapping, raw) == {
        "type": "ModelSource",
        "key": "m/1",
        "name": "ranker",
        "purpose": "ranking",
        "extra": 3,
        "system": "trainer-x",
    }


def test_system_is_filled_only_where_the_record_has_none() -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    assert translate(mapping, {"kind": "Model", "id": "m/1", "system": "mine"})["system"] == "mine"
    assert translate(mapping, {"kind": "Model", "id": "m/1", "system": None})["system"] == "trainer-x"


def test_type_field_defaults_to_type() -> None:
    mapping = parse_mapping({"name": "y", "types": {"Model": {"type": "ModelBinary"}}})
    assert mapping.type_field == "type" and mapping.system is None
    assert translate(mapping, {"type": "Model", "key": "b/1"}) == {"type": "ModelBinary", "key": "b/1"}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([], "must be a JSON object"),
        ({"types": {"A": {"type": "ModelSource"}}}, "field 'name' must be a non-empty string"),
        ({"name": "x", "types": {"A": {"type": "Model"}}}, "field 'types.A.type' must be one of"),
        ({"name": "x", "types": {}}, "must map at least one tool type"),
        ({"name": "x", "typo": 1, "types": {"A": {"type": "ModelSource"}}}, "unknown field 'typo'"),
        ({"name": "x", "types": {"A": {"type": "ModelSource", "fields": {"a": "k", "b": "k"}}}}, "'k'"),
        ({"name": "x", "types": {"A": {"type": "ModelSource", "fields": {"t": "type"}}}}, "canonical type"),
        ({"name": "x", "datasets": {"hive://": "WorkflowRun"}}, "field 'datasets.hive://' must be one of"),
    ],
)
def test_invalid_documents_are_refused_with_the_reason(document: Any, reason: str) -> None:
    with pytest.raises(MappingError) as raised:
        parse_mapping(document)
    assert reason in str(raised.value)


async def test_unlisted_tool_type_rejects_the_batch_naming_the_line(engine: AsyncEngine) -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    lines = [
        {"kind": "Model", "id": "m/1", "title": "ranker"},
        {"kind": "Dataset", "id": "d/1", "title": "d"},
    ]
    before = await snapshot(engine)
    with pytest.raises(IngestRejected) as rejected:
        await ingest(engine, mapped(jsonl_bytes(jsonl(lines)), mapping))
    assert rejected.value.location == "line 2"
    assert rejected.value.reason == (
        "mapping trainer-x does not list the kind 'Dataset' (it maps Model, Snapshot)"
    )
    assert await snapshot(engine) == before


async def test_missing_type_field_rejects_the_batch(engine: AsyncEngine) -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    with pytest.raises(IngestRejected) as rejected:
        await ingest(engine, mapped(jsonl_bytes(b'{"id": "m/1"}\n'), mapping))
    assert str(rejected.value) == "line 1: missing field 'kind' (mapping trainer-x reads the type there)"


async def test_errors_of_translated_records_keep_their_line(engine: AsyncEngine) -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    lines = [{"kind": "Model", "id": "m/1", "title": "a"}, {"kind": "Snapshot", "id": "b/1", "job": "r/9"}]
    with pytest.raises(IngestRejected) as rejected:
        await ingest(engine, mapped(jsonl_bytes(jsonl(lines)), mapping))
    assert rejected.value.location == "line 2"
    assert "name" in rejected.value.reason


async def test_invalid_json_is_rejected_by_ingest_as_usual(engine: AsyncEngine) -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    with pytest.raises(IngestRejected) as rejected:
        await ingest(engine, mapped(jsonl_bytes(b'{"kind": "Model"\n'), mapping))
    assert rejected.value.location == "line 1" and rejected.value.reason.startswith("invalid JSON")


async def test_mapped_record_lists_keep_their_locations(engine: AsyncEngine) -> None:
    mapping = parse_mapping(SPEC_MAPPING)
    records = [{"kind": "Model", "id": "m/1", "title": "a"}, {"kind": "Oops"}]
    with pytest.raises(IngestRejected) as rejected:
        await ingest(engine, mapped(record_list(records, ["records[0]", "records[1]"]), mapping))
    assert rejected.value.location == "records[1]"


async def test_add_mapping_upserts_by_name(engine: AsyncEngine) -> None:
    assert (await add_mapping(engine, SPEC_MAPPING))[1] == "created"
    assert (await add_mapping(engine, SPEC_MAPPING))[1] == "unchanged"
    changed = {**SPEC_MAPPING, "system": "trainer-x-2"}
    assert (await add_mapping(engine, changed))[1] == "updated"
    stored = await get_mapping(engine, "trainer-x")
    assert stored is not None and stored.system == "trainer-x-2" and stored.type_field == "kind"
    assert stored.types["Snapshot"].fields["job"] == "run"
    assert await get_mapping(engine, "nope") is None


async def test_list_mappings_orders_by_name(engine: AsyncEngine) -> None:
    await add_mapping(engine, load_mapping_file(EXAMPLES / "mappings" / "trainer-x.json").as_document())
    await add_mapping(engine, load_mapping_file(EXAMPLES / "mappings" / "serving-y.json").as_document())
    listed = await list_mappings(engine)
    assert [stored.mapping.name for stored in listed] == ["serving-y", "trainer-x"]
    assert listed[0].created_at <= listed[0].updated_at


def test_mapping_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x", "types": {"A": {"type": "Nope"}}}')
    with pytest.raises(MappingError) as raised:
        load_mapping_file(path)
    assert str(raised.value).startswith(f"{path}: field 'types.A.type'")


async def test_two_tools_that_both_say_model_land_on_comparable_types(engine: AsyncEngine) -> None:
    trainer = load_mapping_file(EXAMPLES / "mappings" / "trainer-x.json")
    serving = load_mapping_file(EXAMPLES / "mappings" / "serving-y.json")
    trained = await ingest(engine, mapped(jsonl_file(EXAMPLES / "trainer-x.jsonl"), trainer))
    served = await ingest(engine, mapped(jsonl_file(EXAMPLES / "serving-y.jsonl"), serving))
    assert trained.warnings == ["line 4: unknown field 'gpu_hours' kept in properties"]
    assert served.warnings == []
    assert await entity_types(engine) == {
        # trainer-x's "Model" is source code, its "Snapshot" a binary...
        "trainer-x/feed-ranker": ("ModelSource", "trainer-x"),
        "trainer-x/feed-ranker/run-42": ("WorkflowRun", "trainer-x"),
        "trainer-x/feed-ranker/v42": ("ModelBinary", "trainer-x"),
        # ...serving-y's "Model" is a binary: both tools' binaries are ModelBinary.
        "serving-y/feed-ranker-2026-10": ("ModelBinary", "serving-y"),
        "serving-y/feed-ranker-prod": ("ModelDeployment", "serving-y"),
    }
    source, target = entity_table.alias("source"), entity_table.alias("target")
    statement = (
        select(source.c.key, edge_table.c.kind, edge_table.c.role, edge_table.c.traffic_percent)
        .join(source, source.c.id == edge_table.c.source_id)
        .join(target, target.c.id == edge_table.c.target_id)
        .where(target.c.key == "serving-y/feed-ranker-prod")
        .order_by(source.c.key)
    )
    async with engine.connect() as connection:
        served_by = (await connection.execute(statement)).all()
    assert [tuple(row) for row in served_by] == [
        ("serving-y/feed-ranker-2026-10", "DEPLOYED_TO", "CONTROL", 90.0),
        ("trainer-x/feed-ranker/v42", "DEPLOYED_TO", "CANARY", 10.0),
    ]


def test_warehouse_example_types_datasets_by_the_longest_prefix() -> None:
    mapping = load_mapping_file(EXAMPLES / "mappings" / "warehouse.json")
    assert mapping.dataset_type("hive://warehouse/raw.clicks", "TrainingDataset") == "FeatureSource"
    assert mapping.dataset_type("hive://warehouse/ads.train", "TrainingDataset") == "TrainingDataset"
    assert mapping.dataset_type("s3://features/ads_v2", "ModelBinary") == "TrainingDataset"
    assert mapping.dataset_type("s3://models/ranker", "ModelBinary") == "ModelBinary"
