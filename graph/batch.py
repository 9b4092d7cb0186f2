"""A batch in memory: its records parsed and checked, indexed by identity, and what it has done.

The first pass over a source fills a `Batch`; the write passes (graph.ingest_nodes,
graph.ingest_links) read its records again and count into its summary.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from graph import vocabulary as vocab
from graph.metric_records import parse_definition, parse_framework
from graph.records import (
    DefinitionRecord,
    EntityRecord,
    FrameworkRecord,
    Record,
    RecordError,
    TeamRecord,
    ValueRecord,
    parse_entity,
    parse_team,
    parse_value,
)
from graph.sources import BatchSource
from graph.timestamps import now

RECORD_TYPES = ("Team", *vocab.ENTITY_TYPES, "MetricDefinition", "MetricValue", "MetricFramework")
# Batches up to this many records are parsed once and replayed; larger ones are streamed again.
REPLAY_LIMIT = 200_000
MAX_WARNINGS = 100
VALUE_FIELDS = frozenset({"type", "metric", "entity", "value", "observed_at"})
# One record is metadata, not content: a line beyond this is refused before it is parsed.
MAX_RECORD_BYTES = 1024 * 1024


class IngestRejected(Exception):
    """A batch was refused; nothing of it was written. `location` is 'line 12' or 'modelBinaries[2]'."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


@dataclass(slots=True)
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class IngestSummary:
    """What a batch did, per record type."""

    counts: dict[str, TypeCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    records: int = 0

    def of(self, record_type: str) -> TypeCounts:
        counts = self.counts.get(record_type)
        if counts is None:
            counts = self.counts[record_type] = TypeCounts()
        return counts

    @property
    def created(self) -> int:
        return sum(counts.created for counts in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(counts.unchanged for counts in self.counts.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "types": {
                name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
                for name, c in sorted(self.counts.items())
            },
            "warnings": self.warnings,
        }


Progress = Callable[[int], None]
Named = TypeVar("Named", TeamRecord, DefinitionRecord, FrameworkRecord)


@dataclass
class Batch:
    """Everything the write passes need to know about a validated batch."""

    source: BatchSource
    derived: bool
    summary: IngestSummary = field(default_factory=IngestSummary)
    started: Any = field(default_factory=now)
    # Entity key -> (type, location of its first record); a later identical record is skipped.
    entities: dict[str, tuple[str, str]] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)
    values: dict[tuple[str, str, int], tuple[float, str]] = field(default_factory=dict)
    teams: dict[str, tuple[TeamRecord, str]] = field(default_factory=dict)
    definitions: dict[str, tuple[DefinitionRecord, str]] = field(default_factory=dict)
    frameworks: dict[str, tuple[FrameworkRecord, str]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)
    # The database id of every entity of the batch, once its nodes are written.
    ids: dict[str, int] = field(default_factory=dict)
    replay: list[tuple[str, Record]] | None = field(default_factory=list)

    def records(self) -> Iterator[tuple[str, Record]]:
        """Entity and value records to write, first occurrences only."""
        stream = self.replay if self.replay is not None else _parsed(self.source, self, indexing=False)
        for location, record in stream:
            if isinstance(record, EntityRecord):
                if self.entities[record.key][1] == location:
                    yield location, record
            elif isinstance(record, ValueRecord):
                identity = (record.metric, record.entity, record.observed_micros)
                if self.values[identity][1] == location:
                    yield location, record

    def warn(self, location: str, message: str) -> None:
        if len(self.summary.warnings) < MAX_WARNINGS:
            self.summary.warnings.append(f"{location}: {message}")
        elif len(self.summary.warnings) == MAX_WARNINGS:
            self.summary.warnings.append("further warnings omitted")


def validate(batch: Batch, progress: Progress | None) -> None:
    for count, (location, record) in enumerate(_parsed(batch.source, batch, indexing=True), start=1):
        batch.summary.records = count
        if batch.replay is not None:
            batch.replay.append((location, record))
            if count > REPLAY_LIMIT:
                batch.replay = None
        if progress is not None and count % 1000 == 0:
            progress(count // 3)


def _parsed(source: BatchSource, batch: Batch, *, indexing: bool) -> Iterator[tuple[str, Record]]:
    """Parse and check every record of the source; index it in the batch on the first pass."""
    for location, payload in source:
        try:
            raw = _decode(payload)
            record, ignored = _parse(raw, batch.derived)
        except RecordError as error:
            raise IngestRejected(location, str(error)) from None
        if indexing:
            _index(batch, location, raw, record)
            for name in ignored:
                batch.warn(location, f"unknown field '{name}' ignored")
            if isinstance(record, EntityRecord | TeamRecord):
                for name in record.extra:
                    batch.warn(location, f"unknown field '{name}' kept in properties")
        yield location, record


def _decode(payload: bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(payload, bytes):
        if len(payload) > MAX_RECORD_BYTES:
            raise RecordError(f"a record is limited to {MAX_RECORD_BYTES} bytes, this one has {len(payload)}")
        if b"\x00" in payload:
            raise RecordError("NUL bytes are not allowed")
        try:
            raw = orjson.loads(payload)
        except orjson.JSONDecodeError as error:
            raise RecordError(f"invalid JSON: {error}") from None
        if b"\\u0000" in payload:
            _reject_nul(raw)
    else:
        raw = payload
        _reject_nul(raw)
    if not isinstance(raw, dict):
        raise RecordError("a record must be a JSON object")
    return raw


def _reject_nul(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise RecordError("NUL bytes are not allowed")
    elif isinstance(value, dict):
        for name, item in value.items():
            _reject_nul(name)
            _reject_nul(item)
    elif isinstance(value, list):
        for item in value:
            _reject_nul(item)


def _parse(raw: Mapping[str, Any], derived: bool) -> tuple[Record, list[str]]:
    record_type = raw.get("type")
    if record_type is None:
        raise RecordError("missing required field 'type'")
    if record_type == "MetricValue":  # most records of a batch
        # Five fields, all required: a value that parses with no more than five has no others.
        unknown = [] if len(raw) <= len(VALUE_FIELDS) else sorted(set(raw) - VALUE_FIELDS)
        return parse_value(raw), unknown
    if record_type in vocab.ENTITY_TYPES:
        return parse_entity(raw), []
    if record_type == "Team":
        return parse_team(raw), []
    if record_type == "MetricDefinition":
        return parse_definition(raw)
    if record_type == "MetricFramework":
        return parse_framework(raw)
    raise RecordError(f"unknown record type {record_type!r}")


def _canonical(raw: Mapping[str, Any]) -> bytes:
    try:
        return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits
        return json.dumps(raw, sort_keys=True).encode()


def _index(batch: Batch, location: str, raw: Mapping[str, Any], record: Record) -> None:
    """Remember each record's identity; the same identity twice must carry the same content."""
    if isinstance(record, ValueRecord):
        identity = (record.metric, record.entity, record.observed_micros)
        seen = batch.values.get(identity)
        if seen is None:
            # Kept for the whole batch: each of the keys once, not once per value (a 10000-model
            # file has 550,000 values of 7 metrics on 160,000 entities).
            identity = (sys.intern(record.metric), sys.intern(record.entity), record.observed_micros)
            batch.values[identity] = (record.value, location)
        elif seen[0] != record.value:
            raise IngestRejected(
                location,
                f"MetricValue {record.metric} of {record.entity} at {raw['observed_at']} "
                f"appears twice in the batch with different values (first at {seen[1]})",
            )
        return
    digest = hashlib.blake2b(_canonical(raw), digest_size=16).digest()
    if isinstance(record, EntityRecord):
        first = batch.entities.get(record.key)
        if first is None:
            batch.entities[record.key] = (record.type, location)
            batch.digests[record.key] = digest
            return
        if batch.digests[record.key] != digest:
            raise IngestRejected(
                location,
                f"key {record.key} appears twice in the batch with different content (first at {first[1]})",
            )
        return
    if isinstance(record, TeamRecord):
        _index_named(batch, batch.teams, "Team", record, location, digest)
    elif isinstance(record, DefinitionRecord):
        _index_named(batch, batch.definitions, "MetricDefinition", record, location, digest)
    else:
        _index_named(batch, batch.frameworks, "MetricFramework", record, location, digest)


def _index_named(
    batch: Batch, named: dict[str, tuple[Named, str]], label: str, record: Named, location: str, digest: bytes
) -> None:
    digest_key = f"{label}\x00{record.key}"
    if record.key not in named:
        named[record.key] = (record, location)
        batch.digests[digest_key] = digest
    elif batch.digests[digest_key] != digest:
        raise IngestRejected(
            location,
            f"{label} {record.key} appears twice in the batch with different content "
            f"(first at {named[record.key][1]})",
        )
