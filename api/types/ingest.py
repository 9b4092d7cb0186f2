"""Inputs of the `ingest` mutation: one typed record per interchange record type.

Python field names are the interchange field names; a field left out stays UNSET and is not sent,
so an update keeps its stored value, while an explicit null overwrites it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.types.enums import (
    DeploymentRole,
    DeploymentStatus,
    EntityType,
    FeatureSourceKind,
    MetricCategory,
    WorkflowRunStatus,
)

UNSET = strawberry.UNSET


def _field(description: str) -> Any:
    return strawberry.field(default=UNSET, description=description)


@strawberry.input(description="A team; `parent` places it in the hierarchy.")
class TeamInput:
    key: str = strawberry.field(description="Unique team key.")
    name: str | None = _field("Name (required for a new team).")
    parent: str | None = _field("Key of the parent team.")
    properties: JSON | None = _field("Free-form properties.")


@strawberry.input(description="Fields every entity record may carry.")
class EntityInput:
    key: str = strawberry.field(description="Unique entity key.")
    name: str | None = _field("Name (required for a new entity).")
    owner: str | None = _field("Key of the owning team.")
    system: str | None = _field("The tool reporting the entity.")
    created_at: datetime | None = _field("Creation time (default: first ingestion).")
    properties: JSON | None = _field("Free-form properties.")


@strawberry.input(description="A feature source record.")
class FeatureSourceInput(EntityInput):
    kind: FeatureSourceKind | None = _field("What the source is.")
    uri: str | None = _field("Where the data lives.")
    logged_from: list[str] | None = _field("Keys of deployments whose logs became this source (LOGS).")


@strawberry.input(description="A logical feature record.")
class LogicalFeatureInput(EntityInput):
    description: str | None = _field("What the feature computes.")
    sources: list[str] | None = _field("Keys of the feature sources it is computed from (FEEDS).")


@strawberry.input(description="A training dataset record.")
class TrainingDatasetInput(EntityInput):
    row_count: int | None = _field("Number of rows.")
    features: list[str] | None = _field("Keys of the logical features composing it (COMPOSES).")


@strawberry.input(description="A model source record.")
class ModelSourceInput(EntityInput):
    purpose: str | None = _field("What the model is for.")
    repository: str | None = _field("Where the code lives.")


@strawberry.input(description="A workflow run record.")
class WorkflowRunInput(EntityInput):
    status: WorkflowRunStatus | None = _field("Running, succeeded or failed.")
    started_at: datetime | None = _field("When the run started.")
    finished_at: datetime | None = _field("When the run finished.")
    model_source: str | None = _field("Key of the model source it executes (EXECUTES).")
    datasets: list[str] | None = _field("Keys of the datasets it trains on (TRAINS).")


@strawberry.input(description="A model binary record.")
class ModelBinaryInput(EntityInput):
    version: str | None = _field("Version label.")
    run: str | None = _field("Key of the run that produced it (PRODUCES).")


@strawberry.input(description="A binary served by a deployment (a DEPLOYED_TO edge).")
class DeployedBinaryInput:
    binary: str = strawberry.field(description="Key of the binary.")
    traffic_percent: float | None = _field("Share of traffic, 0 to 100.")
    role: DeploymentRole | None = _field("CONTROL (default) or CANARY.")


@strawberry.input(description="A model deployment record.")
class ModelDeploymentInput(EntityInput):
    environment: str | None = _field("Environment, such as prod.")
    region: str | None = _field("Region served.")
    status: DeploymentStatus | None = _field("Active, canary, rolled back or retired.")
    started_at: datetime | None = _field("When it started serving.")
    binaries: list[DeployedBinaryInput] | None = _field("The binaries it serves (DEPLOYED_TO).")


@strawberry.input(description="A bucket of a metric: values under `below` (the last bucket: all others).")
class BucketInput:
    label: str = strawberry.field(description="Bucket label, such as GOOD.")
    below: float | None = _field("Upper bound (exclusive); absent on the last bucket.")
    score: float = strawberry.field(description="Score in [0, 1] of values in this bucket.")


@strawberry.input(description="A metric definition record.")
class MetricDefinitionInput:
    key: str = strawberry.field(description="Unique metric key.")
    name: str | None = _field("Name (required for a new metric).")
    description: str | None = _field("What the metric measures.")
    category: MetricCategory | None = _field("Family of the metric (required for a new metric).")
    entity_type: EntityType | None = _field("Entity type it applies to (required for a new metric).")
    unit: str | None = _field("Unit of the values.")
    higher_is_better: bool | None = _field("Whether larger values are better.")
    buckets: list[BucketInput] | None = _field("Ordered buckets (required for a new metric).")


@strawberry.input(description="One observation of a metric on an entity.")
class MetricValueInput:
    metric: str = strawberry.field(description="Metric key.")
    entity: str = strawberry.field(description="Entity key.")
    value: float = strawberry.field(description="Observed value.")
    observed_at: datetime = strawberry.field(description="When it was observed.")


@strawberry.input(
    description="A node of a metric framework: inner nodes aggregate children, leaves name a metric."
)
class ScoreNodeInput:
    name: str = strawberry.field(description="Node name.")
    weight: float | None = _field("Weight in the parent's mean (default 1).")
    aggregate: str | None = _field("MEAN (default), MIN or MAX, on a node with children.")
    children: list[ScoreNodeInput] | None = _field("Child nodes.")
    metric: str | None = _field("Metric key, on a leaf.")
    via: str | None = _field("SELF (default), LATEST_BINARY, BINARIES, RUNS, DEPLOYMENTS or DATASETS.")
    reduce: str | None = _field("WORST (default), BEST or MEAN, over the entities `via` reaches.")


@strawberry.input(description="A metric framework record.")
class MetricFrameworkInput:
    key: str = strawberry.field(description="Unique framework key.")
    name: str | None = _field("Name (required for a new framework).")
    description: str | None = _field("What the framework assesses.")
    entity_type: EntityType | None = _field("Entity type it scores (required for a new framework).")
    buckets: list[BucketInput] | None = _field("Buckets labelling the score of every node.")
    root: ScoreNodeInput | None = _field("The tree (required for a new framework).")


@strawberry.input(description="One all-or-nothing batch of records; references may point anywhere in it.")
class IngestBatch:
    teams: list[TeamInput] = strawberry.field(default_factory=list, description="Teams.")
    feature_sources: list[FeatureSourceInput] = strawberry.field(
        default_factory=list, description="Feature sources."
    )
    logical_features: list[LogicalFeatureInput] = strawberry.field(
        default_factory=list, description="Logical features."
    )
    training_datasets: list[TrainingDatasetInput] = strawberry.field(
        default_factory=list, description="Training datasets."
    )
    model_sources: list[ModelSourceInput] = strawberry.field(
        default_factory=list, description="Model sources."
    )
    workflow_runs: list[WorkflowRunInput] = strawberry.field(
        default_factory=list, description="Workflow runs."
    )
    model_binaries: list[ModelBinaryInput] = strawberry.field(
        default_factory=list, description="Model binaries."
    )
    model_deployments: list[ModelDeploymentInput] = strawberry.field(
        default_factory=list, description="Model deployments."
    )
    metric_definitions: list[MetricDefinitionInput] = strawberry.field(
        default_factory=list, description="Metric definitions."
    )
    metric_values: list[MetricValueInput] = strawberry.field(
        default_factory=list, description="Metric values."
    )
    metric_frameworks: list[MetricFrameworkInput] = strawberry.field(
        default_factory=list, description="Metric frameworks."
    )
