"""Writes: the `ingest` mutation (typed records to interchange records) and `deleteEntities`."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from api.context import Info
from api.ids import global_id
from api.telemetry import count_error, count_ingested
from api.types.described import resolver
from api.types.ingest import IngestBatch
from graph.ingest import IngestRejected, IngestSummary, delete_entities, ingest, record_list
from graph.timestamps import iso

# Batch field -> interchange record type, in the order records are handed to the store.
RECORD_LISTS = (
    ("teams", "Team"),
    ("feature_sources", "FeatureSource"),
    ("logical_features", "LogicalFeature"),
    ("training_datasets", "TrainingDataset"),
    ("model_sources", "ModelSource"),
    ("workflow_runs", "WorkflowRun"),
    ("model_binaries", "ModelBinary"),
    ("model_deployments", "ModelDeployment"),
    ("metric_definitions", "MetricDefinition"),
    ("metric_values", "MetricValue"),
    ("metric_frameworks", "MetricFramework"),
)
# The store names the field at fault as "field 'x'" or "references unknown x <key>".
FIELD_IN_REASON = re.compile(r"field '([A-Za-z0-9_.\[\]]+)'|references unknown ([a-z_]+) ")


@strawberry.type(description="What a batch did to one record type.")
class TypeCount:
    type: str = strawberry.field(description="Record type, such as ModelBinary.")
    created: int = strawberry.field(description="Records that did not exist before.")
    updated: int = strawberry.field(description="Existing records that changed.")
    unchanged: int = strawberry.field(description="Records re-sent with identical content.")


@strawberry.type(description="Why a batch was rejected: the record (and field) at fault.")
class IngestError:
    path: str = strawberry.field(description="Where, such as modelBinaries[2] or modelBinaries[2].run.")
    message: str = strawberry.field(description="What is wrong.")


@strawberry.type(
    description="Outcome of a batch: counts when written, errors when rejected (nothing written)."
)
class IngestResult:
    ok: bool = strawberry.field(description="Whether the batch was written.")
    created: int = strawberry.field(description="Records created, all types.")
    updated: int = strawberry.field(description="Records updated, all types.")
    unchanged: int = strawberry.field(description="Records unchanged, all types.")
    types: list[TypeCount] = strawberry.field(description="Counts per record type.")
    warnings: list[str] = strawberry.field(description="Unknown fields kept in properties, and similar.")
    errors: list[IngestError] = strawberry.field(description="Why the batch was rejected; empty when ok.")

    @classmethod
    def written(cls, summary: IngestSummary) -> IngestResult:
        types = [
            TypeCount(type=name, created=c.created, updated=c.updated, unchanged=c.unchanged)
            for name, c in sorted(summary.counts.items())
        ]
        return cls(
            ok=True,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            types=types,
            warnings=summary.warnings,
            errors=[],
        )

    @classmethod
    def rejected(cls, error: IngestRejected) -> IngestResult:
        failure = IngestError(path=error_path(error.location, error.reason), message=error.reason)
        return cls(ok=False, created=0, updated=0, unchanged=0, types=[], warnings=[], errors=[failure])


@strawberry.type(description="Outcome of deleteEntities.")
class DeleteResult:
    deleted: int = strawberry.field(description="Number of entities deleted.")
    keys: list[str] = strawberry.field(description="Keys of the deleted entities (unknown keys are skipped).")
    deleted_ids: list[strawberry.ID] = strawberry.field(
        description="Global ids of the deleted entities, in the order of `keys` (for a client cache's "
        "`@deleteRecord`)."
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def error_path(location: str, reason: str) -> str:
    """The record's path, plus the field the reason names (`field 'run'`), in GraphQL spelling."""
    match = FIELD_IN_REASON.search(reason)
    if match is None:
        return location
    return f"{location}.{_camel(match.group(1) or match.group(2))}"


def interchange(value: Any) -> Any:
    """A typed input as the interchange format has it: UNSET fields dropped, enums and times as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.name: interchange(getattr(value, item.name))
            for item in dataclasses.fields(value)
            if getattr(value, item.name) is not strawberry.UNSET
        }
    if isinstance(value, list):
        return [interchange(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return iso(value)
    return value


def batch_records(batch: IngestBatch) -> tuple[list[dict[str, Any]], list[str]]:
    """The batch's records with their paths (`modelBinaries[2]`), for errors that name them."""
    records: list[dict[str, Any]] = []
    locations: list[str] = []
    for field_name, record_type in RECORD_LISTS:
        for index, item in enumerate(getattr(batch, field_name)):
            records.append({"type": record_type, **interchange(item)})
            locations.append(f"{_camel(field_name)}[{index}]")
    return records, locations


@strawberry.type(description="Writes to the graph.")
class CoreMutation:
    @resolver(description="Write one batch of records, all or nothing; re-sending a record changes nothing.")
    async def ingest(
        self,
        info: Info,
        batch: Annotated[IngestBatch, strawberry.argument(description="The records, by type.")],
    ) -> IngestResult:
        records, locations = batch_records(batch)
        try:
            summary = await ingest(info.context.engine, record_list(records, locations=locations))
        except IngestRejected as error:
            count_error("ingest_rejected")
            return IngestResult.rejected(error)
        count_ingested(summary)
        return IngestResult.written(summary)

    @resolver(description="Delete entities by key, with their edges and metric values.")
    async def delete_entities(
        self,
        info: Info,
        keys: Annotated[list[str], strawberry.argument(description="Keys of the entities to delete.")],
    ) -> DeleteResult:
        deleted = await delete_entities(info.context.engine, keys)
        return DeleteResult(
            deleted=len(deleted),
            keys=[entity.key for entity in deleted],
            deleted_ids=[strawberry.ID(global_id(entity.type, entity.key)) for entity in deleted],
        )
