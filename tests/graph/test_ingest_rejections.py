"""Every bad record rejects its whole batch with its location and reason, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import IngestRejected, ingest, jsonl_bytes, record_list
from tests.graph.factories import EXAMPLE, jsonl, snapshot

BUCKETS = [{"label": "LOW", "below": 1, "score": 0}, {"label": "HIGH", "score": 1}]
DEFINITION = {
    "type": "MetricDefinition",
    "key": "m",
    "name": "M",
    "category": "MODEL",
    "entity_type": "ModelBinary",
}
FRAMEWORK_ROOT = {
    "name": "root",
    "children": [{"name": "quality", "metric": "accuracy", "via": "LATEST_BINARY"}],
}
FRAMEWORK = {
    "type": "MetricFramework",
    "key": "fw",
    "name": "F",
    "entity_type": "ModelSource",
    "buckets": BUCKETS,
}
VALID = {"type": "ModelSource", "key": "ms/new", "name": "fine"}

# (bad record, expected reason fragment); each is sent as line 2, after a valid record.
BAD_RECORDS: list[tuple[Any, str]] = [
    ({"type": "Gadget", "key": "g/1"}, "unknown record type 'Gadget'"),
    ({"key": "x/1", "name": "x"}, "missing required field 'type'"),
    ({"type": "ModelSource", "key": "ms/2"}, "missing required field 'name'"),
    ({"type": "ModelSource", "name": "no key"}, "field 'key' must be a non-empty string"),
    (
        {"type": "TrainingDataset", "key": "ds/2", "name": "d", "row_count": "ten"},
        "field 'row_count' must be an integer",
    ),
    (
        {"type": "TrainingDataset", "key": "ds/2", "name": "d", "row_count": True},
        "field 'row_count' must be an integer",
    ),
    ({"type": "TrainingDataset", "key": "ds/2", "name": "d", "row_count": 2**70}, "out of range"),
    ({"type": "ModelSource", "key": "ms/2", "name": 5}, "field 'name' must be a string"),
    ({"type": "WorkflowRun", "key": "run/2", "name": "r", "status": "DONE"}, "field 'status' must be one of"),
    (
        {"type": "ModelBinary", "key": "mb/2", "name": "b", "run": "run/99"},
        "ModelBinary mb/2 references unknown run run/99",
    ),
    (
        {"type": "ModelBinary", "key": "mb/2", "name": "b", "run": "ms/1"},
        "run ms/1 is a ModelSource, expected a WorkflowRun",
    ),
    (
        {"type": "LogicalFeature", "key": "lf/2", "name": "l", "sources": "fs/1"},
        "field 'sources' must be a list",
    ),
    ({"type": "ModelBinary", "key": "ms/1", "name": "clash"}, "key ms/1 is already used by a ModelSource"),
    (
        {"type": "ModelSource", "key": "ms/2", "name": "t", "created_at": "yesterday"},
        "not a valid ISO 8601 timestamp",
    ),
    (
        {"type": "ModelSource", "key": "ms/2", "name": "t", "created_at": "10000-01-01T00:00:00Z"},
        "not a valid ISO",
    ),
    (
        {"type": "ModelSource", "key": "ms/2", "name": "t", "created_at": 1700000000},
        "must be an ISO 8601 timestamp",
    ),
    (
        {"type": "ModelSource", "key": "ms/2", "name": "t", "owner": "team/none"},
        "unknown owner team team/none",
    ),
    ({"type": "Team", "key": "team/x", "name": "X", "parent": "org/none"}, "unknown parent team org/none"),
    ({"type": "Team", "key": "org/meta", "parent": "team/ads"}, "would be its own ancestor"),
    (
        {
            "type": "ModelDeployment",
            "key": "dep/2",
            "name": "d",
            "binaries": [{"binary": "mb/1", "traffic_percent": 101}],
        },
        "must be between 0 and 100",
    ),
    (
        {"type": "ModelDeployment", "key": "dep/2", "name": "d", "binaries": [{"traffic_percent": 1}]},
        "missing required field 'binary'",
    ),
    (
        {
            **DEFINITION,
            "buckets": [
                {"label": "A", "below": 2, "score": 0},
                {"label": "B", "below": 1, "score": 1},
                {"label": "C", "score": 1},
            ],
        },
        "buckets are not ordered",
    ),
    (
        {**DEFINITION, "buckets": [{"label": "A", "score": 0}, {"label": "B", "score": 1}]},
        "only the last bucket is open-ended",
    ),
    (
        {**DEFINITION, "buckets": [{"label": "A", "below": 1, "score": 0}, {"label": "A", "score": 1}]},
        "repeats the label",
    ),
    (
        {**DEFINITION, "buckets": [{"label": "NO_DATA", "below": 1, "score": 0}, {"label": "B", "score": 1}]},
        "reserved",
    ),
    (
        {**DEFINITION, "buckets": [{"label": "A", "below": 1, "score": 2}, {"label": "B", "score": 1}]},
        "between 0 and 1",
    ),
    ({**DEFINITION, "buckets": []}, "non-empty list of buckets"),
    ({"type": "MetricDefinition", "key": "m2", "name": "M"}, "missing required field 'category'"),
    (
        {
            "type": "MetricValue",
            "metric": "accuracy",
            "entity": "ms/1",
            "value": 1,
            "observed_at": "2026-01-01T00:00:00Z",
        },
        "metric accuracy applies to ModelBinary, but ms/1 is a ModelSource",
    ),
    (
        {
            "type": "MetricValue",
            "metric": "nope",
            "entity": "mb/1",
            "value": 1,
            "observed_at": "2026-01-01T00:00:00Z",
        },
        "unknown metric nope",
    ),
    (
        {
            "type": "MetricValue",
            "metric": "accuracy",
            "entity": "mb/1",
            "value": "high",
            "observed_at": "2026-01-01",
        },
        "field 'value' must be a number",
    ),
    (
        {"type": "MetricValue", "metric": "accuracy", "entity": "mb/1", "value": 1},
        "missing required field 'observed_at'",
    ),
    (
        {**FRAMEWORK, "root": {**FRAMEWORK_ROOT, "children": [{"name": "q", "metric": "nope"}]}},
        "unknown metric nope",
    ),
    (
        {**FRAMEWORK, "root": {**FRAMEWORK_ROOT, "children": [{"name": "q", "metric": "accuracy"}]}},
        "metric accuracy applies to ModelBinary, but via SELF reaches a ModelSource",
    ),
    (
        {
            **FRAMEWORK,
            "root": {**FRAMEWORK_ROOT, "children": [{"name": "q", "metric": "accuracy", "via": "UP"}]},
        },
        "must be one of SELF",
    ),
    ({**FRAMEWORK, "root": {**FRAMEWORK_ROOT, "aggregate": "SUM"}}, "field 'root.aggregate' must be one of"),
    ({**FRAMEWORK, "root": {**FRAMEWORK_ROOT, "weight": 0}}, "field 'root.weight' must be greater than 0"),
    (
        {
            **FRAMEWORK,
            "root": {
                **FRAMEWORK_ROOT,
                "children": [{"name": "q", "metric": "accuracy", "via": "LATEST_BINARY", "reduce": "MEDIAN"}],
            },
        },
        "must be one of WORST",
    ),
    (
        {**FRAMEWORK, "entity_type": "FeatureSource", "root": FRAMEWORK_ROOT},
        "via LATEST_BINARY leads nowhere",
    ),
    ({"type": "ModelSource", "key": "ms/2", "name": "bad\x00name"}, "NUL bytes are not allowed"),
    (
        {"type": "ModelSource", "key": "ms/2", "name": "nested", "properties": {"a": ["\x00"]}},
        "NUL bytes are not allowed",
    ),
]


@pytest.fixture
async def loaded(engine: AsyncEngine) -> AsyncEngine:
    await ingest(engine, jsonl_bytes(jsonl(EXAMPLE)))
    return engine


@pytest.mark.parametrize(("bad", "reason"), BAD_RECORDS, ids=[reason for _, reason in BAD_RECORDS])
async def test_bad_record_rejects_the_batch_and_writes_nothing(
    loaded: AsyncEngine, bad: Any, reason: str
) -> None:
    before = await snapshot(loaded)
    with pytest.raises(IngestRejected) as rejected:
        await ingest(loaded, jsonl_bytes(jsonl([VALID, bad])))
    assert rejected.value.location == "line 2"
    assert reason in rejected.value.reason
    assert await snapshot(loaded) == before


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"type": "ModelSource", "key": ', "invalid JSON"),
        (b'["ModelSource"]', "a record must be a JSON object"),
        (b'{"type":"ModelSource","key":"ms/2","name":"a\\u0000b"}', "NUL bytes are not allowed"),
        (b'{"type":"ModelSource","key":"ms/2","name":"a\x00b"}', "NUL bytes are not allowed"),
        (b'{"type":"ModelSource","key":"ms/2","name":"\xff\xfe"}', "invalid JSON"),
        (
            b'{"type":"MetricValue","metric":"accuracy","entity":"mb/1","value":1e999,"observed_at":"2026-01-01"}',
            "infinity",
        ),
    ],
)
async def test_malformed_line_is_rejected_with_its_number(
    loaded: AsyncEngine, line: bytes, reason: str
) -> None:
    before = await snapshot(loaded)
    body = jsonl([VALID]) + b"\n" + line + b"\n"
    with pytest.raises(IngestRejected) as rejected:
        await ingest(loaded, jsonl_bytes(body))
    assert rejected.value.location == "line 3"
    assert reason in rejected.value.reason
    assert await snapshot(loaded) == before


async def test_same_key_twice_with_different_content_is_rejected(engine: AsyncEngine) -> None:
    records = [VALID, {**VALID, "name": "other"}]
    with pytest.raises(
        IngestRejected,
        match=r"line 2: key ms/new appears twice in the batch with different content \(first at line 1\)",
    ):
        await ingest(engine, jsonl_bytes(jsonl(records)))
    assert (await snapshot(engine))["entity"] == []


async def test_key_used_by_two_types_in_one_batch_is_rejected(engine: AsyncEngine) -> None:
    with pytest.raises(IngestRejected, match="line 2: key ms/new appears twice"):
        await ingest(engine, jsonl_bytes(jsonl([VALID, {**VALID, "type": "ModelBinary"}])))


async def test_error_late_in_the_write_rolls_back_earlier_writes(loaded: AsyncEngine) -> None:
    """Nodes are written before edges; a dangling edge found last must still undo every node."""
    before = await snapshot(loaded)
    records = [
        *({"type": "ModelSource", "key": f"ms/bulk{i}", "name": "n"} for i in range(2500)),
        {"type": "ModelBinary", "key": "mb/late", "name": "b", "run": "run/missing"},
    ]
    with pytest.raises(
        IngestRejected, match="line 2501: ModelBinary mb/late references unknown run run/missing"
    ):
        await ingest(loaded, jsonl_bytes(jsonl(records)))
    assert await snapshot(loaded) == before


async def test_mutation_locations_name_the_record_path(engine: AsyncEngine) -> None:
    records = [VALID, {"type": "ModelBinary", "key": "mb/2", "name": "b", "run": "nope"}]
    with pytest.raises(IngestRejected) as rejected:
        await ingest(engine, record_list(records, ["modelSources[0]", "modelBinaries[0]"]))
    assert str(rejected.value) == "modelBinaries[0]: ModelBinary mb/2 references unknown run nope"


async def test_derived_metric_cannot_be_defined_or_valued(loaded: AsyncEngine) -> None:
    derived = {
        "type": "MetricDefinition",
        "key": "has_owner",
        "name": "Has owner",
        "category": "GOVERNANCE",
        "entity_type": None,
        "unit": "bool",
        "buckets": [{"label": "MISSING", "below": 0.5, "score": 0}, {"label": "PRESENT", "score": 1}],
    }
    await ingest(loaded, record_list([derived]), derived=True)
    before = await snapshot(loaded)
    with pytest.raises(IngestRejected, match="derived from the graph and cannot be redefined"):
        await ingest(loaded, record_list([{**derived, "name": "mine"}]))
    value = {
        "type": "MetricValue",
        "metric": "has_owner",
        "entity": "mb/1",
        "value": 1,
        "observed_at": "2026-01-01",
    }
    with pytest.raises(IngestRejected, match="derived from the graph and takes no values"):
        await ingest(loaded, record_list([value]))
    assert await snapshot(loaded) == before
