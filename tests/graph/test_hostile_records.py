"""Records built to hurt the store are refused with a reason before anything is written."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.ingest import MAX_RECORD_BYTES, IngestRejected, ingest, jsonl_bytes, record_list
from tests.graph.factories import snapshot

# Three bytes each in UTF-8: 400 of them fit in 1024 characters but not in 1024 bytes.
WIDE = "索" * 400


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"type": "ModelSource", "key": WIDE, "name": "x"}, "field 'key' is longer than 1024 bytes"),
        ({"type": "Team", "key": WIDE, "name": "x"}, "field 'key' is longer than 1024 bytes"),
        ({"type": "ModelSource", "key": "ms/1", "name": WIDE}, "field 'name' is longer than 1024 bytes"),
    ],
)
async def test_keys_and_names_too_wide_to_index_are_refused(
    engine: AsyncEngine, record: dict[str, str], reason: str
) -> None:
    before = await snapshot(engine)
    with pytest.raises(IngestRejected, match=reason):
        await ingest(engine, record_list([{"type": "ModelSource", "key": "ms/0", "name": "ok"}, record]))
    assert await snapshot(engine) == before


async def test_a_line_over_the_record_limit_is_refused_unparsed(engine: AsyncEngine) -> None:
    before = await snapshot(engine)
    line = b'{"type":"ModelSource","key":"ms/1","name":"x","blob":"' + b"a" * MAX_RECORD_BYTES + b'"}'
    with pytest.raises(IngestRejected, match=r"line 2: a record is limited to 1048576 bytes"):
        await ingest(engine, jsonl_bytes(b'{"type":"ModelSource","key":"ms/0","name":"ok"}\n' + line))
    assert await snapshot(engine) == before
